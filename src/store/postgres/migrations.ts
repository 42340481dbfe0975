// The PostgreSQL schema, in versions; each applied once, in its own transaction, under an advisory
// lock so that two hosts starting together never apply the same step twice.
import type pg from 'pg';
import { checkOut } from './connect.js';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'definitions, runs, group runs, attempts with leases, events numbered by a counter, commands, the daemon lease, frozen dates, cursors',
    sql: `
      CREATE TABLE definitions (
        id         BIGSERIAL PRIMARY KEY,
        kind       TEXT    NOT NULL CHECK (kind IN ('task', 'group')),
        ext_id     BIGINT  NOT NULL,
        name       TEXT    NOT NULL,
        instance   TEXT    NOT NULL,
        active     BOOLEAN NOT NULL,
        group_name TEXT,
        body       TEXT    NOT NULL,
        version    INTEGER NOT NULL DEFAULT 1,
        created_at BIGINT  NOT NULL,
        updated_at BIGINT  NOT NULL,
        UNIQUE (instance, name),
        UNIQUE (kind, instance, ext_id)
      );
      CREATE TABLE runs (
        id            BIGSERIAL PRIMARY KEY,
        task_id       BIGINT  NOT NULL,
        task_name     TEXT    NOT NULL,
        instance      TEXT    NOT NULL,
        slot          BIGINT  NOT NULL,
        origin        TEXT    NOT NULL DEFAULT 'schedule',
        state         TEXT    NOT NULL,
        reason        TEXT,
        attempt       INTEGER NOT NULL DEFAULT 0,
        max_attempts  INTEGER NOT NULL DEFAULT 1,
        exit_code     INTEGER,
        pid           INTEGER,
        host          TEXT,
        queue         TEXT    NOT NULL DEFAULT 'localhost',
        group_run_id  BIGINT,
        business_date TEXT,
        stdout_path   TEXT,
        stderr_path   TEXT,
        due_at        BIGINT,
        created_at    BIGINT  NOT NULL,
        triggered_at  BIGINT,
        started_at    BIGINT,
        ended_at      BIGINT,
        version       INTEGER NOT NULL DEFAULT 0,
        output_error  TEXT,
        UNIQUE (task_id, instance, slot)
      );
      CREATE INDEX runs_by_state_slot ON runs (state, slot, id);
      CREATE INDEX runs_by_task ON runs (task_name, slot);
      CREATE INDEX runs_by_slot ON runs (slot);
      CREATE INDEX runs_by_end ON runs (ended_at);
      CREATE INDEX runs_by_group_run ON runs (group_run_id);
      CREATE INDEX runs_by_state_due ON runs (state, due_at);
      CREATE TABLE group_runs (
        id            BIGSERIAL PRIMARY KEY,
        gid           BIGINT  NOT NULL,
        group_name    TEXT    NOT NULL,
        instance      TEXT    NOT NULL,
        slot          BIGINT  NOT NULL,
        origin        TEXT    NOT NULL DEFAULT 'schedule',
        state         TEXT    NOT NULL,
        reason        TEXT,
        business_date TEXT,
        created_at    BIGINT  NOT NULL,
        started_at    BIGINT,
        ended_at      BIGINT,
        version       INTEGER NOT NULL DEFAULT 0,
        UNIQUE (gid, instance, slot)
      );
      CREATE INDEX group_runs_by_state ON group_runs (state);
      CREATE INDEX group_runs_by_date ON group_runs (group_name, instance, business_date);
      CREATE TABLE attempts (
        run_id       BIGINT  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        n            INTEGER NOT NULL,
        pid          INTEGER,
        started_at   BIGINT,
        ended_at     BIGINT,
        duration_ms  DOUBLE PRECISION,
        exit_code    INTEGER,
        signal       TEXT,
        reason       TEXT,
        stdout_bytes BIGINT  NOT NULL DEFAULT 0,
        stderr_bytes BIGINT  NOT NULL DEFAULT 0,
        output_error TEXT,
        PRIMARY KEY (run_id, n)
      );
      CREATE TABLE event_counter (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        seq BIGINT  NOT NULL
      );
      INSERT INTO event_counter (id, seq) VALUES (1, 0);
      CREATE TABLE events (
        seq          BIGINT PRIMARY KEY,
        key          TEXT   NOT NULL UNIQUE,
        type         TEXT   NOT NULL,
        time         BIGINT NOT NULL,
        instance     TEXT   NOT NULL,
        run_id       BIGINT,
        attempt      INTEGER,
        task         TEXT,
        task_id      BIGINT,
        group_name   TEXT,
        group_run_id BIGINT,
        data         JSON   NOT NULL
      );
      CREATE INDEX events_by_time ON events (time);
      CREATE INDEX events_by_task ON events (task, seq);
      CREATE INDEX events_by_run ON events (run_id, seq);
      CREATE INDEX events_by_type ON events (type, seq);
      CREATE TABLE commands (
        id         BIGSERIAL PRIMARY KEY,
        kind       TEXT   NOT NULL,
        target     TEXT,
        args       TEXT   NOT NULL DEFAULT '{}',
        created_at BIGINT NOT NULL,
        acked_at   BIGINT,
        ok         INTEGER,
        message    TEXT,
        result     TEXT
      );
      CREATE INDEX commands_pending ON commands (acked_at, id);
      CREATE TABLE daemon (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        pid          INTEGER NOT NULL,
        host         TEXT    NOT NULL,
        version      TEXT    NOT NULL,
        started_at   BIGINT  NOT NULL,
        heartbeat_at BIGINT  NOT NULL,
        stopped_at   BIGINT,
        degraded     TEXT
      );
      CREATE TABLE frozen_dates (
        task_name TEXT NOT NULL,
        instance  TEXT NOT NULL,
        date      TEXT NOT NULL,
        PRIMARY KEY (task_name, instance, date)
      );
      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      INSERT INTO kv (key, value) VALUES ('effects:definitions', '0');
    `,
  },
  {
    version: 2,
    description: 'the daemon row is the leader lease: a term that fences a stale leader, its expiry on the database clock, and the sessions to end when it goes stale',
    sql: `
      ALTER TABLE daemon ADD COLUMN term BIGINT NOT NULL DEFAULT 0;
      ALTER TABLE daemon ADD COLUMN expires_at BIGINT;
      ALTER TABLE daemon ADD COLUMN app TEXT;
    `,
  },
  {
    version: 3,
    description: 'agents and their heartbeats; each attempt held by its agent under a token and a lease on the database clock',
    sql: `
      CREATE TABLE agents (
        host         TEXT    NOT NULL,
        pid          INTEGER NOT NULL,
        kind         TEXT    NOT NULL,
        queues       TEXT    NOT NULL,
        version      TEXT    NOT NULL,
        started_at   BIGINT  NOT NULL,
        heartbeat_at BIGINT  NOT NULL,
        stopped_at   BIGINT,
        live_runs    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (host, pid)
      );
      ALTER TABLE attempts ADD COLUMN host TEXT;
      ALTER TABLE attempts ADD COLUMN token TEXT;
      ALTER TABLE attempts ADD COLUMN lease_until BIGINT;
      ALTER TABLE attempts ADD COLUMN terminate_requested BIGINT;
      CREATE INDEX attempts_by_lease ON attempts (lease_until) WHERE ended_at IS NULL;
    `,
  },
];

