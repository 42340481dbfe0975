// Runs on PostgreSQL: one row per (task, fire instant); every state change goes through transitionIn().
import type { Clock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import { checkTransition, FINAL_STATES, LIVE_STATES, OUTCOME_STATES, PENDING_STATES, RUN_STATES, UNFINISHED_STATES, type RunState } from '../../core/states.js';
import type { DueRun, FinalTotal, LatestRun, Outcome, RunStore, WaitingCounts } from '../contract.js';
import { runScope, type NewRun, type RunListQuery, type RunRow, type TransitionRequest } from '../rows.js';
import type { GroupRunsInUnit, RunsInUnit } from './internal.js';
import type { Db, Unit } from './unit.js';

/** Runs that never reached TRIGGER: `logs <task>` prefers any other. */
const NEVER_TRIGGERED: readonly RunState[] = ['ACTIVE', 'FROZEN', 'SKIPPED', 'REJECTED'];

const PATCHABLE = new Set<string>([
  'reason', 'attempt', 'exit_code', 'pid', 'host', 'stdout_path', 'stderr_path', 'due_at', 'triggered_at', 'started_at', 'ended_at',
]);

type ModifyStatus = Parameters<RunStore['modifyStatus']>[0];

/** The states `req` may move a run from, as the transition table has it. */
function allowedFrom(req: TransitionRequest): RunState[] {
  return RUN_STATES.filter((s) => checkTransition(req.event, s, req.to).ok);
}

/** The states of a run whose attempt is under way (the live-runs gauge). */
const ATTEMPT_UNDER_WAY: RunState[] = ['STARTED', 'RUNNING'];

export class PgRuns implements RunStore, RunsInUnit {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** The group runs, for modify-status reopening a cycle in the same unit. */
    private readonly groupRuns: () => GroupRunsInUnit,
  ) {}

  get(id: number): Promise<RunRow | undefined> {
    return this.db.one<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
  }

  create(r: NewRun): Promise<RunRow | undefined> {
    return this.db.unit((u) => this.createIn(u, r));
  }

  /** Create the run for a slot with run.created; undefined when the slot already has a run (a slot never runs twice). */
  async createIn(u: Unit, r: NewRun): Promise<RunRow | undefined> {
    const now = this.clock.now();
    const run = await u.one<RunRow>(
      `INSERT INTO runs (task_id, task_name, instance, slot, origin, state, max_attempts, queue, business_date, group_run_id, created_at)
       VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $7, $8, $9, $10)
       ON CONFLICT (task_id, instance, slot) DO NOTHING RETURNING *`,
      [r.task_id, r.task_name, r.instance, r.slot, r.origin ?? 'schedule', r.max_attempts, r.queue, r.business_date ?? null, r.group_run_id ?? null, now],
    );
    if (!run) return undefined;
    u.event({
      key: `run:${run.id}:v0`,
      type: 'run.created',
      time: now,
      instance: run.instance,
      run_id: run.id,
      attempt: 0,
      task: run.task_name,
      task_id: run.task_id,
      group_run_id: run.group_run_id,
      data: { to: 'ACTIVE', slot: new Date(run.slot).toISOString(), origin: run.origin },
    });
    return run;
  }

  transition(req: TransitionRequest): Promise<RunRow> {
    return this.db.unit((u) => this.transitionIn(u, req));
  }

  transitionEach(reqs: readonly TransitionRequest[]): Promise<Outcome<RunRow>[]> {
    return this.db.eachUnit(reqs, (u, r) => this.transitionIn(u, r));
  }

  force(r: NewRun, trigger: Pick<TransitionRequest, 'patch' | 'data'>): Promise<RunRow> {
    return this.db.unit((u) => this.forceIn(u, r, trigger));
  }

  async forceIn(u: Unit, r: NewRun, trigger: Pick<TransitionRequest, 'patch' | 'data'>): Promise<RunRow> {
    let slot = r.slot;
    let run: RunRow | undefined;
    // A slot is unique per task: two forced runs in the same millisecond take the next one.
    while (!(run = await this.createIn(u, { ...r, slot }))) slot++;
    return this.transitionIn(u, { runId: run.id, event: 'run.triggered', to: 'TRIGGER', ...trigger });
  }

  /** One transition, read-modify-write under the run's row lock, with its event. */
  /**
   * One transition in one statement: the row locked, checked (the states the table allows it from, the
   * version expected) and changed together. Only a refusal costs a second read, to say why.
   */
  async transitionIn(u: Unit, req: TransitionRequest): Promise<RunRow> {
    const patch = req.patch ?? {};
    const params: unknown[] = [req.to, req.runId, allowedFrom(req), req.expectVersion ?? null];
    const sets = ['state = $1', 'version = r.version + 1'];
    for (const [k, v] of Object.entries(patch)) {
      if (!PATCHABLE.has(k)) throw new EasyTaskError('INTERNAL', `run column ${k} cannot be patched`);
      params.push(v ?? null);
      sets.push(`${k} = $${params.length}`);
    }
    const next = await u.one<RunRow & { from_state: RunState }>(
      `WITH old AS (SELECT id, state, version FROM runs WHERE id = $2 FOR UPDATE)
       UPDATE runs r SET ${sets.join(', ')} FROM old
       WHERE r.id = old.id AND old.state = ANY($3::text[]) AND ($4::int IS NULL OR old.version = $4)
       RETURNING r.*, old.state AS from_state`,
      params,
    );
    if (!next) throw await this.refusal(u, req);
    const { from_state: from, ...run } = next;
    u.event({
      key: `run:${run.id}:v${run.version}`,
      type: req.event,
      time: this.clock.now(),
      ...runScope(run),
      data: { from, to: req.to, ...(patch.reason != null ? { reason: patch.reason } : {}), ...req.data },
    });
    return run;
  }

  /** Why a transition was refused: the run is gone, moved on, or in a state the table does not allow it from. */
  private async refusal(u: Unit, req: TransitionRequest): Promise<EasyTaskError> {
    const run = await u.one<RunRow>('SELECT * FROM runs WHERE id = $1', [req.runId]);
    if (!run) return new EasyTaskError('NOT_FOUND', `run ${req.runId} does not exist`);
    if (req.expectVersion !== undefined && run.version !== req.expectVersion) return new EasyTaskError('CONFLICT', `run ${run.id} changed meanwhile (now ${run.state})`);
    const check = checkTransition(req.event, run.state, req.to);
    return new EasyTaskError('ILLEGAL_TRANSITION', `run ${run.id} (${run.task_name}) is ${run.state}: ${check.ok ? 'refused' : check.message}`);
  }

  /** Skip a task's runs that have not started (its definition went away or went idle); `data` goes into each run.skipped. */
  async skipPendingIn(u: Unit, task: string, instance: string, reason: 'deleted' | 'disabled', data: Record<string, unknown>): Promise<RunRow[]> {
    const pending = await u.rows<{ id: number }>('SELECT id FROM runs WHERE task_name = $1 AND instance = $2 AND state = ANY($3::text[]) ORDER BY id', [task, instance, PENDING_STATES]);
    const out: RunRow[] = [];
    for (const r of pending) out.push(await this.transitionIn(u, { runId: r.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason, ended_at: this.clock.now() }, data }));
    return out;
  }

  /** A run history page, newest first. taskId/groupId match the tid/gid, task/group the name; instance the run's instance. */
  list(q: RunListQuery = {}): Promise<RunRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(cond.replace('?', `$${params.length}`));
    };
    if (q.groupRun !== undefined) add('group_run_id = ?', q.groupRun);
    if (q.group !== undefined) add('group_run_id IN (SELECT id FROM group_runs WHERE group_name = ?)', q.group);
    if (q.groupId !== undefined) add('group_run_id IN (SELECT id FROM group_runs WHERE gid = ?)', q.groupId);
    if (q.task !== undefined) add('task_name = ?', q.task);
    if (q.taskId !== undefined) add('task_id = ?', q.taskId);
    if (q.instance !== undefined) add('instance = ?', q.instance);
    if (q.state !== undefined) add('state = ?', q.state);
    if (q.sinceSlot !== undefined) add('slot >= ?', q.sinceSlot);
    params.push(q.limit ?? 1000);
    return this.db.rows<RunRow>(`SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY slot DESC, id DESC LIMIT $${params.length}`, params);
  }

  latestForTask(task: string, instance: string): Promise<RunRow | undefined> {
    return this.db.one<RunRow>('SELECT * FROM runs WHERE task_name = $1 AND instance = $2 ORDER BY slot DESC, id DESC LIMIT 1', [task, instance]);
  }

  /** latestForTask of each task with its attempt's start, in one query, in the order asked. */
  async latestOfTasks(tasks: readonly { task: string; instance: string }[]): Promise<(LatestRun | undefined)[]> {
    const out: (LatestRun | undefined)[] = tasks.map(() => undefined);
    if (tasks.length === 0) return out;
    const rows = await this.db.rows<RunRow & { asked_ord: number; attempt_started_at: number | null }>(
      `SELECT r.*, t.ord AS asked_ord, a.started_at AS attempt_started_at
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(task, inst, ord)
       CROSS JOIN LATERAL (SELECT * FROM runs WHERE task_name = t.task AND instance = t.inst ORDER BY slot DESC, id DESC LIMIT 1) r
       LEFT JOIN attempts a ON r.attempt > 0 AND a.run_id = r.id AND a.n = r.attempt
       ORDER BY t.ord`,
      [tasks.map((t) => t.task), tasks.map((t) => t.instance)],
    );
    for (const { asked_ord, attempt_started_at, ...run } of rows) out[asked_ord - 1] = { run, attemptStartedAt: attempt_started_at ?? null };
    return out;
  }

  /**
   * How long an ended run's last attempt ran (its process, spawn to exit, as the agent measured it);
   * null while the run is live or when no process ran.
   */
  async lastAttemptMs(run: Pick<RunRow, 'id' | 'attempt' | 'ended_at'>): Promise<number | null> {
    if (run.ended_at === null || run.attempt < 1) return null;
    const row = await this.db.one<{ duration_ms: number | null }>('SELECT duration_ms FROM attempts WHERE run_id = $1 AND n = $2', [run.id, run.attempt]);
    return row?.duration_ms == null ? null : Math.round(row.duration_ms);
  }

  previousFinal(run: Pick<RunRow, 'id' | 'task_name' | 'instance'>): Promise<RunRow | undefined> {
    return this.db.one<RunRow>('SELECT * FROM runs WHERE task_name = $1 AND instance = $2 AND id < $3 AND state = ANY($4::text[]) ORDER BY id DESC LIMIT 1', [
      run.task_name, run.instance, run.id, OUTCOME_STATES,
    ]);
  }

  async lastAttemptOutput(run: Pick<RunRow, 'id' | 'attempt'>): Promise<{ stdout_bytes: number; stderr_bytes: number } | null> {
    if (run.attempt < 1) return null;
    const row = await this.db.one<{ stdout_bytes: number; stderr_bytes: number }>(
      'SELECT stdout_bytes, stderr_bytes FROM attempts WHERE run_id = $1 AND n = $2 AND ended_at IS NOT NULL',
      [run.id, run.attempt],
    );
    return row ? { stdout_bytes: Number(row.stdout_bytes), stderr_bytes: Number(row.stderr_bytes) } : null;
  }

  /** The run `logs <task>` means: the latest that got as far as TRIGGER, else the latest of any kind. */
  latestShown(task: string, instance?: string): Promise<RunRow | undefined> {
    const params: unknown[] = [task, NEVER_TRIGGERED];
    if (instance !== undefined) params.push(instance);
    return this.db.one<RunRow>(
      `SELECT * FROM runs WHERE task_name = $1 ${instance === undefined ? '' : 'AND instance = $3'}
       ORDER BY (state = ANY($2::text[])), slot DESC, id DESC LIMIT 1`,
      params,
    );
  }

  async countsSince(since: number): Promise<{ firstRunId: number; counts: { state: RunState; n: number }[] }> {
    const ids = (await this.db.one<{ first: number | null; last: number | null }>(
      'SELECT (SELECT MIN(id) FROM runs WHERE created_at >= $1) AS first, (SELECT MAX(id) FROM runs) AS last',
      [since],
    ))!;
    const firstRunId = ids.first ?? (ids.last ?? 0) + 1;
    const counts = await this.db.rows<{ state: RunState; n: number }>('SELECT state, COUNT(*) AS n FROM runs WHERE id >= $1 GROUP BY state ORDER BY state COLLATE "C"', [firstRunId]);
    return { firstRunId, counts };
  }

  async finalTotals(): Promise<FinalTotal[]> {
    const rows = await this.db.rows<FinalTotal>(
      'SELECT task_name AS task, instance, state, COUNT(*)::int AS n, MAX(ended_at) AS last_ended FROM runs WHERE state = ANY($1::text[]) GROUP BY task_name, instance, state ORDER BY task_name COLLATE "C", instance COLLATE "C", state COLLATE "C"',
      [FINAL_STATES],
    );
    return rows.map((r) => ({ ...r, last_ended: r.last_ended === null ? null : Number(r.last_ended) }));
  }

  async waiting(now: number): Promise<WaitingCounts> {
    return (await this.db.one<WaitingCounts>(
      `SELECT (SELECT COUNT(*)::int FROM runs WHERE state = 'TRIGGER') AS "trigger", (SELECT COUNT(*)::int FROM runs WHERE state = 'ACTIVE' AND slot <= $1) AS due,
        (SELECT COUNT(*)::int FROM runs WHERE state = ANY($2)) AS live`,
      [now, ATTEMPT_UNDER_WAY],
    ))!;
  }

  /** Each instance that has runs of task id `tid`, with the task name of its latest run there. */
  namesOfTaskId(tid: number): Promise<{ instance: string; name: string }[]> {
    return this.db.rows('SELECT instance, task_name AS name FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE task_id = $1 GROUP BY instance) ORDER BY instance COLLATE "C"', [tid]);
  }

  async instancesOfTask(task: string): Promise<string[]> {
    return (await this.db.rows<{ instance: string }>('SELECT instance FROM runs WHERE task_name = $1 GROUP BY instance ORDER BY instance COLLATE "C"', [task])).map((r) => r.instance);
  }

  /** TRIGGER runs, and RESTARTING runs whose retry is due, on these queues, oldest slot first (two ordered scans). */
  async claimable(queues: readonly string[], now: number, limit: number): Promise<RunRow[]> {
    // One round trip: the two ordered index scans, merged.
    return this.db.rows<RunRow>(
      `SELECT * FROM ((SELECT * FROM runs WHERE state = 'TRIGGER' AND queue = ANY($1::text[]) ORDER BY slot, id LIMIT $3)
         UNION ALL (SELECT * FROM runs WHERE state = 'RESTARTING' AND due_at <= $2 AND queue = ANY($1::text[]) ORDER BY slot, id LIMIT $3)) c
       ORDER BY slot, id LIMIT $3`,
      [queues, now, limit],
    );
  }

  async lastScheduledSlot(tid: number, instance: string): Promise<number | undefined> {
    const r = await this.db.one<{ s: number | null }>(`SELECT MAX(slot) AS s FROM runs WHERE task_id = $1 AND instance = $2 AND origin = 'schedule'`, [tid, instance]);
    return r?.s ?? undefined;
  }

  async dueActive(now: number): Promise<DueRun[]> {
    return this.db.rows<DueRun>(
      `SELECT r.*,
         EXISTS (SELECT 1 FROM frozen_dates f WHERE f.task_name = r.task_name AND f.instance = r.instance AND f.date = r.business_date) AS frozen,
         (SELECT jsonb_build_object('id', s.id, 'origin', s.origin, 'slot', s.slot, 'created_at', s.created_at) FROM runs s
           WHERE s.task_id = r.task_id AND s.instance = r.instance AND s.id <> r.id AND s.state = ANY($2::text[]) ORDER BY s.slot, s.id LIMIT 1) AS live_sibling
       FROM runs r WHERE r.state = 'ACTIVE' AND r.group_run_id IS NULL AND r.slot <= $1 ORDER BY r.slot, r.id`,
      [now, LIVE_STATES],
    );
  }

  ofGroupRun(groupRunId: number): Promise<RunRow[]> {
    return this.db.rows<RunRow>('SELECT * FROM runs WHERE group_run_id = $1 ORDER BY id', [groupRunId]);
  }

  modifyStatus(req: ModifyStatus): Promise<RunRow> {
    return this.db.unit((u) => this.modifyStatusIn(u, req));
  }

  async modifyStatusIn(u: Unit, req: ModifyStatus): Promise<RunRow> {
    const run = await this.transitionIn(u, { runId: req.runId, event: 'run.status_modified', to: req.to, expectVersion: req.expectVersion, data: { by: 'modify-status', ...req.data } });
    const rel = req.release;
    if (rel) {
      if (rel.reopen) await this.groupRuns().transitionIn(u, rel.groupRunId, 'group_run.reopened', 'RUNNING', { ended_at: null }, { released: rel.runs });
      for (const id of rel.runs) await this.transitionIn(u, { runId: id, event: 'run.released', to: 'ACTIVE', patch: { reason: null, ended_at: null }, data: { by: 'modify-status', ...req.data } });
    }
    return run;
  }

  async nextRetryOn(queues: readonly string[]): Promise<number | undefined> {
    const r = await this.db.one<{ d: number | null }>(`SELECT MIN(due_at) AS d FROM runs WHERE state = 'RESTARTING' AND queue = ANY($1::text[])`, [queues]);
    return r?.d ?? undefined;
  }

  expiredTriggers(now: number): Promise<RunRow[]> {
    return this.db.rows<RunRow>(`SELECT * FROM runs WHERE state = 'TRIGGER' AND due_at <= $1 ORDER BY due_at, id`, [now]);
  }

  async nextTriggerExpiry(): Promise<number | undefined> {
    return (await this.db.one<{ d: number | null }>(`SELECT MIN(due_at) AS d FROM runs WHERE state = 'TRIGGER'`))?.d ?? undefined;
  }

  liveOf(task: { tid: number; instance: string }): Promise<RunRow[]> {
    return this.db.rows<RunRow>('SELECT * FROM runs WHERE task_id = $1 AND instance = $2 AND state = ANY($3::text[]) ORDER BY id', [task.tid, task.instance, UNFINISHED_STATES]);
  }

  inStates(states: readonly RunState[]): Promise<RunRow[]> {
    return this.db.rows<RunRow>('SELECT * FROM runs WHERE state = ANY($1::text[]) ORDER BY slot, id', [states]);
  }
}
