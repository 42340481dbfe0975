// Attempts on PostgreSQL: one row per (run, attempt number), written by the daemon as an attempt starts and ends.
import { EasyTaskError } from '../../core/errors.js';
import type { Acceptance, AttemptStore, Outcome, StartedProcess } from '../contract.js';
import type { AttemptEnd, RunRow, TransitionRequest } from '../rows.js';
import type { RunsInUnit } from './internal.js';
import type { Db, Unit } from './unit.js';

export class PgAttempts implements AttemptStore {
  constructor(
    private readonly db: Db,
    private readonly runs: RunsInUnit,
  ) {}

  /** Each acceptance its own unit; a run another agent is accepting right now is a CONFLICT here, never a wait. */
  accept(items: readonly Acceptance[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(items, async (u, { run, host, at }) => {
      const locked = await u.one('SELECT 1 FROM runs WHERE id = $1 FOR UPDATE SKIP LOCKED', [run.id]);
      if (!locked) {
        const seen = await u.one<{ state: string }>('SELECT state FROM runs WHERE id = $1', [run.id]);
        if (!seen) throw new EasyTaskError('NOT_FOUND', `run ${run.id} does not exist`);
        throw new EasyTaskError('CONFLICT', `run ${run.id} changed meanwhile (${seen.state}, being changed by another connection)`);
      }
      const attempt = run.attempt + 1;
      const r = await this.runs.transitionIn(u, {
        runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: run.version,
        patch: { attempt, host, due_at: null, ...(run.started_at === null ? { started_at: at } : {}) },
        data: { host, attempt, max_attempts: run.max_attempts },
      });
      await this.begin(u, run.id, attempt, at);
      return r;
    });
  }

  started(items: readonly StartedProcess[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(items, (u, p) => this.recordStart(u, p));
  }

  ended(e: { start?: StartedProcess; end: AttemptEnd; transition: TransitionRequest }): Promise<RunRow> {
    return this.db.unit(async (u) => {
      if (e.start) await this.recordStart(u, e.start);
      await this.end(u, e.end);
      return this.runs.transitionIn(u, e.transition);
    });
  }

  abandoned(items: readonly { runId: number; n: number; at: number; transition: TransitionRequest }[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(items, async (u, a) => {
      await u.count(`UPDATE attempts SET ended_at = $1, reason = 'lost' WHERE run_id = $2 AND n = $3 AND ended_at IS NULL`, [a.at, a.runId, a.n]);
      return this.runs.transitionIn(u, a.transition);
    });
  }

  /** The attempt's pid, and the run RUNNING. */
  private async recordStart(u: Unit, p: StartedProcess): Promise<RunRow> {
    await u.count('UPDATE attempts SET pid = $1 WHERE run_id = $2 AND n = $3', [p.pid, p.runId, p.attempt]);
    return this.runs.transitionIn(u, {
      runId: p.runId, event: 'run.started', to: 'RUNNING',
      patch: { pid: p.pid, stdout_path: p.stdoutPath, stderr_path: p.stderrPath },
      // spawned_at: when the process started, which the event's own time (when it was recorded) follows.
      data: { pid: p.pid, stdout: p.stdoutPath, stderr: p.stderrPath, spawned_at: new Date(p.at).toISOString() },
    });
  }

  /** Attempt `n` of a run was accepted at `at`: a re-accepted attempt starts its row again from scratch. */
  private async begin(u: Unit, runId: number, n: number, at: number): Promise<void> {
    await u.count(
      `INSERT INTO attempts (run_id, n, started_at) VALUES ($1, $2, $3)
       ON CONFLICT (run_id, n) DO UPDATE SET started_at = EXCLUDED.started_at, pid = DEFAULT, ended_at = DEFAULT, duration_ms = DEFAULT,
         exit_code = DEFAULT, signal = DEFAULT, reason = DEFAULT, stdout_bytes = DEFAULT, stderr_bytes = DEFAULT, output_error = DEFAULT`,
      [runId, n, at],
    );
  }

  /** How it ended; the run carries its last attempt's lost output too, so runs and show can say so. */
  private async end(u: Unit, e: AttemptEnd): Promise<void> {
    await u.count(
      `UPDATE attempts SET ended_at = $1, duration_ms = $2, exit_code = $3, signal = $4, reason = $5, stdout_bytes = $6, stderr_bytes = $7, output_error = $8
       WHERE run_id = $9 AND n = $10`,
      [e.endedAt, e.durationMs, e.exitCode, e.signal, e.reason, e.stdoutBytes, e.stderrBytes, e.outputError, e.runId, e.n],
    );
    await u.count('UPDATE runs SET output_error = $1 WHERE id = $2', [e.outputError, e.runId]);
  }

  /** When attempt `n` of a run was accepted (epoch ms), or null when it has no row. */
  async startedAt(runId: number, n: number): Promise<number | null> {
    return (await this.db.one<{ started_at: number | null }>('SELECT started_at FROM attempts WHERE run_id = $1 AND n = $2', [runId, n]))?.started_at ?? null;
  }
}
