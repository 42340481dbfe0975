// Connecting the PostgreSQL driver through node-postgres: a pool for the operations, BIGINT epoch
// milliseconds and ids read as numbers, and a connection pooler in transaction mode refused.
import pg from 'pg';
import { EasyTaskError } from '../../core/errors.js';
import { redactUrl as redact } from '../../core/redact-url.js';

// int8: ids and epoch milliseconds stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export { redact };

export interface PoolOptions {
  /** Connections in the pool (default 8). */
  max?: number;
  /** How long a statement waits for a row lock before it fails (the busy timeout's counterpart), ms. */
  lockTimeoutMs?: number;
  /** The application_name of the sessions (default "easytask"). */
  app?: string;
}

export function makePool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 8,
    application_name: opts.app ?? 'easytask',
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    // Session settings by SET rather than the `options` start-up parameter, which poolers refuse. The
    // pool awaits this before it hands the new client out, so nothing else is ever queued beside it.
    onConnect: async (client: pg.ClientBase) => {
      await client.query(`SET lock_timeout = ${Number(opts.lockTimeoutMs ?? 5000)}; SET idle_in_transaction_session_timeout = 60000`);
    },
  });
  // An idle client whose server went away: the pool drops it; the next operation connects afresh.
  pool.on('error', () => undefined);
  return pool;
}

/** A connection of its own (LISTEN, the leader lock), outside the pool. */
export function dedicatedClient(url: string, app = 'easytask'): pg.Client {
  const c = new pg.Client({ connectionString: url, application_name: app, connectionTimeoutMillis: 5000, keepAlive: true });
  c.on('error', () => undefined);
  return c;
}

/**
 * A pooler in transaction mode (PgBouncer's pool_mode=transaction) hands each statement to any server
 * session: session state (LISTEN, advisory locks, SET) is lost between statements, and one client's
 * state shows in another's. The driver needs sessions of its own, so it checks, on two connections
 * open at once, that each keeps its session and sees nothing of the other's, and refuses otherwise.
 */
export async function checkSession(pool: pg.Pool, url: string): Promise<void> {
  const ca = await checkOut(pool);
  const cb = await checkOut(pool);
  const [a, b] = [ca.client, cb.client];
  try {
    const token = `probe-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await a.query(`SELECT set_config('easytask.session_probe', $1, false)`, [token]);
    const read = async (c: pg.PoolClient) =>
      (await c.query<{ pid: number; probe: string | null }>(`SELECT pg_backend_pid() AS pid, current_setting('easytask.session_probe', true) AS probe`)).rows[0]!;
    const seenByB = await read(b);
    const pidsA = new Set<number>();
    let kept = true;
    for (let i = 0; i < 3; i++) {
      const r = await read(a);
      pidsA.add(r.pid);
      if (r.probe !== token) kept = false;
    }
    if (seenByB.probe === token || pidsA.has(seenByB.pid) || pidsA.size > 1 || !kept) {
      throw new EasyTaskError(
        'STORE',
        `${redact(url)} does not keep a session between statements (a connection pooler in transaction mode, such as PgBouncer with pool_mode=transaction?); EasyTask needs session state (LISTEN, advisory locks): connect to PostgreSQL directly or through a pooler in session mode`,
      );
    }
    await a.query(`SELECT set_config('easytask.session_probe', '', false)`);
  } finally {
    ca.release();
    cb.release();
  }
}

export interface CheckedOut {
  client: pg.PoolClient;
  /** Back to the pool; a connection that failed (or that the server dropped meanwhile) is closed instead. */
  release(failed?: Error): void;
}

/**
 * A pooled connection for a while. The pool listens for errors only on idle connections: a server
 * that goes away while a connection is checked out but between queries would raise an unhandled
 * 'error' and end the process. Here the error is kept instead; the next query fails on its own, and
 * the release drops the connection.
 */
export async function checkOut(pool: pg.Pool): Promise<CheckedOut> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost ??= err;
  };
  client.on('error', onError);
  return {
    client,
    release: (failed) => {
      client.removeListener('error', onError);
      client.release(failed ?? lost);
    },
  };
}
