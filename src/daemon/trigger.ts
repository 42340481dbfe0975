// ACTIVE → TRIGGER for runs whose time has come, applying frozen dates and the overlap policy.
import type { Clock } from '../core/clock.js';
import type { TaskDef } from '../core/task.js';
import { sql } from '../store/statements.js';
import { MISSED_AFTER_MS } from './scheduler.js';
import type { RunRow, Store } from '../store/index.js';

export interface TriggerPolicy {
  /** The run's current task definition (undefined when it was deleted). */
  taskOf(run: RunRow): TaskDef | undefined;
}

/** The columns set when a run triggers: when, and until when an agent may accept it. */
export function triggerPatch(task: TaskDef | undefined, now: number): { triggered_at: number; due_at: number | null } {
  const expiry = task?.task_accept_expiry_time;
  return { triggered_at: now, due_at: expiry === undefined ? null : now + expiry * 1000 };
}

export function isFrozen(store: Store, run: Pick<RunRow, 'task_name' | 'instance' | 'business_date'>): boolean {
  if (!run.business_date) return false;
  return store.frozenDates.has(run.task_name, run.instance, run.business_date);
}

/** Another run of the same task that is live (triggered and not yet final). */
function liveSibling(store: Store, run: RunRow): RunRow | undefined {
  return sql(store.db, 
      `SELECT * FROM runs WHERE task_id = ? AND instance = ? AND id <> ?
       AND state IN ('TRIGGER', 'STARTED', 'RUNNING', 'RESTARTING') LIMIT 1`,
    )
    .get(run.task_id, run.instance, run.id) as RunRow | undefined;
}

/** A scheduled run made for a slot already missed when the scheduler noticed it (downtime, suspend): catch-up. */
export function caughtUp(run: Pick<RunRow, 'origin' | 'slot' | 'created_at'>): boolean {
  return run.origin === 'schedule' && run.created_at - run.slot > MISSED_AFTER_MS;
}

/**
 * Move due standalone ACTIVE runs on: FROZEN on a frozen date, SKIPPED (overlap) or left waiting
 * while an earlier run is live, else TRIGGER. Forced runs ignore frozen dates and overlap.
 */
export function promoteDue(store: Store, clock: Clock, policy: TriggerPolicy): RunRow[] {
  const now = clock.now();
  const due = sql(store.db, `SELECT * FROM runs WHERE state = 'ACTIVE' AND group_run_id IS NULL AND slot <= ? ORDER BY slot, id`)
    .all(now) as RunRow[];
  const triggered: RunRow[] = [];
  if (due.length === 0) return triggered;
  // One transaction for the lot (one commit instead of one per run); each run is a savepoint, so
  // a run that fails is rolled back alone and the others still move on.
  let failure: unknown;
  store.tx(() => {
    for (const run of due) {
      try {
        store.tx(() => {
          const moved = promoteOne(store, policy, run.id, now);
          if (moved) triggered.push(moved);
        });
      } catch (err) {
        failure ??= err;
      }
    }
  });
  if (failure !== undefined) throw failure;
  return triggered;
}

/** One due run moved on, inside a transaction; the run when it went to TRIGGER. */
function promoteOne(store: Store, policy: TriggerPolicy, runId: number, now: number): RunRow | undefined {
  const run = store.runs.get(runId);
  if (!run || run.state !== 'ACTIVE') return undefined; // another process moved it meanwhile (disable, delete)
  const forced = run.origin === 'force';
  if (!forced && isFrozen(store, run)) {
    store.runs.transitionInTx({ runId: run.id, event: 'run.frozen', to: 'FROZEN', data: { date: run.business_date } });
    return undefined;
  }
  const sibling = forced ? undefined : liveSibling(store, run);
  const task = policy.taskOf(run);
  // Slots run for catch-up (older than the missed threshold) queue behind each other instead of
  // skipping: catch_up "all" asked for every one of them. So does a slot that comes while a caught-up
  // run is live: the backlog from downtime must not cost the slot that is due now. Once the backlog is
  // done, a slot that comes while an on-time run is live is skipped again.
  const catchingUp = now - run.slot > MISSED_AFTER_MS && run.origin === 'schedule';
  const behindCatchUp = sibling !== undefined && caughtUp(sibling);
  const overlap = (catchingUp || behindCatchUp) && task?.overlap === 'skip' ? 'queue' : (task?.overlap ?? 'skip');
  if (sibling && overlap === 'skip') {
    store.runs.transitionInTx({ runId: run.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'overlap', ended_at: now }, data: { live_run: sibling.id } });
    return undefined;
  }
  if (sibling && overlap === 'queue') return undefined; // waits, ACTIVE, until the live run ends
  return store.runs.transitionInTx({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: triggerPatch(task, now) });
}
