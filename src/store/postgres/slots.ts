// The scheduler's record of the slots that have come on PostgreSQL: runs and group cycles, exactly one per slot.
import type { Clock } from '../../core/clock.js';
import type { Outcome, SlotRecord, SlotStore } from '../contract.js';
import type { GroupRunRow, RunRow } from '../rows.js';
import type { GroupRunsInUnit, RunsInUnit } from './internal.js';
import type { Db, Unit } from './unit.js';

export class PgSlots implements SlotStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly runs: RunsInUnit,
    private readonly groupRuns: GroupRunsInUnit,
  ) {}

  record(batches: readonly (readonly SlotRecord[])[]): Promise<Outcome<{ runs: RunRow[]; cycles: GroupRunRow[] }>[]> {
    return this.db.eachUnit(batches, (u, batch) => this.batch(u, batch));
  }

  /** One batch (a task's or a group's slots) inside its own savepoint. */
  private async batch(u: Unit, batch: readonly SlotRecord[]): Promise<{ runs: RunRow[]; cycles: GroupRunRow[] }> {
    const out = { runs: [] as RunRow[], cycles: [] as GroupRunRow[] };
    for (const s of batch) {
      if (s.kind === 'run') {
        const run = await this.runs.createIn(u, s.run);
        if (!run) continue;
        if (s.skip) await this.runs.transitionIn(u, { runId: run.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: s.skip.reason, ended_at: this.clock.now() }, data: s.skip.data });
        else out.runs.push(run);
        continue;
      }
      const now = this.clock.now();
      if (s.supersede) {
        for (const old of await this.groupRuns.activeOfGroupIn(u, s.cycle.gid, s.cycle.instance)) {
          if (old.slot >= s.cycle.slot) continue;
          await this.groupRuns.transitionIn(u, old.id, 'group_run.skipped', 'SKIPPED', { reason: 'dependency', ended_at: now }, { superseded_by_slot: new Date(s.cycle.slot).toISOString() });
        }
      }
      const cycle = await this.groupRuns.createIn(u, s.cycle);
      if (!cycle) continue;
      if (s.skip) await this.groupRuns.transitionIn(u, cycle.id, 'group_run.skipped', 'SKIPPED', { reason: s.skip.reason, ended_at: now }, s.skip.data);
      else out.cycles.push(cycle);
    }
    return out;
  }
}
