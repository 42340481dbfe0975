// The event log on PostgreSQL: appended through a unit (numbered at its commit), read by seq.
import type { EventType, NewEvent, StoredEvent } from '../../core/events.js';
import type { EventStore } from '../contract.js';
import type { EventQuery } from '../rows.js';
import type { Db, Unit } from './unit.js';

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
  data: Record<string, unknown>;
}

export function toEvent(r: EventRow): StoredEvent {
  return {
    seq: r.seq, key: r.key, type: r.type as EventType, time: r.time, instance: r.instance, run_id: r.run_id, attempt: r.attempt,
    task: r.task, task_id: r.task_id, group: r.group_name, group_run_id: r.group_run_id, data: r.data,
  };
}

export class PgEvents implements EventStore {
  constructor(private readonly db: Db) {}

  async append(e: NewEvent): Promise<number | undefined> {
    const h = await this.db.unit(async (u: Unit) => u.event(e));
    return h.seq;
  }

  async appendAll(events: readonly NewEvent[]): Promise<(number | undefined)[]> {
    const hs = await this.db.unit(async (u) => events.map((e) => u.event(e)));
    return hs.map((h) => h.seq);
  }

  async list(q: EventQuery = {}): Promise<StoredEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
    if (q.sinceTime !== undefined) add('time >= ?', q.sinceTime);
    if (q.task !== undefined) add('task = ?', q.task);
    if (q.taskId !== undefined) add('task_id = ?', q.taskId);
    if (q.instance !== undefined) add('instance = ?', q.instance);
    if (q.runId !== undefined) add('run_id = ?', q.runId);
    if (q.types !== undefined) add('type = ANY(?::text[])', q.types);
    let limit = '';
    if (q.limit !== undefined) {
      params.push(Math.max(0, Math.floor(q.limit)));
      limit = `LIMIT $${params.length}`;
    }
    const rows = await this.db.rows<EventRow>(`SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq ${limit}`, params);
    return rows.map(toEvent);
  }

  async lastSeq(): Promise<number> {
    return (await this.db.one<{ s: number | null }>('SELECT MAX(seq) AS s FROM events'))?.s ?? 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM events WHERE key = $1', [key])) !== undefined;
  }

  async countSince(types: readonly string[], since: number): Promise<Record<string, number>> {
    const rows = await this.db.rows<{ type: string; n: number }>('SELECT type, COUNT(*)::bigint AS n FROM events WHERE type = ANY($1::text[]) AND time >= $2 GROUP BY type', [types, since]);
    const out: Record<string, number> = {};
    for (const t of types) out[t] = 0;
    for (const r of rows) out[r.type] = r.n;
    return out;
  }

  async namesOfTaskId(tid: number): Promise<{ instance: string; name: string }[]> {
    return this.db.rows('SELECT instance, task AS name FROM events WHERE seq IN (SELECT MAX(seq) FROM events WHERE task_id = $1 GROUP BY instance) ORDER BY instance', [tid]);
  }

  async instancesOfTask(task: string): Promise<string[]> {
    return (await this.db.rows<{ instance: string }>('SELECT DISTINCT instance FROM events WHERE task = $1', [task])).map((r) => r.instance);
  }
}
