// The event log: append with a natural key (a re-append is a no-op) and read by sequence.
import { sql } from './statements.js';
import type { Database, Statement } from 'better-sqlite3';
import type { EventType, NewEvent, StoredEvent } from '../../core/events.js';
import type { EventStore } from '../contract.js';
import type { EventQuery } from '../rows.js';
import type { Sync } from './promised.js';
import { tx } from './tx.js';

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


export class EventLog implements Sync<EventStore> {
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

  appendAll(events: readonly NewEvent[]): (number | undefined)[] {
    return tx(this.db, () => events.map((e) => this.append(e)));
  }

  countSince(types: readonly string[], since: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of types) out[t] = (sql(this.db, 'SELECT COUNT(*) AS n FROM events WHERE type = ? AND time >= ?').get(t, since) as { n: number }).n;
    return out;
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
    if (q.types !== undefined) (where.push('type IN (SELECT value FROM json_each(@types))'), (params.types = JSON.stringify(q.types)));
    params.limit = q.limit === undefined ? -1 : Math.max(0, Math.floor(q.limit));
    const text = `SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq LIMIT @limit`;
    return (sql(this.db, text).all(params) as EventRow[]).map(toEvent);
  }

  /** Is there an event with this natural key? */
  has(key: string): boolean {
    return sql(this.db, 'SELECT 1 FROM events WHERE key = ?').get(key) !== undefined;
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
