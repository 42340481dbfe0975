// The event log: append with a natural key (a re-append is a no-op) and read by sequence.
import { sql, sqlList } from './statements.js';
import type { Database, Statement } from 'better-sqlite3';
import type { EventType, NewEvent, StoredEvent } from '../core/events.js';

interface EventRow {
  seq: number;
  key: string;
  type: string;
  time: number;
  instance: string;
  run_id: number | null;
  attempt: number | null;
  task: string | null;
  task_id: number | null;
  group_name: string | null;
  group_run_id: number | null;
  data: string;
}

export interface EventQuery {
  afterSeq?: number;
  sinceTime?: number;
  task?: string;
  taskId?: number;
  instance?: string;
  runId?: number;
  limit?: number;
}

/** The fields every event about a run carries: instance, run, attempt, task and group cycle. */
export function runScope(run: { id: number; instance: string; attempt: number; task_name: string; task_id: number; group_run_id: number | null }) {
  return { instance: run.instance, run_id: run.id, attempt: run.attempt, task: run.task_name, task_id: run.task_id, group_run_id: run.group_run_id };
}

/** The event types that end a run. */
export const RUN_END_TYPES: readonly EventType[] = ['run.succeeded', 'run.failed', 'run.terminated', 'run.rejected'];
const RUN_END_SQL = sqlList(RUN_END_TYPES);

export class EventLog {
  private readonly insert: Statement;
  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      // SELECT … WHERE NOT EXISTS rather than ON CONFLICT: a skipped duplicate must not use up a seq.
      `INSERT INTO events (key, type, time, instance, run_id, attempt, task, task_id, group_name, group_run_id, data)
       SELECT @key, @type, @time, @instance, @run_id, @attempt, @task, @task_id, @group, @group_run_id, @data
       WHERE NOT EXISTS (SELECT 1 FROM events WHERE key = @key)`,
    );
  }

  /** Append one event; returns its seq, or undefined when an event with this key already exists. */
  append(e: NewEvent): number | undefined {
    const r = this.insert.run({
      key: e.key,
      type: e.type,
      time: e.time,
      instance: e.instance,
      run_id: e.run_id ?? null,
      attempt: e.attempt ?? null,
      task: e.task ?? null,
      task_id: e.task_id ?? null,
      group: e.group ?? null,
      group_run_id: e.group_run_id ?? null,
      data: JSON.stringify(e.data),
    });
    return r.changes === 1 ? Number(r.lastInsertRowid) : undefined;
  }

  list(q: EventQuery = {}): StoredEvent[] {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (q.afterSeq !== undefined) (where.push('seq > @after'), (params.after = q.afterSeq));
    if (q.sinceTime !== undefined) (where.push('time >= @since'), (params.since = q.sinceTime));
    if (q.task !== undefined) (where.push('task = @task'), (params.task = q.task));
    if (q.taskId !== undefined) (where.push('task_id = @taskId'), (params.taskId = q.taskId));
    if (q.instance !== undefined) (where.push('instance = @instance'), (params.instance = q.instance));
    if (q.runId !== undefined) (where.push('run_id = @run'), (params.run = q.runId));
    params.limit = q.limit === undefined ? -1 : Math.max(0, Math.floor(q.limit));
    const text = `SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT @limit`;
    return (sql(this.db, text).all(params) as EventRow[]).map(toEvent);
  }

  /** Is there a task.* or group.* event (a definition change) after `seq`? */
  definitionChangedAfter(seq: number): boolean {
    return sql(this.db, `SELECT 1 FROM events WHERE seq > ? AND (type LIKE 'task.%' OR type LIKE 'group.%') LIMIT 1`).get(seq) !== undefined;
  }

  /** Is there an event with this natural key? */
  has(key: string): boolean {
    return sql(this.db, 'SELECT 1 FROM events WHERE key = ?').get(key) !== undefined;
  }

  /** The events that ended a run (succeeded, failed, terminated, rejected) after `seq`, in seq order. */
  runEndsAfter(seq: number): { seq: number; run_id: number }[] {
    return sql(this.db, `SELECT seq, run_id FROM events WHERE seq > ? AND type IN (${RUN_END_SQL}) AND run_id IS NOT NULL ORDER BY seq`).all(seq) as {
      seq: number;
      run_id: number;
    }[];
  }

  /** Each instance whose events name task id `tid`, with the task name of its latest such event. */
  namesOfTaskId(tid: number): { instance: string; name: string }[] {
    return sql(this.db, 'SELECT instance, task AS name FROM events WHERE seq IN (SELECT MAX(seq) FROM events WHERE task_id = ? GROUP BY instance) ORDER BY instance').all(tid) as {
      instance: string;
      name: string;
    }[];
  }

  /** The instances whose events name a task called `task`. */
  instancesOfTask(task: string): string[] {
    return (sql(this.db, 'SELECT DISTINCT instance FROM events WHERE task = ?').all(task) as { instance: string }[]).map((r) => r.instance);
  }

  lastSeq(): number {
    const r = sql(this.db, 'SELECT MAX(seq) AS s FROM events').get() as { s: number | null };
    return r.s ?? 0;
  }
}

function toEvent(r: EventRow): StoredEvent {
  return {
    seq: r.seq,
    key: r.key,
    type: r.type as EventType,
    time: r.time,
    instance: r.instance,
    run_id: r.run_id,
    attempt: r.attempt,
    task: r.task,
    task_id: r.task_id,
    group: r.group_name,
    group_run_id: r.group_run_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}
