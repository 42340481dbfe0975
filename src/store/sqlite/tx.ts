// Transactions inside the SQLite driver: one IMMEDIATE transaction per unit, a savepoint when nested.
import type { Database, Transaction } from 'better-sqlite3';
import type { Outcome } from '../contract.js';

const wrappers = new WeakMap<Database, Transaction<(fn: () => unknown) => unknown>>();

/**
 * Run fn in one IMMEDIATE transaction: all of it is written, or none of it. Inside another it is a
 * savepoint: an error rolls back fn's writes alone and reaches the caller.
 */
export function tx<T>(db: Database, fn: () => T): T {
  let w = wrappers.get(db);
  if (!w) wrappers.set(db, (w = db.transaction((f: () => unknown) => f())));
  return w.immediate(fn) as T;
}

/** Each item its own unit (a savepoint), all in one transaction: one commit however many there are. */
export function eachUnit<I, T>(db: Database, items: readonly I[], fn: (item: I) => T): Outcome<T>[] {
  if (items.length === 0) return [];
  return tx(db, () =>
    items.map((item): Outcome<T> => {
      try {
        return { ok: true, value: tx(db, () => fn(item)) };
      } catch (error) {
        return { ok: false, error: error as Error };
      }
    }),
  );
}
