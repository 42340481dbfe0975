// ACTIVE → TRIGGER for runs whose time has come, applying frozen dates and the overlap policy.
import type { Clock } from '../core/clock.js';
import type { Overlap } from '../core/task.js';
import type { RunRow, Store } from '../store/index.js';

export interface TriggerPolicy {
  overlapOf(run: RunRow): Overlap;
}

export function isFrozen(store: Store, run: Pick<RunRow, 'task_name' | 'instance' | 'business_date'>): boolean {
  if (!run.business_date) return false;
  return !!store.db
    .prepare('SELECT 1 FROM frozen_dates WHERE task_name = ? AND instance = ? AND date = ?')
    .get(run.task_name, run.instance, run.business_date);
}

/** Another run of the same task that is live (triggered and not yet final). */
function liveSibling(store: Store, run: RunRow): RunRow | undefined {
  return store.db
    .prepare(
      `SELECT * FROM runs WHERE task_id = ? AND instance = ? AND id <> ?
       AND state IN ('TRIGGER', 'STARTED', 'RUNNING', 'RESTARTING') LIMIT 1`,
    )
    .get(run.task_id, run.instance, run.id) as RunRow | undefined;
}

/**
 * Move due standalone ACTIVE runs on: FROZEN on a frozen date, SKIPPED (overlap) or left waiting
 * while an earlier run is live, else TRIGGER. Forced runs ignore frozen dates and overlap.
 */
export function promoteDue(store: Store, clock: Clock, policy: TriggerPolicy): RunRow[] {
  const now = clock.now();
  const due = store.db
    .prepare(`SELECT * FROM runs WHERE state = 'ACTIVE' AND group_run_id IS NULL AND slot <= ? ORDER BY slot, id`)
    .all(now) as RunRow[];
  const triggered: RunRow[] = [];
  for (const run of due) {
    store.tx(() => {
      const forced = run.origin === 'force';
      if (!forced && isFrozen(store, run)) {
        store.runs.transitionInTx({ runId: run.id, event: 'run.frozen', to: 'FROZEN', data: { date: run.business_date } });
        return;
      }
      const sibling = forced ? undefined : liveSibling(store, run);
      const overlap = policy.overlapOf(run);
      if (sibling && overlap === 'skip') {
        store.runs.transitionInTx({ runId: run.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'overlap', ended_at: now }, data: { live_run: sibling.id } });
        return;
      }
      if (sibling && overlap === 'queue') return; // waits, ACTIVE, until the live run ends
      triggered.push(store.runs.transitionInTx({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: now } }));
    });
  }
  return triggered;
}
