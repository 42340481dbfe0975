// Attempts: one row per (run, attempt number), written by the daemon as an attempt starts and ends.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Acceptance, AttemptStore, Outcome, StartedProcess } from '../contract.js';
import type { AttemptEnd, RunRow, TransitionRequest } from '../rows.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { eachUnit, tx } from './tx.js';

export class Attempts implements Sync<AttemptStore> {
  constructor(
    private readonly db: Database,
    private readonly runs: Runs,
  ) {}

  accept(items: readonly Acceptance[]): Outcome<RunRow>[] {
    return eachUnit(this.db, items, ({ run, host, at }) => {
      const attempt = run.attempt + 1;
      const r = this.runs.transitionInTx({
        runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: run.version,
        patch: { attempt, host, due_at: null, ...(run.started_at === null ? { started_at: at } : {}) },
        data: { host, attempt, max_attempts: run.max_attempts },
      });
      this.begin(run.id, attempt, at);
      return r;
    });
  }

  started(items: readonly StartedProcess[]): Outcome<RunRow>[] {
    return eachUnit(this.db, items, (p) => this.recordStart(p));
  }

  ended(e: { start?: StartedProcess; end: AttemptEnd; transition: TransitionRequest }): RunRow {
    return tx(this.db, () => {
      if (e.start) this.recordStart(e.start);
      this.end(e.end);
      return this.runs.transitionInTx(e.transition);
    });
  }

  abandoned(items: readonly { runId: number; n: number; at: number; transition: TransitionRequest }[]): Outcome<RunRow>[] {
    return eachUnit(this.db, items, (a) => {
      sql(this.db, `UPDATE attempts SET ended_at = ?, reason = 'lost' WHERE run_id = ? AND n = ? AND ended_at IS NULL`).run(a.at, a.runId, a.n);
      return this.runs.transitionInTx(a.transition);
    });
  }

  /** The attempt's pid, and the run RUNNING. */
  private recordStart(p: StartedProcess): RunRow {
    this.setPid(p.runId, p.attempt, p.pid);
    return this.runs.transitionInTx({
      runId: p.runId, event: 'run.started', to: 'RUNNING',
      patch: { pid: p.pid, stdout_path: p.stdoutPath, stderr_path: p.stderrPath },
      // spawned_at: when the process started, which the event's own time (when it was recorded) follows.
      data: { pid: p.pid, stdout: p.stdoutPath, stderr: p.stderrPath, spawned_at: new Date(p.at).toISOString() },
    });
  }

  /** Attempt `n` of a run was accepted at `at` (a re-accepted attempt starts its row again). */
  private begin(runId: number, n: number, at: number): void {
    sql(this.db, 'INSERT OR REPLACE INTO attempts (run_id, n, started_at) VALUES (?, ?, ?)').run(runId, n, at);
  }

  /** Its process started. */
  private setPid(runId: number, n: number, pid: number): void {
    sql(this.db, 'UPDATE attempts SET pid = ? WHERE run_id = ? AND n = ?').run(pid, runId, n);
  }

  /** How it ended; the run carries its last attempt's lost output too, so runs and show can say so. */
  private end(e: AttemptEnd): void {
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
