// Several daemons on one PostgreSQL database: the leader holds an advisory lock on a session of its
// own and renews a lease on the database's clock; each new leader begins a term that fences the
// writes of any older one. Notifications (LISTEN) wake the daemons and agents as soon as work comes.
import type pg from 'pg';
import { backoffDelay } from './backoff.js';
import type { Clock, Timer } from '../../core/clock.js';
import type { Cluster, LeaderIdentity, Leadership, Listener, Store } from '../contract.js';
import type { DaemonRow } from '../rows.js';
import { dedicatedClient } from './connect.js';
import { DB_NOW as NOW_MS } from './migrations.js';

/** The advisory lock key of leadership (any constant both sides agree on). */
const LEADER_LOCK = 0x45_41_53_59; // "EASY"

export interface ClusterDeps {
  url: string;
  pool: pg.Pool;
  clock: Clock;
  /** The application_name this process's sessions carry, so a successor can end them when it goes stale. */
  app: string;
  fenced(term: number): Store;
}

export class PgCluster implements Cluster {
  private session: pg.Client | undefined;
  private term: number | undefined;

  constructor(private readonly d: ClusterDeps) {}

  async now(): Promise<number> {
    return (await this.d.pool.query<{ now: number }>(`SELECT ${NOW_MS} AS now`)).rows[0]!.now;
  }

  fenced(term: number): Store {
    return this.d.fenced(term);
  }

  private async connect(): Promise<pg.Client> {
    if (this.session) return this.session;
    const c = dedicatedClient(this.d.url, this.d.app);
    const lost = () => {
      if (this.session === c) {
        this.session = undefined;
        this.term = undefined; // the lock went with the session
      }
    };
    c.on('error', lost);
    c.on('end', lost);
    await c.connect();
    // A new term waits for the old leader's units in flight; never longer than this.
    await c.query(`SET lock_timeout = '5s'`);
    this.session = c;
    return c;
  }

  async campaign(me: LeaderIdentity, leaseMs: number): Promise<Leadership> {
    let s: pg.Client;
    try {
      s = await this.connect();
    } catch (err) {
      return { leader: false, reason: `cannot reach the database: ${(err as Error).message}` };
    }
    try {
      if (this.term !== undefined) return await this.renew(s, leaseMs);
      const got = (await s.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK])).rows[0]!.ok;
      if (!got) return await this.follow(s);
      return await this.begin(s, me, leaseMs);
    } catch (err) {
      // The session is in doubt: drop it (and with it the lock); the next campaign starts afresh.
      await this.drop();
      return { leader: false, reason: (err as Error).message };
    }
  }

  /** Won the lock: a new term, written on the lease row (waiting for the old leader's units in flight). */
  private async begin(s: pg.Client, me: LeaderIdentity, leaseMs: number): Promise<Leadership> {
    try {
      await s.query('BEGIN');
      const r = await s.query<{ term: number }>(
        `INSERT INTO daemon (id, pid, host, version, started_at, heartbeat_at, stopped_at, degraded, term, expires_at, app)
         VALUES (1, $1, $2, $3, ${NOW_MS}, ${NOW_MS}, NULL, NULL, 1, ${NOW_MS} + $4, $5)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, version = excluded.version,
           started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, degraded = NULL,
           term = daemon.term + 1, expires_at = excluded.expires_at, app = excluded.app
         RETURNING term`,
        [me.pid, me.host, me.version, leaseMs, this.d.app],
      );
      await s.query('COMMIT');
      this.term = r.rows[0]!.term;
      return { leader: true, term: this.term };
    } catch (err) {
      await s.query('ROLLBACK').catch(() => undefined);
      await s.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK]).catch(() => undefined);
      throw err;
    }
  }

  private async renew(s: pg.Client, leaseMs: number): Promise<Leadership> {
    const r = await s.query(`UPDATE daemon SET heartbeat_at = ${NOW_MS}, expires_at = ${NOW_MS} + $1 WHERE id = 1 AND term = $2 AND stopped_at IS NULL`, [leaseMs, this.term]);
    if (r.rowCount === 1) return { leader: true, term: this.term! };
    await this.drop();
    return { leader: false, reason: 'a newer term began' };
  }

  /** Someone else holds the lock: when its lease ran out (paused, cut off), end its sessions so the lock frees. */
  private async follow(s: pg.Client): Promise<Leadership> {
    const row = (await s.query<DaemonRow & { expires_at: number | null; app: string | null; now: number }>(`SELECT *, ${NOW_MS} AS now FROM daemon WHERE id = 1`)).rows[0];
    if (row && row.stopped_at === null && row.expires_at !== null && row.expires_at < row.now && row.app && row.app !== this.d.app) {
      await s.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [row.app]);
      return { leader: false, holder: row, reason: `the leader's lease ran out ${row.now - row.expires_at} ms ago: its sessions were ended` };
    }
    return { leader: false, ...(row ? { holder: row } : {}) };
  }

  async resign(): Promise<void> {
    const s = this.session;
    if (s && this.term !== undefined) {
      await s.query(`UPDATE daemon SET stopped_at = ${NOW_MS}, expires_at = NULL WHERE id = 1 AND term = $1`, [this.term]).catch(() => undefined);
    }
    await this.drop();
  }

  private async drop(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.term = undefined;
    await s?.end().catch(() => undefined);
  }

  listen(channels: readonly string[], wake: (channel: string) => void): Listener {
    return new PgListener(this.d, channels, wake);
  }
}

/** LISTEN on a session of its own, connected again (with backoff) whenever it drops. */
class PgListener implements Listener {
  private client: pg.Client | undefined;
  private closed = false;
  private retry: Timer | undefined;
  private failures = 0;

  constructor(
    private readonly d: ClusterDeps,
    private readonly channels: readonly string[],
    private readonly wake: (channel: string) => void,
  ) {
    void this.open();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    const c = dedicatedClient(this.d.url, `${this.d.app}:listen`);
    const lost = () => {
      if (this.client !== c && this.client !== undefined) return;
      this.client = undefined;
      void c.end().catch(() => undefined);
      this.again();
    };
    c.on('notification', (n) => this.wake(n.channel));
    try {
      await c.connect();
      for (const ch of this.channels) await c.query(`LISTEN ${ch}`);
    } catch {
      return lost();
    }
    c.on('error', lost);
    c.on('end', lost);
    if (this.closed) return void c.end().catch(() => undefined);
    this.client = c;
    this.failures = 0;
    // Anything committed while the listener was down is read now.
    for (const ch of this.channels) this.wake(ch);
  }

  private again(): void {
    if (this.closed || this.retry) return;
    this.retry = this.d.clock.after(backoffDelay(++this.failures), () => {
      this.retry = undefined;
      void this.open();
    });
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retry?.cancel();
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
