import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion, STORE_FILE, Store } from '../../../src/store/index.js';
import { tempHome } from '../../helpers/home.js';

describe('store file and migrations', () => {
  it('creates the file readable by its owner only, in WAL mode with a busy timeout', () => {
    const home = tempHome();
    const store = Store.open(join(home, 'nested', 'home'));
    const mode = statSync(join(home, 'nested', 'home', STORE_FILE)).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    store.close();
  });

  it('applies every migration once and is a no-op the second time', () => {
    const home = tempHome();
    const db = new Database(join(home, 'x.db'));
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    const before = tables();
    expect(migrate(db)).toEqual([]);
    expect(tables()).toEqual(before);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(before.map((t) => (t as { name: string }).name)).toEqual(
      expect.arrayContaining(['definitions', 'runs', 'attempts', 'events', 'commands', 'daemon', 'frozen_dates']),
    );
    db.close();
  });

  it('reopening an existing store keeps its data', () => {
    const home = tempHome();
    const a = Store.open(home);
    a.events.append({ key: 'k1', type: 'daemon.started', time: 1, instance: 'default', data: {} });
    a.close();
    const b = Store.open(home);
    expect(b.events.list().map((e) => e.key)).toEqual(['k1']);
    b.close();
  });

  it('an up-to-date store is not written to, so a write transaction of another connection does not stop it opening', () => {
    const home = tempHome();
    Store.open(home).close();
    const holder = new Database(join(home, STORE_FILE));
    holder.exec('BEGIN EXCLUSIVE');
    holder.exec("INSERT INTO events (key, type, time, instance, data) VALUES ('held', 'daemon.started', 1, 'default', '{}')");
    const db = new Database(join(home, STORE_FILE));
    try {
      db.pragma('busy_timeout = 0');
      expect(migrate(db)).toEqual([]);
      const ro = Store.open(home, undefined, { readonly: true, busyTimeoutMs: 0 });
      expect(ro.db.readonly).toBe(true);
      expect(ro.events.list().map((e) => e.key)).not.toContain('held');
      ro.close();
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
