// Opens the SQLite store in the home folder: owner-only file, WAL, busy timeout, migrations; or read-only.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../core/defaults.js';
import { EasyTaskError } from '../../core/errors.js';
import { MIGRATIONS, migrate, schemaVersion } from './migrations.js';
import { embeddedAddonPath } from '../../sea/assets.js';

export const STORE_FILE = 'easytask.db';

/** When bundled, the native addon sits beside the bundle (or, in a single executable, is extracted from it). */
function nativeBinding(): object | undefined {
  const dir = typeof __dirname === 'string' ? __dirname : undefined;
  const path = process.env.EASYTASK_SQLITE_ADDON ?? embeddedAddonPath() ?? (dir ? join(dir, 'better_sqlite3.node') : undefined);
  if (!path || !existsSync(path)) return undefined;
  const mod = { exports: {} as object };
  process.dlopen(mod, path);
  return mod.exports;
}

let binding: object | undefined | null = null;

export interface OpenOptions {
  /**
   * Read-only: the connection never writes, so it takes no write lock and waits for none (in WAL mode
   * reading goes on while another process writes). The file must exist. A store from an older version
   * is still upgraded first, which writes.
   */
  readonly?: boolean;
  /** How long a statement waits for a lock before SQLITE_BUSY (default DEFAULTS.busyTimeoutMs). */
  busyTimeoutMs?: number;
}

/** Whether an error is SQLite saying another connection holds a lock it needed. */
export function isLockedError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function openDatabase(home: string, opts: OpenOptions = {}): Db {
  const file = join(home, STORE_FILE);
  if (opts.readonly) {
    const db = openReadOnly(file, opts);
    if (db) return db;
  }
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) {
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    if (binding === null) binding = nativeBinding();
    // The typings only know the string form; better-sqlite3 also accepts the loaded addon object.
    const db = new Database(file, (binding ? { nativeBinding: binding } : {}) as Database.Options);
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    if (err instanceof EasyTaskError) throw err;
    throw new EasyTaskError('STORE', `cannot open the store ${file}: ${(err as Error).message}`);
  }
}

/**
 * The store opened read-only, or undefined when its schema is older than this version's (the caller
 * opens it for writing then, to upgrade it). Nothing here writes: no journal-mode change (the file is in
 * WAL mode since it was made), no migration. A schema version that cannot be read for a lock is taken
 * as current, so what the command reads next says what it could not read.
 */
function openReadOnly(file: string, opts: OpenOptions): Db | undefined {
  try {
    if (binding === null) binding = nativeBinding();
    const options = { readonly: true, fileMustExist: true, ...(binding ? { nativeBinding: binding } : {}) };
    const db = new Database(file, options as Database.Options);
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? DEFAULTS.busyTimeoutMs}`);
    let current = true;
    try {
      current = schemaVersion(db) >= MIGRATIONS.at(-1)!.version;
    } catch (err) {
      if (!isLockedError(err)) throw err;
    }
    if (current) return db;
    db.close();
    return undefined;
  } catch (err) {
    throw new EasyTaskError('STORE', `cannot open the store ${file}: ${(err as Error).message}`);
  }
}

export const storePath = (home: string): string => join(home, STORE_FILE);
