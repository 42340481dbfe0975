// The scheduler's record of the slots that have come: runs and group cycles, exactly one per slot.
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { Outcome, SlotRecord, SlotStore } from '../contract.js';
import type { GroupRunRow, RunRow } from '../rows.js';
import type { GroupRuns } from './group-runs.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { eachUnit } from './tx.js';

export class Slots implements Sync<SlotStore> {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly runs: Runs,
    private readonly groupRuns: GroupRuns,
  ) {}

  record(batches: readonly (readonly SlotRecord[])[]): Outcome<{ runs: RunRow[]; cycles: GroupRunRow[] }>[] {
    return eachUnit(this.db, batches, (batch) => {
      const out = { runs: [] as RunRow[], cycles: [] as GroupRunRow[] };
      for (const s of batch) {
        if (s.kind === 'run') {
          const run = this.runs.create(s.run);
          if (!run) continue;
          if (s.skip) this.runs.transitionInTx({ runId: run.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: s.skip.reason, ended_at: this.clock.now() }, data: s.skip.data });
          else out.runs.push(run);
          continue;
        }
        const now = this.clock.now();
        if (s.supersede) {
          for (const old of this.groupRuns.inStates(['ACTIVE'])) {
            if (old.gid !== s.cycle.gid || old.instance !== s.cycle.instance || old.slot >= s.cycle.slot) continue;
            this.groupRuns.transition(old.id, 'group_run.skipped', 'SKIPPED', { reason: 'dependency', ended_at: now }, { superseded_by_slot: new Date(s.cycle.slot).toISOString() });
          }
        }
        const cycle = this.groupRuns.create(s.cycle);
        if (!cycle) continue;
        if (s.skip) this.groupRuns.transition(cycle.id, 'group_run.skipped', 'SKIPPED', { reason: s.skip.reason, ended_at: now }, s.skip.data);
        else out.cycles.push(cycle);
      }
      return out;
    });
  }
}
