// Attempts on PostgreSQL: one row per (run, attempt number), written by the daemon as an attempt starts and ends.
import { EasyTaskError } from '../../core/errors.js';
import type { Acceptance, AttemptStore, Claim, ExpiredAttempt, LeaseState, Outcome, StartedProcess } from '../contract.js';
import type { RunState } from '../../core/states.js';
import { DB_NOW } from './migrations.js';
import type { AttemptEnd, RunRow, TransitionRequest } from '../rows.js';
import type { AttemptsInUnit, RunsInUnit } from './internal.js';
import { TERMINATE_CHANNEL, type Db, type Unit } from './unit.js';

/** The states in which an attempt is held by an agent. */
const HELD_STATES: readonly RunState[] = ['STARTED', 'RUNNING'];

export class PgAttempts implements AttemptStore, AttemptsInUnit {
  constructor(
    private readonly db: Db,
    private readonly runs: RunsInUnit,
  ) {}

  /** Each acceptance its own unit; a run another agent is accepting right now is a CONFLICT here, never a wait. */
  accept(items: readonly Acceptance[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(items, async (u, { run, host, at, token, leaseMs }) => {
      const locked = await u.one('SELECT 1 FROM runs WHERE id = $1 FOR UPDATE SKIP LOCKED', [run.id]);
      if (!locked) {
        const seen = await u.one<{ state: string }>('SELECT state FROM runs WHERE id = $1', [run.id]);
        if (!seen) throw new EasyTaskError('NOT_FOUND', `run ${run.id} does not exist`);
        throw new EasyTaskError('CONFLICT', `run ${run.id} changed meanwhile (${seen.state}, being changed by another connection)`);
      }
      return this.acceptIn(u, { run, host, at, token, leaseMs });
    });
  }

  /**
   * The queue pattern: the oldest claimable runs, each locked FOR UPDATE SKIP LOCKED so that agents
   * claiming at the same moment take different runs instead of waiting for (or fighting over) the same
   * ones; all accepted in one unit.
   */
  claim(c: Claim): Promise<{ run: RunRow; token: string }[]> {
    if (c.tokens.length === 0) return Promise.resolve([]);
    return this.db.unit(async (u) => {
      const n = c.tokens.length;
      const triggered = await u.rows<RunRow>(`SELECT * FROM runs WHERE state = 'TRIGGER' AND queue = ANY($1::text[]) ORDER BY slot, id LIMIT $2 FOR UPDATE SKIP LOCKED`, [c.queues, n]);
      const retries = triggered.length < n
        ? await u.rows<RunRow>(`SELECT * FROM runs WHERE state = 'RESTARTING' AND due_at <= $1 AND queue = ANY($2::text[]) ORDER BY slot, id LIMIT $3 FOR UPDATE SKIP LOCKED`, [c.now, c.queues, n - triggered.length])
        : [];
      const runs = [...triggered, ...retries].sort((x, y) => x.slot - y.slot || x.id - y.id);
      const out: { run: RunRow; token: string }[] = [];
      for (const [i, run] of runs.entries()) {
        const token = c.tokens[i]!;
        out.push({ run: await this.acceptIn(u, { run, host: c.host, at: c.now, token, leaseMs: c.leaseMs }), token });
      }
      return out;
    });
  }

  /** Attempt n+1 begins: the run STARTED (expecting the version read) and its attempt row, under the token. */
  private async acceptIn(u: Unit, { run, host, at, token, leaseMs }: Acceptance): Promise<RunRow> {
    const attempt = run.attempt + 1;
    const r = await this.runs.transitionIn(u, {
      runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: run.version,
      patch: { attempt, host, due_at: null, ...(run.started_at === null ? { started_at: at } : {}) },
      data: { host, attempt, max_attempts: run.max_attempts },
    });
    await this.begin(u, run.id, attempt, at, host, token, leaseMs);
    return r;
  }

  started(items: readonly StartedProcess[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(items, (u, p) => this.recordStart(u, p));
  }

  ended(e: { token: string; start?: StartedProcess; end: AttemptEnd; transition: TransitionRequest }): Promise<RunRow> {
    return this.db.unit(async (u) => {
      if (e.start) await this.recordStart(u, e.start);
      await this.end(u, e.end, e.token);
      return this.runs.transitionIn(u, e.transition);
    });
  }

  async renew(items: readonly { runId: number; n: number; token: string }[], leaseMs: number): Promise<LeaseState[]> {
    if (items.length === 0) return [];
    const renewed = await this.db.rows<{ run_id: number; n: number; terminate_requested: number | null }>(
      `UPDATE attempts a SET lease_until = ${DB_NOW} + $4 FROM unnest($1::bigint[], $2::int[], $3::text[]) AS i(run_id, n, token)
       WHERE a.run_id = i.run_id AND a.n = i.n AND a.token = i.token AND a.ended_at IS NULL RETURNING a.run_id, a.n, a.terminate_requested`,
      [items.map((i) => i.runId), items.map((i) => i.n), items.map((i) => i.token), leaseMs],
    );
    const state = new Map(renewed.map((r) => [`${r.run_id}/${r.n}`, r.terminate_requested !== null ? 'terminate' : 'held'] as const));
    return items.map((i) => state.get(`${i.runId}/${i.n}`) ?? 'gone');
  }

  requestTerminate(items: readonly { runId: number; n: number }[]): Promise<void> {
    return this.db.unit((u) => this.requestTerminateIn(u, items));
  }

  /** Ask the agents holding these attempts to kill them (they see it when they next renew; woken at once). */
  async requestTerminateIn(u: Unit, items: readonly { runId: number; n: number }[]): Promise<void> {
    if (items.length === 0) return;
    await u.count(
      `UPDATE attempts a SET terminate_requested = ${DB_NOW} FROM unnest($1::bigint[], $2::int[]) AS i(run_id, n) WHERE a.run_id = i.run_id AND a.n = i.n AND a.ended_at IS NULL`,
      [items.map((i) => i.runId), items.map((i) => i.n)],
    );
    u.notify(TERMINATE_CHANNEL);
  }

  async expired(graceMs: number, limit: number): Promise<ExpiredAttempt[]> {
    const rows = await this.db.rows<RunRow & { lease_token: string | null; lease_host: string | null; expired_ms: number }>(
      `SELECT r.*, a.token AS lease_token, a.host AS lease_host, ${DB_NOW} - a.lease_until AS expired_ms FROM runs r JOIN attempts a ON a.run_id = r.id AND a.n = r.attempt
       WHERE r.state = ANY($1::text[]) AND a.ended_at IS NULL AND a.lease_until IS NOT NULL AND a.lease_until + $2 < ${DB_NOW}
       ORDER BY a.lease_until, r.id LIMIT $3`,
      [HELD_STATES, graceMs, limit],
    );
    return rows.map(({ lease_token, lease_host, expired_ms, ...run }) => ({ run: run as RunRow, token: lease_token, host: lease_host, expired_ms }));
  }

  abandoned(items: readonly { runId: number; n: number; at: number; token?: string | null; transition: TransitionRequest }[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(items, async (u, a) => {
      if (a.token !== undefined && a.token !== null) await this.holds(u, a.runId, a.n, a.token);
      await u.count(`UPDATE attempts SET ended_at = COALESCE(ended_at, $1), reason = 'lost', token = NULL, lease_until = NULL WHERE run_id = $2 AND n = $3`, [a.at, a.runId, a.n]);
      return this.runs.transitionIn(u, a.transition);
    });
  }

  /** Refuse a report made under a token the attempt no longer has (the row is locked until the unit ends). */
  private async holds(u: Unit, runId: number, n: number, token: string): Promise<void> {
    const row = await u.one<{ token: string | null }>('SELECT token FROM attempts WHERE run_id = $1 AND n = $2 FOR UPDATE', [runId, n]);
    if (row && row.token !== token) {
      throw new EasyTaskError('STALE', `run ${runId} attempt ${n} is no longer held by this agent (its lease ran out and the run was recovered); the report was refused`);
    }
  }

  /** The attempt's pid, and the run RUNNING. */
  private async recordStart(u: Unit, p: StartedProcess): Promise<RunRow> {
    // The pid, only under the attempt's token; a report the attempt no longer holds is refused.
    const set = await u.count('UPDATE attempts SET pid = $1 WHERE run_id = $2 AND n = $3 AND token IS NOT DISTINCT FROM $4', [p.pid, p.runId, p.attempt, p.token]);
    if (set === 0) await this.holds(u, p.runId, p.attempt, p.token);
    return this.runs.transitionIn(u, {
      runId: p.runId, event: 'run.started', to: 'RUNNING',
      patch: { pid: p.pid, stdout_path: p.stdoutPath, stderr_path: p.stderrPath },
      // spawned_at: when the process started, which the event's own time (when it was recorded) follows.
      data: { pid: p.pid, stdout: p.stdoutPath, stderr: p.stderrPath, spawned_at: new Date(p.at).toISOString() },
    });
  }

  /** Attempt `n` of a run was accepted at `at`: a re-accepted attempt starts its row again from scratch. */
  private async begin(u: Unit, runId: number, n: number, at: number, host: string, token: string, leaseMs: number): Promise<void> {
    await u.count(
      `INSERT INTO attempts (run_id, n, started_at, host, token, lease_until) VALUES ($1, $2, $3, $4, $5, ${DB_NOW} + $6)
       ON CONFLICT (run_id, n) DO UPDATE SET started_at = EXCLUDED.started_at, pid = DEFAULT, ended_at = DEFAULT, duration_ms = DEFAULT,
         exit_code = DEFAULT, signal = DEFAULT, reason = DEFAULT, stdout_bytes = DEFAULT, stderr_bytes = DEFAULT, output_error = DEFAULT,
         host = EXCLUDED.host, token = EXCLUDED.token, lease_until = EXCLUDED.lease_until`,
      [runId, n, at, host, token, leaseMs],
    );
  }

  /** How it ended; the run carries its last attempt's lost output too, so runs and show can say so. */
  private async end(u: Unit, e: AttemptEnd, token: string): Promise<void> {
    // The attempt's row (under its token) and the run's lost output, in one statement.
    const done = await u.one(
      `WITH a AS (
         UPDATE attempts SET ended_at = $1, duration_ms = $2, exit_code = $3, signal = $4, reason = $5, stdout_bytes = $6, stderr_bytes = $7, output_error = $8
         WHERE run_id = $9 AND n = $10 AND token IS NOT DISTINCT FROM $11 RETURNING run_id)
       UPDATE runs SET output_error = $8 WHERE id = (SELECT run_id FROM a) RETURNING id`,
      [e.endedAt, e.durationMs, e.exitCode, e.signal, e.reason, e.stdoutBytes, e.stderrBytes, e.outputError, e.runId, e.n, token],
    );
    if (done) return;
    await this.holds(u, e.runId, e.n, token); // STALE when the attempt has another token
    await u.count('UPDATE runs SET output_error = $1 WHERE id = $2', [e.outputError, e.runId]);
  }

  /** When attempt `n` of a run was accepted (epoch ms), or null when it has no row. */
  async startedAt(runId: number, n: number): Promise<number | null> {
    return (await this.db.one<{ started_at: number | null }>('SELECT started_at FROM attempts WHERE run_id = $1 AND n = $2', [runId, n]))?.started_at ?? null;
  }
}
