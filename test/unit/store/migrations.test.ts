// The SQLite driver's file and its migrations: checks of the driver itself, beside the contract suite.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { openStore, STORE_FILE } from '../../../src/store/index.js';
import { MIGRATIONS, migrate, schemaVersion } from '../../../src/store/sqlite/migrations.js';
import { openDatabase } from '../../../src/store/sqlite/open.js';
import { SqliteStore } from '../../../src/store/sqlite/store.js';
import { tempHome } from '../../helpers/home.js';

const NEWEST = MIGRATIONS.at(-1)!.version;

describe('store file and migrations', () => {
  it('creates the file readable by its owner only, in WAL mode with a busy timeout', async () => {
    const home = join(tempHome(), 'nested', 'home');
    await (await openStore(home)).close();
    const mode = statSync(join(home, STORE_FILE)).mode & 0o777;
    expect(mode).toBe(0o600);
    const db = openDatabase(home);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      db.close();
    }
  });

  it('applies every migration once and is a no-op the second time', () => {
    const home = tempHome();
    const db = new Database(join(home, 'x.db'));
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const before = tables();
    expect(migrate(db)).toEqual([]);
    expect(tables()).toEqual(before);
    expect(schemaVersion(db)).toBe(NEWEST);
    expect(before.map((t) => (t as { name: string }).name)).toEqual(
      expect.arrayContaining(['definitions', 'runs', 'attempts', 'events', 'commands', 'daemon', 'frozen_dates']),
    );
    db.close();
  });

  it('opening a store of an older schema upgrades it, keeping its data (also when opened to read only)', async () => {
    const home = tempHome();
    const db = new Database(join(home, STORE_FILE));
    migrate(db, MIGRATIONS.filter((m) => m.version < 5)); // a store from before migration 5
    db.exec("INSERT INTO events (key, type, time, instance, data) VALUES ('old', 'daemon.started', 1, 'default', '{}')");
    db.close();
    const store = await SqliteStore.open(home, new FakeClock(0), { readonly: true });
    try {
      expect(store.schemaVersion()).toBe(NEWEST);
      expect((await store.events.list()).map((e) => e.key)).toEqual(['old']);
      // Migration 5 starts the definition effects at the end of the log the store already had.
      expect(await store.definitionEffects.applied()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('reopening an existing store keeps its data', async () => {
    const home = tempHome();
    const a = await openStore(home);
    await a.events.append({ key: 'k1', type: 'daemon.started', time: 1, instance: 'default', data: {} });
    await a.close();
    const b = await openStore(home);
    expect((await b.events.list()).map((e) => e.key)).toEqual(['k1']);
    await b.close();
  });

  it('an up-to-date store is not written to, so a write transaction of another connection does not stop it opening', async () => {
    const home = tempHome();
    await (await openStore(home)).close();
    const holder = new Database(join(home, STORE_FILE));
    holder.exec('BEGIN EXCLUSIVE');
    holder.exec("INSERT INTO events (key, type, time, instance, data) VALUES ('held', 'daemon.started', 1, 'default', '{}')");
    const db = new Database(join(home, STORE_FILE));
    try {
      db.pragma('busy_timeout = 0');
      expect(migrate(db)).toEqual([]);
      const raw = openDatabase(home, { readonly: true, busyTimeoutMs: 0 });
      expect(raw.readonly).toBe(true);
      raw.close();
      const ro = await openStore(home, undefined, { readonly: true, busyTimeoutMs: 0 });
      expect((await ro.events.list()).map((e) => e.key)).not.toContain('held');
      await ro.close();
    } finally {
      db.close();
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('a failing migration leaves the version where it was', () => {
    const home = tempHome();
    const db = new Database(join(home, 'x.db'));
    migrate(db);
    const v = schemaVersion(db);
    const bad = [...MIGRATIONS, { version: v + 1, description: 'broken', sql: 'CREATE TABLE t (a); SELECT * FROM nope;' }];
    expect(() => migrate(db, bad)).toThrow(/no such table: nope/);
    expect(schemaVersion(db)).toBe(v);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
    db.close();
  });
});
