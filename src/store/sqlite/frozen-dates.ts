// Frozen dates: a task's runs for a business date are held (FROZEN) until the date is released.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { frozenDateEvent } from '../frozen-date-event.js';
import type { EventLog } from './events.js';
import type { FreezeOutcome, FrozenDateStore, FrozenTask } from '../contract.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { tx } from './tx.js';

export class FrozenDates implements Sync<FrozenDateStore> {
  constructor(
    private readonly db: Database,
    private readonly runs: Runs,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  /** Is this task's business date frozen? */
  has(task: string, instance: string, date: string): boolean {
    return sql(this.db, 'SELECT 1 FROM frozen_dates WHERE task_name = ? AND instance = ? AND date = ?').get(task, instance, date) !== undefined;
  }

  /** Freeze the date and hold the task's ACTIVE runs for it, with their events and task.frozen, in one transaction. */
  freeze(task: FrozenTask, date: string, data: Record<string, string> = {}): FreezeOutcome {
    return tx(this.db, () => {
      const changed = sql(this.db, 'INSERT OR IGNORE INTO frozen_dates (task_name, instance, date) VALUES (?, ?, ?)').run(task.name, task.instance, date).changes > 0;
      const moved = this.move(task, date, true, data);
      if (changed) this.events.append(frozenDateEvent(task, date, true, moved, data, this.clock.now()));
      return { changed, moved };
    });
  }

  /** Release the date and its FROZEN runs (back to ACTIVE), with their events and task.unfrozen, in one transaction. */
  unfreeze(task: FrozenTask, date: string, data: Record<string, string> = {}): FreezeOutcome {
    return tx(this.db, () => {
      const changed = sql(this.db, 'DELETE FROM frozen_dates WHERE task_name = ? AND instance = ? AND date = ?').run(task.name, task.instance, date).changes > 0;
      const moved = this.move(task, date, false, data);
      if (changed) this.events.append(frozenDateEvent(task, date, false, moved, data, this.clock.now()));
      return { changed, moved };
    });
  }

  private move(task: FrozenTask, date: string, on: boolean, data: Record<string, string>): number {
    const runs = sql(this.db, 'SELECT id FROM runs WHERE task_id = ? AND instance = ? AND business_date = ? AND state = ?').all(task.tid, task.instance, date, on ? 'ACTIVE' : 'FROZEN') as {
      id: number;
    }[];
    for (const r of runs) this.runs.transitionInTx({ runId: r.id, event: on ? 'run.frozen' : 'run.unfrozen', to: on ? 'FROZEN' : 'ACTIVE', data: { date, ...data } });
    return runs.length;
  }
}
