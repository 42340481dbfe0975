// Small durable values by key: the event cursors of the log's readers (alerts, sinks) and their
// counters. One table, so a second driver has one thing to implement.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { CursorStore } from '../contract.js';
import type { Sync } from './promised.js';

export class Cursors implements Sync<CursorStore> {
  constructor(private readonly db: Database) {}

  get(key: string): string | undefined {
    return (sql(this.db, 'SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    sql(this.db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Every entry whose key starts with `prefix`, in key order. */
  list(prefix: string): { key: string; value: string }[] {
    return sql(this.db, `SELECT key, value FROM kv WHERE substr(key, 1, ?) = ? ORDER BY key`).all(prefix.length, prefix) as { key: string; value: string }[];
  }
}
