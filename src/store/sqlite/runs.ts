// Runs: one row per (task, fire instant); every state change goes through transition().
import { sql, sqlList } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import { checkTransition, FINAL_STATES, LIVE_STATES, OUTCOME_STATES, PENDING_STATES, UNFINISHED_STATES, type RunState } from '../../core/states.js';
import type { DueRun, FinalTotal, LatestRun, Outcome, RunStore, WaitingCounts } from '../contract.js';
import { runScope, type NewRun, type RunListQuery, type RunRow, type TransitionRequest } from '../rows.js';
import type { EventLog } from './events.js';
import type { GroupRuns } from './group-runs.js';
import type { Sync } from './promised.js';
import { eachUnit, tx } from './tx.js';

const PENDING_SQL = sqlList(PENDING_STATES);
const UNFINISHED_SQL = sqlList(UNFINISHED_STATES);
const LIVE_SQL = sqlList(LIVE_STATES);

/** Runs that never reached TRIGGER: `logs <task>` prefers any other. */
const OUTCOME_SQL = sqlList(OUTCOME_STATES);
const NEVER_TRIGGERED_SQL = sqlList(['ACTIVE', 'FROZEN', 'SKIPPED', 'REJECTED'] satisfies RunState[]);

const PATCHABLE = new Set<string>([
  'reason', 'attempt', 'exit_code', 'pid', 'host', 'stdout_path', 'stderr_path', 'due_at', 'triggered_at', 'started_at', 'ended_at',
]);