/** The database's clock, epoch ms, in SQL: leases and heartbeats are measured on it. */
export const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

const LOCK = `hashtext('easytask:migrations')`;

export async function pgSchemaVersion(client: pg.Pool | pg.PoolClient | pg.Client): Promise<number> {
  const exists = await client.query(`SELECT to_regclass('easytask_schema') IS NOT NULL AS t`);
  if (!exists.rows[0].t) return 0;
  const r = await client.query('SELECT version FROM easytask_schema');
  return (r.rows[0]?.version as number | undefined) ?? 0;
}

/** Apply every migration newer than the database's version; running it again changes nothing. */
export async function migratePg(pool: pg.Pool, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<number[]> {
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  if ((await pgSchemaVersion(pool)) >= newest) return [];
  const applied: number[] = [];
  const held = await checkOut(pool);
  const client = held.client;
  try {
    for (const m of migrations) {
      await client.query('BEGIN');
      try {
        await client.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
        await client.query('CREATE TABLE IF NOT EXISTS easytask_schema (version INTEGER NOT NULL)');
        // Re-read under the lock so two processes never apply the same step.
        if ((await pgSchemaVersion(client)) >= m.version) {
          await client.query('COMMIT');
          continue;
        }
        await client.query(m.sql);
        await client.query('DELETE FROM easytask_schema');
        await client.query('INSERT INTO easytask_schema (version) VALUES ($1)', [m.version]);
        await client.query('COMMIT');
        applied.push(m.version);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }
  } finally {
    held.release();
  }
  return applied;
}
