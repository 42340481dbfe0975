// Small durable values by key on PostgreSQL: the event cursors of the log's readers and their counters.
import type { CursorStore } from '../contract.js';
import type { Db } from './unit.js';

export class PgCursors implements CursorStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.db.one<{ value: string }>('SELECT value FROM kv WHERE key = $1', [key]))?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.rows('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async list(prefix: string): Promise<{ key: string; value: string }[]> {
    return this.db.rows('SELECT key, value FROM kv WHERE substr(key, 1, $1) = $2 ORDER BY key COLLATE "C"', [prefix.length, prefix]);
  }
}
