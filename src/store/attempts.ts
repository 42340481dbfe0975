// Attempts: one row per (run, attempt number), written by the daemon as an attempt starts and ends.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';

export interface AttemptEnd {
  runId: number;
  n: number;
  endedAt: number;
  durationMs: number | null;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  stdoutBytes: number;
  stderrBytes: number;
  /** JSON of the streams the files did not take in full; null when none. */
  outputError: string | null;
}

export class Attempts {
  constructor(private readonly db: Database) {}

  /** Attempt `n` of a run was accepted at `at` (a re-accepted attempt starts its row again). */
  begin(runId: number, n: number, at: number): void {
    sql(this.db, 'INSERT OR REPLACE INTO attempts (run_id, n, started_at) VALUES (?, ?, ?)').run(runId, n, at);
  }

  /** Its process started. */
  setPid(runId: number, n: number, pid: number): void {
    sql(this.db, 'UPDATE attempts SET pid = ? WHERE run_id = ? AND n = ?').run(pid, runId, n);
  }

  /** How it ended; the run carries its last attempt's lost output too, so runs and show can say so. */
  end(e: AttemptEnd): void {
    sql(
      this.db,
      `UPDATE attempts SET ended_at = ?, duration_ms = ?, exit_code = ?, signal = ?, reason = ?, stdout_bytes = ?, stderr_bytes = ?, output_error = ?
       WHERE run_id = ? AND n = ?`,
    ).run(e.endedAt, e.durationMs, e.exitCode, e.signal, e.reason, e.stdoutBytes, e.stderrBytes, e.outputError, e.runId, e.n);
    sql(this.db, 'UPDATE runs SET output_error = ? WHERE id = ?').run(e.outputError, e.runId);
  }

  /** When attempt `n` of a run was accepted (epoch ms), or null when it has no row. */
  startedAt(runId: number, n: number): number | null {
    return (sql(this.db, 'SELECT started_at FROM attempts WHERE run_id = ? AND n = ?').get(runId, n) as { started_at: number } | undefined)?.started_at ?? null;
  }
}
