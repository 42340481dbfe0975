// Opens the SQLite store in the home folder: owner-only file, WAL, busy timeout, migrations.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../core/defaults.js';
import { EasyTaskError } from '../core/errors.js';
import { migrate } from './migrations.js';
import { embeddedAddonPath } from '../sea/assets.js';

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

export function openDatabase(home: string): Db {
  const file = join(home, STORE_FILE);
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (!existsSync(file)) {
      closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    if (binding === null) binding = nativeBinding();
    // The typings only know the string form; better-sqlite3 also accepts the loaded addon object.
    const db = new Database(file, (binding ? { nativeBinding: binding } : {}) as Database.Options);
    db.pragma(`busy_timeout = ${DEFAULTS.busyTimeoutMs}`);
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

export const storePath = (home: string): string => join(home, STORE_FILE);
