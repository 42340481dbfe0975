// The agents the store knows on PostgreSQL: each daemon or agent process on any host, the queues it
// serves, and its heartbeat on the database's clock.
import type { AgentRow, AgentStore } from '../contract.js';
import { DB_NOW } from './migrations.js';
import type { Db } from './unit.js';

/** Stopped agents are listed for this long, then forgotten. */
const KEEP_STOPPED_MS = 7 * 86_400_000;

export class PgAgents implements AgentStore {
  constructor(private readonly db: Db) {}

  async register(a: Pick<AgentRow, 'host' | 'pid' | 'kind' | 'queues' | 'version'>): Promise<void> {
    await this.db.rows(`DELETE FROM agents WHERE stopped_at IS NOT NULL AND stopped_at < ${DB_NOW} - $1`, [KEEP_STOPPED_MS]);
    await this.db.rows(
      `INSERT INTO agents (host, pid, kind, queues, version, started_at, heartbeat_at, stopped_at, live_runs) VALUES ($1, $2, $3, $4, $5, ${DB_NOW}, ${DB_NOW}, NULL, 0)
       ON CONFLICT (host, pid) DO UPDATE SET kind = excluded.kind, queues = excluded.queues, version = excluded.version,
         started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, live_runs = 0`,
      [a.host, a.pid, a.kind, JSON.stringify(a.queues), a.version],
    );
  }

  async beat(host: string, pid: number, liveRuns: number): Promise<void> {
    await this.db.rows(`UPDATE agents SET heartbeat_at = ${DB_NOW}, live_runs = $1 WHERE host = $2 AND pid = $3 AND stopped_at IS NULL`, [liveRuns, host, pid]);
  }

  async stop(host: string, pid: number): Promise<void> {
    await this.db.rows(`UPDATE agents SET stopped_at = ${DB_NOW}, live_runs = 0 WHERE host = $1 AND pid = $2`, [host, pid]);
  }

  async list(): Promise<AgentRow[]> {
    const rows = await this.db.rows<Omit<AgentRow, 'queues'> & { queues: string }>(
      `SELECT *, ${DB_NOW} - heartbeat_at AS age_ms FROM agents WHERE stopped_at IS NULL OR stopped_at >= ${DB_NOW} - $1 ORDER BY host COLLATE "C", pid`,
      [KEEP_STOPPED_MS],
    );
    return rows.map((r) => ({ ...r, queues: JSON.parse(r.queues) as string[] }));
  }
}
