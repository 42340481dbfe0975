// Attempts: one row per (run, attempt number), written by the daemon as an attempt starts and ends.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import type { Acceptance, AttemptStore, Claim, ExpiredAttempt, LeaseState, Outcome, StartedProcess } from '../contract.js';
import type { AttemptEnd, RunRow, TransitionRequest } from '../rows.js';
import type { RunState } from '../../core/states.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { eachUnit, tx } from './tx.js';

/** The states in which an attempt is held by an agent. */
const HELD_STATES = JSON.stringify(['STARTED', 'RUNNING'] satisfies RunState[]);

export class Attempts implements Sync<AttemptStore> {
  constructor(
    private readonly db: Database,
    private readonly runs: Runs,
    /** The store's clock: leases are measured on it. */
    private readonly clock: Clock,
  ) {}

  accept(items: readonly Acceptance[]): Outcome<RunRow>[] {
    return eachUnit(this.db, items, (a) => this.acceptOne(a));
  }

  /** Attempt n+1 begins: the run STARTED (expecting the version read) and its attempt row, under the token. */
  private acceptOne({ run, host, at, token, leaseMs }: Acceptance): RunRow {
    const attempt = run.attempt + 1;
    const r = this.runs.transitionInTx({
      runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: run.version,
      patch: { attempt, host, due_at: null, ...(run.started_at === null ? { started_at: at } : {}) },
      data: { host, attempt, max_attempts: run.max_attempts },
    });
    sql(this.db, 'INSERT OR REPLACE INTO attempts (run_id, n, started_at, host, token, lease_until) VALUES (?, ?, ?, ?, ?, ?)').run(run.id, attempt, at, host, token, this.clock.now() + leaseMs);
    return r;
  }

  claim(c: Claim): { run: RunRow; token: string }[] {
    if (c.tokens.length === 0) return [];
    return tx(this.db, () => {
      const runs = this.runs.claimable(c.queues, c.now, c.tokens.length);
      return runs.map((run, i) => {
        const token = c.tokens[i]!;
        return { run: this.acceptOne({ run, host: c.host, at: c.now, token, leaseMs: c.leaseMs }), token };
      });
    });
  }

  started(items: readonly StartedProcess[]): Outcome<RunRow>[] {
    return eachUnit(this.db, items, (p) => this.recordStart(p));
  }

  ended(e: { token: string; start?: StartedProcess; end: AttemptEnd; transition: TransitionRequest }): RunRow {
    return tx(this.db, () => {
      this.holds(e.end.runId, e.end.n, e.token);
      if (e.start) this.recordStart(e.start);
      this.end(e.end);
      return this.runs.transitionInTx(e.transition);
    });
  }

  renew(items: readonly { runId: number; n: number; token: string }[], leaseMs: number): LeaseState[] {
    if (items.length === 0) return [];
    const until = this.clock.now() + leaseMs;
    return tx(this.db, () =>
      items.map((i): LeaseState => {
        const row = sql(this.db, 'UPDATE attempts SET lease_until = ? WHERE run_id = ? AND n = ? AND token = ? AND ended_at IS NULL RETURNING terminate_requested').get(until, i.runId, i.n, i.token) as
          | { terminate_requested: number | null }
          | undefined;
        return !row ? 'gone' : row.terminate_requested !== null ? 'terminate' : 'held';
      }),
    );
  }

  /** Ask the agents holding these attempts to kill them (they see it when they next renew). */
  requestTerminate(items: readonly { runId: number; n: number }[]): void {
    for (const i of items) sql(this.db, 'UPDATE attempts SET terminate_requested = ? WHERE run_id = ? AND n = ? AND ended_at IS NULL').run(this.clock.now(), i.runId, i.n);
  }

  expired(graceMs: number, limit: number): ExpiredAttempt[] {
    const now = this.clock.now();
    const rows = sql(
      this.db,
      `SELECT r.*, a.token AS lease_token, a.host AS lease_host, a.lease_until AS lease_until FROM runs r JOIN attempts a ON a.run_id = r.id AND a.n = r.attempt
       WHERE r.state IN (SELECT value FROM json_each(?)) AND a.ended_at IS NULL AND a.lease_until IS NOT NULL AND a.lease_until + ? < ?
       ORDER BY a.lease_until, r.id LIMIT ?`,
    ).all(HELD_STATES, graceMs, now, limit) as (RunRow & { lease_token: string | null; lease_host: string | null; lease_until: number })[];
    return rows.map(({ lease_token, lease_host, lease_until, ...run }) => ({ run, token: lease_token, host: lease_host, expired_ms: now - lease_until }));
  }

  abandoned(items: readonly { runId: number; n: number; at: number; token?: string | null; transition: TransitionRequest }[]): Outcome<RunRow>[] {
    return eachUnit(this.db, items, (a) => {
      if (a.token !== undefined && a.token !== null) this.holds(a.runId, a.n, a.token);
      sql(this.db, `UPDATE attempts SET ended_at = COALESCE(ended_at, ?), reason = 'lost', token = NULL, lease_until = NULL WHERE run_id = ? AND n = ?`).run(a.at, a.runId, a.n);
      return this.runs.transitionInTx(a.transition);
    });
  }

  /** Refuse a report made under a token the attempt no longer has. */
  private holds(runId: number, n: number, token: string): void {
    const row = sql(this.db, 'SELECT token FROM attempts WHERE run_id = ? AND n = ?').get(runId, n) as { token: string | null } | undefined;
    if (row && row.token !== token) {
      throw new EasyTaskError('STALE', `run ${runId} attempt ${n} is no longer held by this agent (its lease ran out and the run was recovered); the report was refused`);
    }
  }

  /** The attempt's pid, and the run RUNNING. */
  private recordStart(p: StartedProcess): RunRow {
    this.holds(p.runId, p.attempt, p.token);
    this.setPid(p.runId, p.attempt, p.pid);
    return this.runs.transitionInTx({
      runId: p.runId, event: 'run.started', to: 'RUNNING',
      patch: { pid: p.pid, stdout_path: p.stdoutPath, stderr_path: p.stderrPath },
      // spawned_at: when the process started, which the event's own time (when it was recorded) follows.
      data: { pid: p.pid, stdout: p.stdoutPath, stderr: p.stderrPath, spawned_at: new Date(p.at).toISOString() },
    });
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
