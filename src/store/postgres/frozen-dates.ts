// Frozen dates on PostgreSQL: a task's runs for a business date are held (FROZEN) until the date is released, the date and its runs one unit.
import type { Clock } from '../../core/clock.js';
import { frozenDateEvent } from '../frozen-date-event.js';
import type { FreezeOutcome, FrozenDateStore, FrozenTask } from '../contract.js';
import type { FrozenDatesInUnit, RunsInUnit } from './internal.js';
import type { Db, Unit } from './unit.js';

export class PgFrozenDates implements FrozenDateStore, FrozenDatesInUnit {
  constructor(
    private readonly db: Db,
    private readonly runs: () => RunsInUnit,
    private readonly clock: Clock,
  ) {}

  async has(task: string, instance: string, date: string): Promise<boolean> {
    return (await this.db.one('SELECT 1 FROM frozen_dates WHERE task_name = $1 AND instance = $2 AND date = $3', [task, instance, date])) !== undefined;
  }

  freeze(task: FrozenTask, date: string, data?: Record<string, string>): Promise<FreezeOutcome> {
    return this.db.unit((u) => this.freezeIn(u, task, date, data));
  }

  unfreeze(task: FrozenTask, date: string, data?: Record<string, string>): Promise<FreezeOutcome> {
    return this.db.unit((u) => this.unfreezeIn(u, task, date, data));
  }

  /** Freeze the date and hold the task's ACTIVE runs for it, with their events, inside the caller's unit. */
  async freezeIn(u: Unit, task: FrozenTask, date: string, data: Record<string, string> = {}): Promise<FreezeOutcome> {
    const changed = (await u.count('INSERT INTO frozen_dates (task_name, instance, date) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [task.name, task.instance, date])) > 0;
    const moved = await this.move(u, task, date, true, data);
    if (changed) u.event(frozenDateEvent(task, date, true, moved, data, this.clock.now()));
    return { changed, moved };
  }

  /** Release the date and its FROZEN runs (back to ACTIVE), with their events, inside the caller's unit. */
  async unfreezeIn(u: Unit, task: FrozenTask, date: string, data: Record<string, string> = {}): Promise<FreezeOutcome> {
    const changed = (await u.count('DELETE FROM frozen_dates WHERE task_name = $1 AND instance = $2 AND date = $3', [task.name, task.instance, date])) > 0;
    const moved = await this.move(u, task, date, false, data);
    if (changed) u.event(frozenDateEvent(task, date, false, moved, data, this.clock.now()));
    return { changed, moved };
  }

  private async move(u: Unit, task: FrozenTask, date: string, on: boolean, data: Record<string, string>): Promise<number> {
    // Locked, so a run another host moves meanwhile is left out rather than refused; in slot order, as SQLite reads them.
    const runs = await u.rows<{ id: number }>(
      'SELECT id FROM runs WHERE task_id = $1 AND instance = $2 AND business_date = $3 AND state = $4 ORDER BY slot, id FOR UPDATE',
      [task.tid, task.instance, date, on ? 'ACTIVE' : 'FROZEN'],
    );
    for (const r of runs) {
      await this.runs().transitionIn(u, { runId: r.id, event: on ? 'run.frozen' : 'run.unfrozen', to: on ? 'FROZEN' : 'ACTIVE', data: { date, ...data } });
    }
    return runs.length;
  }
}
