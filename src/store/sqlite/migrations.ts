// Versioned schema migrations; each runs once, in its own transaction, tracked by PRAGMA user_version.
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'definitions, runs, attempts, events, commands, daemon, frozen dates',
    sql: `
      CREATE TABLE definitions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        kind       TEXT    NOT NULL CHECK (kind IN ('task', 'group')),
        ext_id     INTEGER NOT NULL,
        name       TEXT    NOT NULL,
        instance   TEXT    NOT NULL,
        active     INTEGER NOT NULL,
        group_name TEXT,
        body       TEXT    NOT NULL,
        version    INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (instance, name),
        UNIQUE (kind, instance, ext_id)
      );
      CREATE TABLE runs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id       INTEGER NOT NULL,
        task_name     TEXT    NOT NULL,
        instance      TEXT    NOT NULL,
        slot          INTEGER NOT NULL,
        origin        TEXT    NOT NULL DEFAULT 'schedule',
        state         TEXT    NOT NULL,
        reason        TEXT,
        attempt       INTEGER NOT NULL DEFAULT 0,
        max_attempts  INTEGER NOT NULL DEFAULT 1,
        exit_code     INTEGER,
        pid           INTEGER,
        host          TEXT,
        queue         TEXT    NOT NULL DEFAULT 'localhost',
        group_run_id  INTEGER,
        business_date TEXT,
        stdout_path   TEXT,
        stderr_path   TEXT,
        due_at        INTEGER,
        created_at    INTEGER NOT NULL,
        triggered_at  INTEGER,
        started_at    INTEGER,
        ended_at      INTEGER,
        version       INTEGER NOT NULL DEFAULT 0,
        UNIQUE (task_id, instance, slot)
      );
      CREATE INDEX runs_by_state ON runs (state, due_at);
      CREATE INDEX runs_by_task ON runs (task_name, slot);
      CREATE TABLE group_runs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        gid           INTEGER NOT NULL,
        group_name    TEXT    NOT NULL,
        instance      TEXT    NOT NULL,
        slot          INTEGER NOT NULL,
        origin        TEXT    NOT NULL DEFAULT 'schedule',
        state         TEXT    NOT NULL,
        reason        TEXT,
        business_date TEXT,
        created_at    INTEGER NOT NULL,
        started_at    INTEGER,
        ended_at      INTEGER,
        version       INTEGER NOT NULL DEFAULT 0,
        UNIQUE (gid, instance, slot)
      );
      CREATE INDEX group_runs_by_state ON group_runs (state);
      CREATE INDEX group_runs_by_date ON group_runs (group_name, instance, business_date);
      CREATE INDEX runs_by_group_run ON runs (group_run_id);
      CREATE TABLE attempts (
        run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        n            INTEGER NOT NULL,
        pid          INTEGER,
        started_at   INTEGER,
        ended_at     INTEGER,
        duration_ms  REAL,
        exit_code    INTEGER,
        signal       TEXT,
        reason       TEXT,
        stdout_bytes INTEGER NOT NULL DEFAULT 0,
        stderr_bytes INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, n)
      );
      CREATE TABLE events (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        key          TEXT    NOT NULL UNIQUE,
        type         TEXT    NOT NULL,
        time         INTEGER NOT NULL,
        instance     TEXT    NOT NULL,
        run_id       INTEGER,
        attempt      INTEGER,
        task         TEXT,
        task_id      INTEGER,
        group_name   TEXT,
        group_run_id INTEGER,
        data         TEXT    NOT NULL
      );
      CREATE INDEX events_by_time ON events (time);
      CREATE INDEX events_by_task ON events (task, seq);
      CREATE INDEX events_by_run ON events (run_id, seq);
      CREATE TABLE commands (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        kind       TEXT    NOT NULL,
        target     TEXT,
        args       TEXT    NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        acked_at   INTEGER,
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
        started_at   INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL,
        stopped_at   INTEGER
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
    `,
  },
  {
    version: 2,
    description: 'indexes for run history by slot and for retention by end time',
    sql: `
      CREATE INDEX IF NOT EXISTS runs_by_slot ON runs (slot);
      CREATE INDEX IF NOT EXISTS runs_by_end ON runs (ended_at);
    `,
  },
  {
    version: 3,
    description: 'index for the agent queue: runs of one state in slot order',
    sql: `
      CREATE INDEX IF NOT EXISTS runs_by_state_slot ON runs (state, slot, id);
    `,
  },
  {
    version: 4,
    description: 'the daemon row carries its degraded state; attempts and runs carry output that could not be written',
    sql: `
      ALTER TABLE daemon ADD COLUMN degraded TEXT;
      ALTER TABLE attempts ADD COLUMN output_error TEXT;
      ALTER TABLE runs ADD COLUMN output_error TEXT;
    `,
  },
  {
    version: 5,
    description: 'the cursor of definition effects (a deleted or disabled task skips its pending runs) starts at the end of the log',
    sql: `
      INSERT OR IGNORE INTO kv (key, value) SELECT 'effects:definitions', CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM events;
    `,
  },
  {
    version: 6,
    description: 'agents and their heartbeats; each attempt held by its agent under a token and a lease',
    sql: `
      CREATE TABLE agents (
        host         TEXT    NOT NULL,
        pid          INTEGER NOT NULL,
        kind         TEXT    NOT NULL,
        queues       TEXT    NOT NULL,
        version      TEXT    NOT NULL,
        started_at   INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL,
        stopped_at   INTEGER,
        live_runs    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (host, pid)
      );
      ALTER TABLE attempts ADD COLUMN host TEXT;
      ALTER TABLE attempts ADD COLUMN token TEXT;
      ALTER TABLE attempts ADD COLUMN lease_until INTEGER;
      ALTER TABLE attempts ADD COLUMN terminate_requested INTEGER;
    `,
  },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Apply every migration newer than the file's user_version; running it again changes nothing. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const applied: number[] = [];
  // Up to date (every open but the first after an upgrade): read, and take no write lock, which would
  // wait for (or fail on) another process's transaction.
  if (schemaVersion(db) >= Math.max(0, ...migrations.map((m) => m.version))) return applied;
  for (const m of migrations) {
    const run = db.transaction(() => {
      // Re-read inside the write transaction so two processes never apply the same step.
      if (schemaVersion(db) >= m.version) return false;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (run.immediate()) applied.push(m.version);
  }
  return applied;
}
