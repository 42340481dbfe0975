// The agents the store knows: each daemon or agent process, the queues it serves, and its heartbeat.
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { AgentRow, AgentStore } from '../contract.js';
import type { Sync } from './promised.js';
import { sql } from './statements.js';

/** Stopped agents are listed for this long, then forgotten. */
const KEEP_STOPPED_MS = 7 * 86_400_000;

export class Agents implements Sync<AgentStore> {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  register(a: Pick<AgentRow, 'host' | 'pid' | 'kind' | 'queues' | 'version'>): void {
    const now = this.clock.now();
    sql(this.db, 'DELETE FROM agents WHERE stopped_at IS NOT NULL AND stopped_at < ?').run(now - KEEP_STOPPED_MS);
    sql(
      this.db,
      `INSERT INTO agents (host, pid, kind, queues, version, started_at, heartbeat_at, stopped_at, live_runs) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0)
       ON CONFLICT (host, pid) DO UPDATE SET kind = excluded.kind, queues = excluded.queues, version = excluded.version,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, live_runs = 0`,
    ).run(a.host, a.pid, a.kind, JSON.stringify(a.queues), a.version, now, now);
  }

  beat(host: string, pid: number, liveRuns: number): void {
    sql(this.db, 'UPDATE agents SET heartbeat_at = ?, live_runs = ? WHERE host = ? AND pid = ? AND stopped_at IS NULL').run(this.clock.now(), liveRuns, host, pid);
  }

  stop(host: string, pid: number): void {
    sql(this.db, 'UPDATE agents SET stopped_at = ?, live_runs = 0 WHERE host = ? AND pid = ?').run(this.clock.now(), host, pid);
  }

  list(): AgentRow[] {
    const now = this.clock.now();
    const rows = sql(this.db, 'SELECT * FROM agents WHERE stopped_at IS NULL OR stopped_at >= ? ORDER BY host, pid').all(now - KEEP_STOPPED_MS) as (Omit<AgentRow, 'queues' | 'age_ms'> & { queues: string })[];
    return rows.map((r) => ({ ...r, queues: JSON.parse(r.queues) as string[], age_ms: now - r.heartbeat_at }));
  }
}
