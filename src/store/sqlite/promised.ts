// better-sqlite3 is synchronous, and transactions compose only synchronously; the contract is
// asynchronous, so a network database can implement it. Each part of the driver is written
// synchronously against Sync<Part> and handed out through promised(), one resolved promise per call.

/** The synchronous shape of a contract part: the same operations, returning their values directly. */
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K];
};

/** The contract part served by `impl`: every method's value (or error) as a settled promise. */
export function promised<T extends object>(impl: Sync<T>): T {
  const out: Record<string, unknown> = {};
  for (let proto = Object.getPrototypeOf(impl); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const fn = (impl as Record<string, unknown>)[name];
      if (name === 'constructor' || name in out || typeof fn !== 'function') continue;
      out[name] = (...args: unknown[]) => {
        try {
          return Promise.resolve((fn as (...a: unknown[]) => unknown).apply(impl, args));
        } catch (err) {
          return Promise.reject(err);
        }
      };
    }
  }
  return out as T;
}