export class Runs implements Sync<RunStore> {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly clock: Clock,
    /** The group runs, for modify-status reopening a cycle in the same unit. */
    private readonly groupRuns: () => GroupRuns,
  ) {}

  get(id: number): RunRow | undefined {
    return sql(this.db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  }

  /**
   * Create the run for a slot and append run.created, in one transaction.
   * Returns undefined when the slot already has a run: a slot can never run twice.
   */
  create(r: NewRun): RunRow | undefined {
    return tx(this.db, () => {
      const now = this.clock.now();
      const res = sql(this.db, 
          `INSERT INTO runs (task_id, task_name, instance, slot, origin, state, max_attempts, queue, business_date, group_run_id, created_at)
           VALUES (?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?)
           ON CONFLICT (task_id, instance, slot) DO NOTHING`,
        )
        .run(r.task_id, r.task_name, r.instance, r.slot, r.origin ?? 'schedule', r.max_attempts, r.queue, r.business_date ?? null, r.group_run_id ?? null, now);
      if (res.changes === 0) return undefined;
      const run = this.get(Number(res.lastInsertRowid))!;
      this.events.append({
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
    });
  }

  /** Apply one transition: the new state and its event are written in the same transaction. */
  transition(req: TransitionRequest): RunRow {
    return tx(this.db, () => this.transitionInTx(req));
  }

  transitionEach(reqs: readonly TransitionRequest[]): Outcome<RunRow>[] {
    return eachUnit(this.db, reqs, (r) => this.transitionInTx(r));
  }

  force(r: NewRun, trigger: Pick<TransitionRequest, 'patch' | 'data'>): RunRow {
    return tx(this.db, () => {
      let slot = r.slot;
      let run: RunRow | undefined;
      // A slot is unique per task: two forced runs in the same millisecond take the next one.
      while (!(run = this.create({ ...r, slot }))) slot++;
      return this.transitionInTx({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', ...trigger });
    });
  }

  /** The body of transition(), for callers already inside a transaction. */
  transitionInTx(req: TransitionRequest): RunRow {
    const run = this.get(req.runId);
    if (!run) throw new EasyTaskError('NOT_FOUND', `run ${req.runId} does not exist`);
    if (req.expectVersion !== undefined && run.version !== req.expectVersion) {
      throw new EasyTaskError('CONFLICT', `run ${run.id} changed meanwhile (now ${run.state})`);
    }
    const check = checkTransition(req.event, run.state, req.to);
    if (!check.ok) {
      throw new EasyTaskError('ILLEGAL_TRANSITION', `run ${run.id} (${run.task_name}) is ${run.state}: ${check.message}`);
    }
    const patch = req.patch ?? {};
    const sets = ['state = @state', 'version = version + 1'];
    for (const k of Object.keys(patch)) {
      if (!PATCHABLE.has(k)) throw new EasyTaskError('INTERNAL', `run column ${k} cannot be patched`);
      sets.push(`${k} = @${k}`);
    }
    sql(this.db, `UPDATE runs SET ${sets.join(', ')} WHERE id = @id`).run({ ...patch, state: req.to, id: run.id });
    const next = { ...run, ...patch, state: req.to, version: run.version + 1 } as RunRow;
    this.events.append({
      key: `run:${run.id}:v${next.version}`,
      type: req.event,
      time: this.clock.now(),
      ...runScope(next),
      data: { from: run.state, to: req.to, ...(patch.reason != null ? { reason: patch.reason } : {}), ...req.data },
    });
    return next;
  }

  /**
   * Skip a task's runs that have not started (its definition went away or went idle), inside a
   * transaction; `data` goes into each run.skipped event. Returns the runs as skipped.
   */
  skipPending(task: string, instance: string, reason: 'deleted' | 'disabled', data: Record<string, unknown> = {}): RunRow[] {
    const pending = sql(this.db, `SELECT id FROM runs WHERE task_name = ? AND instance = ? AND state IN (${PENDING_SQL}) ORDER BY id`)
      .all(task, instance) as { id: number }[];
    return pending.map((r) => this.transitionInTx({ runId: r.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason, ended_at: this.clock.now() }, data }));
  }

  /** A run history page, newest first. taskId/groupId match the tid/gid, task/group the name; instance the run's instance. */
  list(q: RunListQuery = {}): RunRow[] {
    const where: string[] = [];
    const p: Record<string, unknown> = {};
    if (q.groupRun !== undefined) (where.push('group_run_id = @groupRun'), (p.groupRun = q.groupRun));
    if (q.group !== undefined) (where.push('group_run_id IN (SELECT id FROM group_runs WHERE group_name = @group)'), (p.group = q.group));
    if (q.groupId !== undefined) (where.push('group_run_id IN (SELECT id FROM group_runs WHERE gid = @groupId)'), (p.groupId = q.groupId));
    if (q.task !== undefined) (where.push('task_name = @task'), (p.task = q.task));
    if (q.taskId !== undefined) (where.push('task_id = @taskId'), (p.taskId = q.taskId));
    if (q.instance !== undefined) (where.push('instance = @instance'), (p.instance = q.instance));
    if (q.state !== undefined) (where.push('state = @state'), (p.state = q.state));
    if (q.sinceSlot !== undefined) (where.push('slot >= @since'), (p.since = q.sinceSlot));
    p.limit = q.limit ?? 1000;
    const text = `SELECT * FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY slot DESC, id DESC LIMIT @limit`;
    return sql(this.db, text).all(p) as RunRow[];
  }

  latestForTask(task: string, instance: string): RunRow | undefined {
    return sql(this.db, 'SELECT * FROM runs WHERE task_name = ? AND instance = ? ORDER BY slot DESC, id DESC LIMIT 1')
      .get(task, instance) as RunRow | undefined;
  }

  latestOfTasks(tasks: readonly { task: string; instance: string }[]): (LatestRun | undefined)[] {
    return tasks.map(({ task, instance }) => {
      const run = this.latestForTask(task, instance);
      if (!run) return undefined;
      const attempt = run.attempt > 0 ? (sql(this.db, 'SELECT started_at FROM attempts WHERE run_id = ? AND n = ?').get(run.id, run.attempt) as { started_at: number } | undefined) : undefined;
      return { run, attemptStartedAt: attempt?.started_at ?? null };
    });
  }

  /**
   * How long an ended run's last attempt ran (its process, spawn to exit, as the agent measured it);
   * null while the run is live or when no process ran. Not ended_at - started_at: a run's started_at
   * is when its first attempt was accepted, so that span also counts the wait before the spawn,
   * earlier attempts and their retry delays.
   */
  lastAttemptMs(run: Pick<RunRow, 'id' | 'attempt' | 'ended_at'>): number | null {
    if (run.ended_at === null || run.attempt < 1) return null;
    const row = sql(this.db, 'SELECT duration_ms FROM attempts WHERE run_id = ? AND n = ?').get(run.id, run.attempt) as { duration_ms: number | null } | undefined;
    return row?.duration_ms == null ? null : Math.round(row.duration_ms);
  }

  previousFinal(run: Pick<RunRow, 'id' | 'task_name' | 'instance'>): RunRow | undefined {
    return sql(this.db, `SELECT * FROM runs WHERE task_name = ? AND instance = ? AND id < ? AND state IN (${OUTCOME_SQL}) ORDER BY id DESC LIMIT 1`)
      .get(run.task_name, run.instance, run.id) as RunRow | undefined;
  }

  lastAttemptOutput(run: Pick<RunRow, 'id' | 'attempt'>): { stdout_bytes: number; stderr_bytes: number } | null {
    if (run.attempt < 1) return null;
    const row = sql(this.db, 'SELECT stdout_bytes, stderr_bytes FROM attempts WHERE run_id = ? AND n = ? AND ended_at IS NOT NULL').get(run.id, run.attempt) as
      | { stdout_bytes: number; stderr_bytes: number }
      | undefined;
    return row ? { stdout_bytes: Number(row.stdout_bytes), stderr_bytes: Number(row.stderr_bytes) } : null;
  }

  /**
   * The run `logs <task>` means: the latest that got as far as TRIGGER, else the latest of any kind.
   * Without `instance`, in any instance.
   */
  latestShown(task: string, instance?: string): RunRow | undefined {
    const text = `SELECT * FROM runs WHERE task_name = ? ${instance === undefined ? '' : 'AND instance = ?'}
       ORDER BY (state IN (${NEVER_TRIGGERED_SQL})), slot DESC, id DESC LIMIT 1`;
    return sql(this.db, text).get(...(instance === undefined ? [task] : [task, instance])) as RunRow | undefined;
  }

  /** Counts by state of the runs created since `since`, and the first such run's id (the next id when none). */
  countsSince(since: number): { firstRunId: number; counts: { state: RunState; n: number }[] } {
    const first = sql(this.db, 'SELECT MIN(id) AS id FROM runs WHERE created_at >= ?').get(since) as { id: number | null };
    const last = sql(this.db, 'SELECT MAX(id) AS id FROM runs').get() as { id: number | null };
    const firstRunId = first.id ?? (last.id ?? 0) + 1;
    const counts = sql(this.db, 'SELECT state, COUNT(*) AS n FROM runs WHERE id >= ? GROUP BY state').all(firstRunId) as { state: RunState; n: number }[];
    return { firstRunId, counts };
  }

  finalTotals(): FinalTotal[] {
    return sql(this.db, `SELECT task_name AS task, instance, state, COUNT(*) AS n, MAX(ended_at) AS last_ended FROM runs WHERE state IN (${FINAL_STATES.map(() => '?').join(', ')}) GROUP BY task_name, instance, state ORDER BY task_name, instance, state`)
      .all(...FINAL_STATES) as FinalTotal[];
  }

  waiting(now: number): WaitingCounts {
    return sql(this.db, `SELECT (SELECT COUNT(*) FROM runs WHERE state = 'TRIGGER') AS "trigger", (SELECT COUNT(*) FROM runs WHERE state = 'ACTIVE' AND slot <= ?) AS due,
      (SELECT COUNT(*) FROM runs WHERE state = 'STARTED') + (SELECT COUNT(*) FROM runs WHERE state = 'RUNNING') AS live`).get(now) as WaitingCounts;
  }

  /** Each instance that has runs of task id `tid`, with the task name of its latest run there. */
  namesOfTaskId(tid: number): { instance: string; name: string }[] {
    return sql(this.db, 'SELECT instance, task_name AS name FROM runs WHERE id IN (SELECT MAX(id) FROM runs WHERE task_id = ? GROUP BY instance) ORDER BY instance').all(tid) as {
      instance: string;
      name: string;
    }[];
  }

  /** The instances that have runs of a task named `task`. */
  instancesOfTask(task: string): string[] {
    return (sql(this.db, 'SELECT DISTINCT instance FROM runs WHERE task_name = ?').all(task) as { instance: string }[]).map((r) => r.instance);
  }

  /**
   * TRIGGER runs, and RESTARTING runs whose retry is due, on these queues, oldest slot first: two
   * ordered scans of runs_by_state_slot rather than one OR that would sort every TRIGGER run.
   */
  claimable(queues: readonly string[], now: number, limit: number): RunRow[] {
    const list = JSON.stringify(queues);
    const triggered = sql(this.db, `SELECT * FROM runs WHERE state = 'TRIGGER' AND queue IN (SELECT value FROM json_each(?)) ORDER BY slot, id LIMIT ?`).all(list, limit) as RunRow[];
    const retries = sql(this.db, `SELECT * FROM runs WHERE state = 'RESTARTING' AND due_at <= ? AND queue IN (SELECT value FROM json_each(?)) ORDER BY slot, id LIMIT ?`).all(now, list, limit) as RunRow[];
    if (retries.length === 0) return triggered;
    return [...triggered, ...retries].sort((x, y) => x.slot - y.slot || x.id - y.id).slice(0, limit);
  }

  lastScheduledSlot(tid: number, instance: string): number | undefined {
    const r = sql(this.db, `SELECT MAX(slot) AS s FROM runs WHERE task_id = ? AND instance = ? AND origin = 'schedule'`).get(tid, instance) as { s: number | null };
    return r.s ?? undefined;
  }

  dueActive(now: number): DueRun[] {
    const rows = sql(
      this.db,
      `SELECT r.*,
         EXISTS (SELECT 1 FROM frozen_dates f WHERE f.task_name = r.task_name AND f.instance = r.instance AND f.date = r.business_date) AS frozen,
         (SELECT json_object('id', s.id, 'origin', s.origin, 'slot', s.slot, 'created_at', s.created_at) FROM runs s
           WHERE s.task_id = r.task_id AND s.instance = r.instance AND s.id <> r.id AND s.state IN (${LIVE_SQL}) LIMIT 1) AS live_sibling
       FROM runs r WHERE r.state = 'ACTIVE' AND r.group_run_id IS NULL AND r.slot <= ? ORDER BY r.slot, r.id`,
    ).all(now) as (RunRow & { frozen: number; live_sibling: string | null })[];
    return rows.map((r) => ({ ...r, frozen: r.frozen === 1, live_sibling: r.live_sibling === null ? null : JSON.parse(r.live_sibling) }));
  }

  ofGroupRun(groupRunId: number): RunRow[] {
    return sql(this.db, 'SELECT * FROM runs WHERE group_run_id = ? ORDER BY id').all(groupRunId) as RunRow[];
  }

  modifyStatus(req: Parameters<RunStore['modifyStatus']>[0]): RunRow {
    return tx(this.db, () => {
      const run = this.transitionInTx({ runId: req.runId, event: 'run.status_modified', to: req.to, expectVersion: req.expectVersion, data: { by: 'modify-status', ...req.data } });
      const rel = req.release;
      if (rel) {
        if (rel.reopen) this.groupRuns().transition(rel.groupRunId, 'group_run.reopened', 'RUNNING', { ended_at: null }, { released: rel.runs });
        for (const id of rel.runs) this.transitionInTx({ runId: id, event: 'run.released', to: 'ACTIVE', patch: { reason: null, ended_at: null }, data: { by: 'modify-status', ...req.data } });
      }
      return run;
    });
  }

  /** The earliest retry due on these queues, if any. */
  nextRetryOn(queues: readonly string[]): number | undefined {
    const r = sql(this.db, `SELECT MIN(due_at) AS d FROM runs WHERE state = 'RESTARTING' AND queue IN (SELECT value FROM json_each(?))`).get(JSON.stringify(queues)) as { d: number | null };
    return r.d ?? undefined;
  }

  /** TRIGGER runs whose accept expiry has passed at `now`. */
  expiredTriggers(now: number): RunRow[] {
    return sql(this.db, `SELECT * FROM runs WHERE state = 'TRIGGER' AND due_at <= ?`).all(now) as RunRow[];
  }

  /** The earliest accept expiry of a TRIGGER run, if any. */
  nextTriggerExpiry(): number | undefined {
    return (sql(this.db, `SELECT MIN(due_at) AS d FROM runs WHERE state = 'TRIGGER'`).get() as { d: number | null }).d ?? undefined;
  }

  /** A task's runs that are not final yet, oldest first. */
  liveOf(task: { tid: number; instance: string }): RunRow[] {
    return sql(this.db, `SELECT * FROM runs WHERE task_id = ? AND instance = ? AND state IN (${UNFINISHED_SQL}) ORDER BY id`).all(task.tid, task.instance) as RunRow[];
  }

  inStates(states: readonly RunState[]): RunRow[] {
    const marks = states.map(() => '?').join(',');
    return sql(this.db, `SELECT * FROM runs WHERE state IN (${marks}) ORDER BY slot, id`).all(...states) as RunRow[];
  }
}
