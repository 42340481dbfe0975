// Runs: one row per (task, fire instant); every state change goes through transition().
import { sql, sqlList } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import { checkTransition, PENDING_STATES, UNFINISHED_STATES, type RunReason, type RunState, type TransitionEvent } from '../core/states.js';
import { runScope, type EventLog } from './events.js';

export type RunOrigin = 'schedule' | 'force' | 'group';

export interface RunRow {
  id: number;
  task_id: number;
  task_name: string;
  instance: string;
  slot: number;
  origin: RunOrigin;
  state: RunState;
  reason: RunReason | null;
  attempt: number;
  max_attempts: number;
  exit_code: number | null;
  pid: number | null;
  host: string | null;
  queue: string;
  group_run_id: number | null;
  business_date: string | null;
  stdout_path: string | null;
  stderr_path: string | null;
  /** RESTARTING: when the next attempt is due. TRIGGER: when the run expires unaccepted. */
  due_at: number | null;
  created_at: number;
  triggered_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  version: number;
  /** JSON list of the last attempt's output streams that could not be written in full (see attempt-verdict.ts OutputError); null when none. */
  output_error?: string | null;
}

export interface NewRun {
  task_id: number;
  task_name: string;
  instance: string;
  slot: number;
  origin?: RunOrigin;
  max_attempts: number;
  queue: string;
  business_date?: string;
  group_run_id?: number;
}

/** Columns a transition may set beside the state. */
export type RunPatch = Partial<
  Pick<RunRow, 'reason' | 'attempt' | 'exit_code' | 'pid' | 'host' | 'stdout_path' | 'stderr_path' | 'due_at' | 'triggered_at' | 'started_at' | 'ended_at'>
>;

export interface TransitionRequest {
  runId: number;
  event: TransitionEvent;
  to: RunState;
  patch?: RunPatch;
  /** Extra event data (pid, exit code, duration, error, …). */
  data?: Record<string, unknown>;
  /** Refuse when the run moved on since it was read (optimistic concurrency). */
  expectVersion?: number;
}

const PENDING_SQL = sqlList(PENDING_STATES);
const UNFINISHED_SQL = sqlList(UNFINISHED_STATES);

/** Runs that never reached TRIGGER: `logs <task>` prefers any other. */
const NEVER_TRIGGERED_SQL = sqlList(['ACTIVE', 'FROZEN', 'SKIPPED', 'REJECTED'] satisfies RunState[]);

const PATCHABLE = new Set<string>([
  'reason', 'attempt', 'exit_code', 'pid', 'host', 'stdout_path', 'stderr_path', 'due_at', 'triggered_at', 'started_at', 'ended_at',
]);

export class Runs {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  get(id: number): RunRow | undefined {
    return sql(this.db, 'SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
  }

  /**
   * Create the run for a slot and append run.created, in one transaction.
   * Returns undefined when the slot already has a run: a slot can never run twice.
   */
  create(r: NewRun): RunRow | undefined {
    return this.db.transaction(() => {
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
    }).immediate();
  }

  /** Apply one transition: the new state and its event are written in the same transaction. */
  transition(req: TransitionRequest): RunRow {
    return this.db.transaction(() => this.transitionInTx(req)).immediate();
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
  list(q: { task?: string; taskId?: number; instance?: string; state?: RunState; sinceSlot?: number; group?: string; groupId?: number; groupRun?: number; limit?: number } = {}): RunRow[] {
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

  /** TRIGGER runs on these queues, oldest slot first (an ordered scan of runs_by_state_slot). */
  triggeredOn(queues: readonly string[], limit: number): RunRow[] {
    return sql(this.db, `SELECT * FROM runs WHERE state = 'TRIGGER' AND queue IN (SELECT value FROM json_each(?)) ORDER BY slot, id LIMIT ?`).all(JSON.stringify(queues), limit) as RunRow[];
  }

  /** RESTARTING runs on these queues whose retry is due at `now`, oldest slot first. */
  retriesDueOn(queues: readonly string[], now: number, limit: number): RunRow[] {
    return sql(this.db, `SELECT * FROM runs WHERE state = 'RESTARTING' AND due_at <= ? AND queue IN (SELECT value FROM json_each(?)) ORDER BY slot, id LIMIT ?`).all(
      now,
      JSON.stringify(queues),
      limit,
    ) as RunRow[];
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
