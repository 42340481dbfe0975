// What retention removes: final runs older than a cutoff with their attempts and events, and
// events of no run older than the cutoff. Each removal is one transaction, kept small by the caller.
import { sql, sqlList } from './statements.js';
import type { Database } from 'better-sqlite3';
import { FINAL_STATES } from '../../core/states.js';
import type { RetentionStore, SurplusQuery } from '../contract.js';
import type { ExpiredRun } from '../rows.js';
import type { Sync } from './promised.js';
import { tx } from './tx.js';

const FINAL_SQL = sqlList(FINAL_STATES);

export class Retention implements Sync<RetentionStore> {
  constructor(private readonly db: Database) {}

  /**
   * Final runs that ended (or were created, when they never ended) before `cutoff`, with ids above
   * `afterId`, in id order. A task's newest scheduled run stays: the scheduler resumes from it.
   */
  expiredRuns(afterId: number, cutoff: number, limit: number): ExpiredRun[] {
    return sql(
      this.db,
      `SELECT id, task_name, stdout_path, stderr_path FROM runs
       WHERE id > ? AND state IN (${FINAL_SQL}) AND COALESCE(ended_at, created_at) < ?
         AND id NOT IN (SELECT MAX(id) FROM runs WHERE origin = 'schedule' GROUP BY task_id, instance)
       ORDER BY id LIMIT ?`,
    ).all(afterId, cutoff, limit) as ExpiredRun[];
  }

  /** A task's final runs in the given states past its newest `keep` (newest first); its newest scheduled run stays. */
  surplusRuns(q: SurplusQuery): ExpiredRun[] {
    const states = JSON.stringify(q.states.filter((s) => FINAL_STATES.includes(s)));
    return sql(
      this.db,
      `SELECT id, task_name, stdout_path, stderr_path FROM runs
       WHERE task_id = ? AND instance = ? AND state IN (SELECT value FROM json_each(?))
         AND id IS NOT (SELECT MAX(id) FROM runs WHERE task_id = ? AND instance = ? AND origin = 'schedule')
       ORDER BY id DESC LIMIT ? OFFSET ?`,
    ).all(q.taskId, q.instance, states, q.taskId, q.instance, q.limit, q.keep + (q.skip ?? 0)) as ExpiredRun[];
  }

  /** How many attempts and events these runs have (what removing them would remove). */
  countOfRuns(ids: readonly number[]): { attempts: number; events: number } {
    const list = JSON.stringify(ids);
    const attempts = (sql(this.db, 'SELECT COUNT(*) AS n FROM attempts WHERE run_id IN (SELECT value FROM json_each(?))').get(list) as { n: number }).n;
    const events = (sql(this.db, 'SELECT COUNT(*) AS n FROM events WHERE run_id IN (SELECT value FROM json_each(?))').get(list) as { n: number }).n;
    return { attempts, events };
  }

  /** Remove these runs with their attempts and events, in one transaction. */
  removeRuns(ids: readonly number[]): { attempts: number; events: number } {
    const list = JSON.stringify(ids);
    return tx(this.db, () => {
      const attempts = sql(this.db, 'DELETE FROM attempts WHERE run_id IN (SELECT value FROM json_each(?))').run(list).changes;
      const events = sql(this.db, 'DELETE FROM events WHERE run_id IN (SELECT value FROM json_each(?))').run(list).changes;
      sql(this.db, 'DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))').run(list);
      return { attempts, events };
    });
  }

  /** Events of no run (task.*, daemon.*, group_run.*…) older than `cutoff`. */
  countLooseEvents(cutoff: number): number {
    return (sql(this.db, 'SELECT COUNT(*) AS n FROM events WHERE time < ? AND run_id IS NULL').get(cutoff) as { n: number }).n;
  }

  /** Remove up to `limit` of them in one transaction; returns how many went. */
  removeLooseEvents(cutoff: number, limit: number): number {
    return tx(this.db, () => sql(this.db, 'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < ? AND run_id IS NULL LIMIT ?)').run(cutoff, limit).changes);
  }

  /** Does a run other than `except` write to this file (as stdout or stderr)? */
  fileInUse(path: string, except: readonly number[]): boolean {
    return (
      sql(this.db, 'SELECT 1 FROM runs WHERE (stdout_path = ? OR stderr_path = ?) AND id NOT IN (SELECT value FROM json_each(?)) LIMIT 1').get(path, path, JSON.stringify(except)) !==
      undefined
    );
  }

  /** Bytes of the database file free for reuse. */
  freeBytes(): number {
    const pages = this.db.pragma('freelist_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }
}
