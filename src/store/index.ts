// The store: the only channel between the CLI, the daemon and the dashboard. Callers see the
// contract (contract.ts); the driver behind it is chosen here.
import { systemClock, type Clock } from '../core/clock.js';
import type { Store } from './contract.js';
import type { OpenOptions } from './sqlite/open.js';
import { SqliteStore } from './sqlite/store.js';

/** Open the store of a home folder (the embedded SQLite driver). */
export function openStore(home: string, clock: Clock = systemClock, opts: OpenOptions = {}): Promise<Store> {
  return SqliteStore.open(home, clock, opts);
}

export type * from './contract.js';
export type * from './rows.js';
export { runScope } from './rows.js';
export { MIGRATIONS } from './sqlite/migrations.js';
export { isLockedError, storePath, STORE_FILE, type OpenOptions } from './sqlite/open.js';
