// What retention removes on PostgreSQL: final runs older than a cutoff with their attempts and events, and old events of no run; each removal one unit.
import { FINAL_STATES } from '../../core/states.js';
import type { RetentionStore, SurplusQuery } from '../contract.js';
import type { ExpiredRun } from '../rows.js';
import type { Db } from './unit.js';

/** SQLite's LIMIT -1 means no limit; PostgreSQL's LIMIT NULL does. */
const limitOf = (n: number): number | null => (n < 0 ? null : Math.floor(n));

export class PgRetention implements RetentionStore {
  constructor(private readonly db: Db) {}

  /** A task's newest scheduled run stays: the scheduler resumes from it. */
  expiredRuns(afterId: number, cutoff: number, limit: number): Promise<ExpiredRun[]> {
    return this.db.rows<ExpiredRun>(
      `SELECT id, task_name, stdout_path, stderr_path FROM runs
       WHERE id > $1 AND state = ANY($2::text[]) AND COALESCE(ended_at, created_at) < $3
         AND id NOT IN (SELECT MAX(id) FROM runs WHERE origin = $4 GROUP BY task_id, instance)
       ORDER BY id LIMIT $5`,
      [afterId, FINAL_STATES, cutoff, 'schedule', limitOf(limit)],
    );
  }

  /** A task's final runs in the given states past its newest `keep` (newest first); its newest scheduled run stays. */
  surplusRuns(q: SurplusQuery): Promise<ExpiredRun[]> {
    return this.db.rows<ExpiredRun>(
      `SELECT id, task_name, stdout_path, stderr_path FROM runs
       WHERE task_id = $1 AND instance = $2 AND state = ANY($3::text[])
         AND id IS DISTINCT FROM (SELECT MAX(id) FROM runs WHERE task_id = $1 AND instance = $2 AND origin = 'schedule')
       ORDER BY id DESC LIMIT $4 OFFSET $5`,
      [q.taskId, q.instance, q.states.filter((s) => FINAL_STATES.includes(s)), Math.floor(q.limit), q.keep + (q.skip ?? 0)],
    );
  }

  async countOfRuns(ids: readonly number[]): Promise<{ attempts: number; events: number }> {
    const r = await this.db.one<{ attempts: number; events: number }>(
      `SELECT (SELECT COUNT(*) FROM attempts WHERE run_id = ANY($1::bigint[])) AS attempts,
              (SELECT COUNT(*) FROM events WHERE run_id = ANY($1::bigint[])) AS events`,
      [ids],
    );
    return { attempts: r?.attempts ?? 0, events: r?.events ?? 0 };
  }

  removeRuns(ids: readonly number[]): Promise<{ attempts: number; events: number }> {
    return this.db.unit(async (u) => {
      const attempts = await u.count('DELETE FROM attempts WHERE run_id = ANY($1::bigint[])', [ids]);
      const events = await u.count('DELETE FROM events WHERE run_id = ANY($1::bigint[])', [ids]);
      await u.count('DELETE FROM runs WHERE id = ANY($1::bigint[])', [ids]);
      return { attempts, events };
    });
  }

  async countLooseEvents(cutoff: number): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE time < $1 AND run_id IS NULL', [cutoff]))?.n ?? 0;
  }

  /** Up to `limit` of them, oldest first (as SQLite reads them), in one unit; how many went. */
  removeLooseEvents(cutoff: number, limit: number): Promise<number> {
    return this.db.unit((u) =>
      u.count('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < $1 AND run_id IS NULL ORDER BY seq LIMIT $2)', [cutoff, limitOf(limit)]),
    );
  }

  async fileInUse(path: string, except: readonly number[]): Promise<boolean> {
    const r = await this.db.one('SELECT 1 FROM runs WHERE (stdout_path = $1 OR stderr_path = $1) AND NOT (id = ANY($2::bigint[])) LIMIT 1', [path, except]);
    return r !== undefined;
  }

  /**
   * 0, "cannot tell": PostgreSQL keeps the room of removed rows inside its table files for reuse
   * (after autovacuum) and does not tell a client how much; the extension that would (pg_freespacemap)
   * is rarely installed, and the disk is the server's, often on another host. Prune then reports no
   * bytes reclaimed, which is true of this host's disk.
   */
  async freeBytes(): Promise<number> {
    return 0;
  }
}
