// The store: the only channel between the CLI, the daemon and the dashboard. Callers see the
// contract (contract.ts); the driver behind it is chosen here: the SQLite file in the home folder,
// or a PostgreSQL database shared by several hosts (--store postgres://…, or EASYTASK_STORE).
import { systemClock, type Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import type { Store } from './contract.js';
import type { OpenOptions } from './sqlite/open.js';
import { SqliteStore } from './sqlite/store.js';

export interface StoreOptions extends OpenOptions {
  /** A postgres:// URL; absent for the embedded SQLite file in the home folder. */
  url?: string;
}

export const isPostgresUrl = (s: string): boolean => /^postgres(ql)?:\/\//i.test(s);

/** Open the store: PostgreSQL when `opts.url` names a database, else the home's SQLite file. */
export async function openStore(home: string, clock: Clock = systemClock, opts: StoreOptions = {}): Promise<Store> {
  const { url, ...rest } = opts;
  if (url === undefined || url === '') return SqliteStore.open(home, clock, rest);
  if (!isPostgresUrl(url)) {
    throw new EasyTaskError('BAD_INPUT', `--store ${JSON.stringify(url)} is not a store EasyTask knows; expected a postgres://user@host:port/database URL (or no --store: the SQLite file in the home)`, 2);
  }
  // Loaded only when asked for: the embedded default starts without the PostgreSQL client.
  const { PgStore } = await import('./postgres/store.js');
  return PgStore.open(url, home, clock);
}

export type * from './contract.js';
export type * from './rows.js';
export { runScope } from './rows.js';
export { MIGRATIONS } from './sqlite/migrations.js';
export { isLockedError, storePath, STORE_FILE, type OpenOptions } from './sqlite/open.js';
