// Retention by count: a task with retain_runs keeps its last N final runs, and one with
// retain_failures its last N FAILED runs, counted apart (so failures can be kept longer than
// successes). Older ones go like those past the age: with their attempts, events and log files.
// Live runs are never taken (only final states are), nor a task's newest scheduled run.
import { FINAL_STATES, type RunState } from '../core/states.js';
import type { TaskDef } from '../core/task.js';
import type { ExpiredRun, Store } from '../store/index.js';

export interface ByCountOptions {
  dry: boolean;
  batch: number;
  /** Ids taken so far (a dry run skips past them, and the age pass leaves them). */
  counted: Set<number>;
  take(batch: ExpiredRun[]): Promise<void>;
}

/** The classes of runs a task counts, with how many of each it keeps. */
export function countRules(t: Pick<TaskDef, 'retain_runs' | 'retain_failures'>): { states: RunState[]; keep: number }[] {
  const rules: { states: RunState[]; keep: number }[] = [];
  if (t.retain_failures !== undefined) rules.push({ states: ['FAILED'], keep: t.retain_failures });
  if (t.retain_runs !== undefined) {
    // With retain_failures the failures are counted apart; without it every final run counts.
    const states = t.retain_failures === undefined ? [...FINAL_STATES] : FINAL_STATES.filter((s) => s !== 'FAILED');
    rules.push({ states, keep: t.retain_runs });
  }
  return rules;
}

/** Take the runs past each task's counts; returns how many. */
export async function pruneByCount(store: Store, o: ByCountOptions): Promise<number> {
  let total = 0;
  for (const s of await store.defs.all('task')) {
    if (s.definition.kind !== 'task') continue;
    const t = s.definition.def;
    for (const rule of countRules(t)) {
      let skip = 0;
      for (;;) {
        const batch = await store.retention.surplusRuns({ taskId: t.tid, instance: t.instance, states: rule.states, keep: rule.keep, skip, limit: o.batch });
        if (batch.length === 0) break;
        for (const b of batch) o.counted.add(b.id);
        await o.take(batch);
        total += batch.length;
        if (o.dry) skip += batch.length; // nothing went: look past them
        if (batch.length < o.batch) break;
      }
    }
  }
  return total;
}
