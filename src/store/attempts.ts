// Attempts: one row per (run, attempt number), written by the daemon as an attempt starts and ends.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';

export class Attempts {
  constructor(private readonly db: Database) {}

  /** When attempt `n` of a run was accepted (epoch ms), or null when it has no row. */
  startedAt(runId: number, n: number): number | null {
    return (sql(this.db, 'SELECT started_at FROM attempts WHERE run_id = ? AND n = ?').get(runId, n) as { started_at: number } | undefined)?.started_at ?? null;
  }
}
