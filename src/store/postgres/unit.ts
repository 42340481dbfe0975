// One unit of work on PostgreSQL: a transaction whose events get their seq at its very end. The seq
// comes from a one-row counter locked until commit, so seq order is commit order: a reader that asks
// for `seq > N` never misses an event that commits later with a smaller seq. Serialization failures
// and deadlocks are tried again.
import type pg from 'pg';
import type { NewEvent } from '../../core/events.js';
import { EasyTaskError } from '../../core/errors.js';
import type { Outcome } from '../contract.js';

/** The seq an appended event got once its unit committed (undefined: an event with its key was there). */
export interface EventHandle {
  seq: number | undefined;
}

interface Pending {
  e: NewEvent;
  handle: EventHandle;
}

/** The channel every commit that appended events notifies, with the last seq as payload. */
export const EVENTS_CHANNEL = 'easytask_events';
/** The channel a new control request notifies. */
export const COMMANDS_CHANNEL = 'easytask_commands';
/** The channel a terminate asked of an agent's attempt notifies (agents renew their leases at once). */
export const TERMINATE_CHANNEL = 'easytask_terminate';

export class Unit {
  private pending: Pending[] = [];
  private depth = 0;
  private readonly notices = new Set<string>();

  constructor(readonly client: pg.PoolClient) {}

  async rows<R>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.client.query(text, params)).rows as R[];
  }

  async one<R>(text: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.client.query(text, params)).rows[0] as R | undefined;
  }

  async count(text: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(text, params)).rowCount ?? 0;
  }

  /** Append an event when the unit commits; its seq is on the handle afterwards. */
  event(e: NewEvent): EventHandle {
    const handle: EventHandle = { seq: undefined };
    this.pending.push({ e, handle });
    return handle;
  }

  /** NOTIFY `channel` when the unit commits. */
  notify(channel: string): void {
    this.notices.add(channel);
  }

  /** fn as a savepoint: a refusal rolls back fn's writes (and events) alone and reaches the caller. */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    const name = `u${++this.depth}`;
    const mark = this.pending.length;
    await this.client.query(`SAVEPOINT ${name}`);
    try {
      const v = await fn();
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return v;
    } catch (err) {
      await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      this.pending.length = mark;
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Before COMMIT: number and insert the events, and queue the notifications. */
  async flush(): Promise<void> {
    const fresh = new Map<string, Pending>();
    for (const p of this.pending) if (!fresh.has(p.e.key)) fresh.set(p.e.key, p);
    if (fresh.size > 0) {
      const existing = await this.rows<{ key: string }>('SELECT key FROM events WHERE key = ANY($1::text[])', [[...fresh.keys()]]);
      for (const { key } of existing) fresh.delete(key);
    }
    const list = [...fresh.values()];
    if (list.length > 0) {
      const top = (await this.one<{ seq: number }>('UPDATE event_counter SET seq = seq + $1 WHERE id = 1 RETURNING seq', [list.length]))!.seq;
      const first = top - list.length + 1;
      const rows = list.map(({ e }, i) => ({
        seq: first + i, key: e.key, type: e.type, time: e.time, instance: e.instance, run_id: e.run_id ?? null, attempt: e.attempt ?? null,
        task: e.task ?? null, task_id: e.task_id ?? null, group_name: e.group ?? null, group_run_id: e.group_run_id ?? null, data: e.data,
      }));
      const inserted = await this.rows<{ seq: number; key: string }>(
        'INSERT INTO events SELECT * FROM json_populate_recordset(NULL::events, $1::json) ON CONFLICT (key) DO NOTHING RETURNING seq, key',
        [JSON.stringify(rows)],
      );
      const byKey = new Map(inserted.map((r) => [r.key, r.seq]));
      for (const p of list) p.handle.seq = byKey.get(p.e.key);
      if (inserted.length) await this.client.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, String(top)]);
    }
    for (const channel of this.notices) await this.client.query('SELECT pg_notify($1, $2)', [channel, '']);
  }
}

/**
 * A leader's unit goes ahead only while its term is the current one. The shared lock on the lease row
 * lasts to the commit, so a new leader's term begins only after the old leader's units in flight end.
 */
async function checkFence(client: pg.PoolClient, term: number): Promise<void> {
  const r = await client.query<{ term: number }>('SELECT term FROM daemon WHERE id = 1 FOR SHARE');
  const now = r.rows[0]?.term;
  if (now !== term) throw new EasyTaskError('FENCED', `this daemon led in term ${term}, and term ${now ?? '?'} has begun since: it writes nothing more as the leader`);
}

/** SQLSTATEs after which the whole unit is tried again: serialization failure, deadlock. */
const RETRIED = new Set(['40001', '40P01']);
const MAX_TRIES = 5;

export const sqlState = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

/** A refusal that belongs to one item of a batch (the others go on): the program's own, or an integrity constraint. */
const itemRefusal = (err: unknown): boolean => err instanceof EasyTaskError || sqlState(err)?.startsWith('23') === true;

export class Db {
  constructor(
    readonly pool: pg.Pool,
    /** The leader term every unit checks first (a shared lock on the lease row), when this is a leader's view. */
    private readonly fence?: number,
  ) {}

  /** The same database as the leader of `term` writes it. */
  fencedBy(term: number): Db {
    return new Db(this.pool, term);
  }

  /** Run fn in one transaction; its events are numbered and written just before the commit. */
  async unit<T>(fn: (u: Unit) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        if (this.fence !== undefined) await checkFence(client, this.fence);
        const u = new Unit(client);
        const v = await fn(u);
        await u.flush();
        await client.query('COMMIT');
        return v;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (attempt < MAX_TRIES && RETRIED.has(sqlState(err) ?? '')) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  /** Each item its own unit (a savepoint) inside one transaction: one commit for the lot. */
  eachUnit<I, T>(items: readonly I[], fn: (u: Unit, item: I) => Promise<T>): Promise<Outcome<T>[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.unit(async (u) => {
      const out: Outcome<T>[] = [];
      for (const item of items) {
        try {
          out.push({ ok: true, value: await u.savepoint(() => fn(u, item)) });
        } catch (error) {
          if (!itemRefusal(error)) throw error;
          out.push({ ok: false, error: error as Error });
        }
      }
      return out;
    });
  }

  async rows<R>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query(text, params)).rows as R[];
  }

  async one<R>(text: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.pool.query(text, params)).rows[0] as R | undefined;
  }
}
