// Prepared statements cached per connection: preparing costs far more than running a small query.
import type { Database, Statement } from 'better-sqlite3';

const caches = new WeakMap<Database, Map<string, Statement>>();

export function sql(db: Database, text: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = db.prepare(text)));
  return stmt;
}

/**
 * A constant list of names (states, event types) as SQL string literals, for IN (…): built from the
 * program's own constants, never from input, and refused if a name is not a plain word.
 */
export function sqlList(names: readonly string[]): string {
  for (const n of names) if (!/^[A-Za-z0-9_.]+$/.test(n)) throw new Error(`not a constant name: ${n}`);
  return names.map((n) => `'${n}'`).join(', ');
}
