// One unit of work on PostgreSQL: a transaction whose events get their seq at its very end. The seq
// comes from a one-row counter locked until commit, so seq order is commit order: a reader that asks
// for `seq > N` never misses an event that commits later with a smaller seq. Serialization failures
// and deadlocks are tried again.
import type pg from 'pg';
import { isDefinitionEventType, type NewEvent } from '../../core/events.js';
import { EasyTaskError } from '../../core/errors.js';
import type { Outcome } from '../contract.js';
import { checkOut } from './connect.js';

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
/** A run became claimable (triggered, or retrying): agents look for work. */
export const WORK_CHANNEL = 'easytask_work';
/** A definition changed: every daemon and agent reads the definitions again. */
export const DEFINITIONS_CHANNEL = 'easytask_definitions';
/** An agent moved a run (accepted, started, ended): the leader's cycles and queued runs may move on. */
export const RUNS_CHANNEL = 'easytask_runs';

/** Who needs to hear of an event at once, beside the followers of the log. */
function channelOf(type: string): string | undefined {
  if (type === 'run.triggered' || type === 'run.retrying') return WORK_CHANNEL;
  if (isDefinitionEventType(type)) return DEFINITIONS_CHANNEL;
  if (type.startsWith('run.') && type !== 'run.output' && type !== 'run.created') return RUNS_CHANNEL;
  return undefined;
}

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

  /**
   * Before COMMIT: number and insert the events in one statement (those whose key is there already
   * are left out and get no seq), and say what to notify at the commit.
   */
  async flush(): Promise<string[]> {
    const fresh = new Map<string, Pending>();
    for (const p of this.pending) if (!fresh.has(p.e.key)) fresh.set(p.e.key, p);
    const list = [...fresh.values()];
    const channels = [...this.notices];
    if (list.length > 0) {
      const rows = list.map(({ e }, i) => ({
        i, key: e.key, type: e.type, time: e.time, instance: e.instance, run_id: e.run_id ?? null, attempt: e.attempt ?? null,
        task: e.task ?? null, task_id: e.task_id ?? null, group_name: e.group ?? null, group_run_id: e.group_run_id ?? null, data: e.data,
      }));
      const inserted = await this.rows<{ seq: number; key: string }>(FLUSH_EVENTS, [JSON.stringify(rows)]);
      const byKey = new Map(inserted.map((r) => [r.key, r.seq]));
      for (const p of list) p.handle.seq = byKey.get(p.e.key);
      if (inserted.length) channels.push(EVENTS_CHANNEL);
      for (const p of list) {
        const c = p.handle.seq !== undefined ? channelOf(p.e.type) : undefined;
        if (c && !channels.includes(c)) channels.push(c);
      }
    }
    return channels;
  }
}

/**
 * The events of a unit, numbered from the counter in their order (the counter row stays locked to
 * the commit, so seq order is commit order) and inserted; keys already stored are left out.
 */
const FLUSH_EVENTS = `
  WITH given AS (
    SELECT e.* FROM json_to_recordset($1::json) AS e(i int, key text, type text, time bigint, instance text, run_id bigint, attempt int,
      task text, task_id bigint, group_name text, group_run_id bigint, data json)
    WHERE NOT EXISTS (SELECT 1 FROM events x WHERE x.key = e.key)
  ),
  counted AS (SELECT count(*)::bigint AS n FROM given),
  counter AS (UPDATE event_counter SET seq = seq + (SELECT n FROM counted) WHERE id = 1 AND (SELECT n FROM counted) > 0 RETURNING seq)
  INSERT INTO events (seq, key, type, time, instance, run_id, attempt, task, task_id, group_name, group_run_id, data)
  SELECT (SELECT seq FROM counter) - (SELECT n FROM counted) + row_number() OVER (ORDER BY g.i), g.key, g.type, g.time, g.instance, g.run_id, g.attempt,
    g.task, g.task_id, g.group_name, g.group_run_id, g.data
  FROM given g
  ON CONFLICT (key) DO NOTHING
  RETURNING seq, key`;

/** COMMIT, with the notifications of the unit in the same round trip (they are delivered at the commit). */
function commitText(channels: readonly string[]): string {
  return [...channels.map((c) => `NOTIFY ${c}`), 'COMMIT'].join('; ');
}

/**
 * BEGIN; for a leader's unit, also check that its term is still the current one. The shared lock on
 * the lease row lasts to the commit, so a new leader's term begins only after the old leader's units
 * in flight end. One round trip (the term is a number of ours, written into the text).
 */
async function begin(client: pg.PoolClient, term: number | undefined): Promise<void> {
  if (term === undefined) {
    await client.query('BEGIN');
    return;
  }
  const results = (await client.query(`BEGIN; SELECT term FROM daemon WHERE id = 1 FOR SHARE`)) as unknown as pg.QueryResult<{ term: number }>[];
  const now = results[1]?.rows[0]?.term;
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
      const held = await checkOut(this.pool);
      const client = held.client;
      let broken: Error | undefined;
      try {
        await begin(client, this.fence);
        const u = new Unit(client);
        const v = await fn(u);
        await client.query(commitText(await u.flush()));
        return v;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        if (attempt < MAX_TRIES && RETRIED.has(sqlState(err) ?? '')) continue;
        throw err;
      } finally {
        held.release(broken);
      }
    }
  }

  /** Each item its own unit (a savepoint) inside one transaction: one commit for the lot. */
  eachUnit<I, T>(items: readonly I[], fn: (u: Unit, item: I) => Promise<T>): Promise<Outcome<T>[]> {
    if (items.length === 0) return Promise.resolve([]);
    // One item needs no savepoint: the unit is its own (a refusal rolls it back whole).
    if (items.length === 1) {
      return this.unit((u) => fn(u, items[0]!)).then(
        (value): Outcome<T>[] => [{ ok: true, value }],
        (error: unknown): Outcome<T>[] => {
          if (!itemRefusal(error)) throw error;
          return [{ ok: false, error: error as Error }];
        },
      );
    }
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
