// ACTIVE → TRIGGER for runs whose time has come, applying frozen dates and the overlap policy.
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import type { TaskDef } from '../core/task.js';
import type { DueRun, RunRow, Store, TransitionRequest } from '../store/index.js';
import { delayOwner, randomDelayMs } from '../schedule/random-delay.js';
import { MISSED_AFTER_MS } from './scheduler.js';

export interface TriggerPolicy {
  /** The run's current task definition (undefined when it was deleted). */
  taskOf(run: RunRow): TaskDef | undefined;
  /** Overlap "replace": end these live runs (TERMINATED, replaced); the runs due wait until they have ended. */
  replace?(live: readonly { id: number; by: number }[]): Promise<void>;
}

/** The columns set when a run triggers: when, and until when an agent may accept it. */
export function triggerPatch(task: TaskDef | undefined, now: number): { triggered_at: number; due_at: number | null } {
  const expiry = task?.task_accept_expiry_time;
  return { triggered_at: now, due_at: expiry === undefined ? null : now + expiry * 1000 };
}

export function isFrozen(store: Store, run: Pick<RunRow, 'task_name' | 'instance' | 'business_date'>): Promise<boolean> {
  if (!run.business_date) return Promise.resolve(false);
  return store.frozenDates.has(run.task_name, run.instance, run.business_date);
}

/**
 * When a run became due: its slot, plus the task's random_delay offset for a scheduled run. Lateness
 * counts from here.
 */
export function dueInstant(run: Pick<RunRow, 'origin' | 'slot' | 'task_name' | 'instance'>, task: TaskDef | undefined): number {
  if (run.origin !== 'schedule' || !task?.random_delay) return run.slot;
  return run.slot + randomDelayMs(delayOwner({ instance: run.instance, name: run.task_name }), run.slot, task.random_delay);
}

/** A scheduled run made for a slot already missed when the scheduler noticed it (downtime, suspend): catch-up. */
export function caughtUp(run: Pick<RunRow, 'origin' | 'slot' | 'created_at'>, due: number = run.slot): boolean {
  return run.origin === 'schedule' && run.created_at - due > MISSED_AFTER_MS;
}

/** A refusal that means another writer moved the run first: it is looked at again on the next pass. */
export const movedMeanwhile = (err: unknown): boolean => err instanceof EasyTaskError && (err.code === 'CONFLICT' || err.code === 'ILLEGAL_TRANSITION');

type Sibling = NonNullable<DueRun['live_sibling']>;

/**
 * Move due standalone ACTIVE runs on: FROZEN on a frozen date, SKIPPED (overlap) or left waiting
 * while an earlier run is live, else TRIGGER. Forced runs ignore frozen dates and overlap. Every
 * move is its own unit, all written together; a run another writer moved meanwhile is left alone.
 */
export async function promoteDue(store: Store, clock: Clock, policy: TriggerPolicy): Promise<RunRow[]> {
  const now = clock.now();
  const due = await store.runs.dueActive(now);
  if (due.length === 0) return [];
  // Runs this pass triggers are live for the runs of the same task after them.
  const triggeredNow = new Map<string, Sibling>();
  const moves: TransitionRequest[] = [];
  const replace: { id: number; by: number }[] = [];
  for (const run of due) {
    const req = decide(run, policy.taskOf(run), now, triggeredNow);
    if (!req) continue;
    if ('replace' in req) {
      replace.push({ id: req.replace, by: run.id });
      continue;
    }
    moves.push(req);
    if (req.to === 'TRIGGER') triggeredNow.set(`${run.instance}/${run.task_id}`, run);
  }
  if (replace.length) await policy.replace?.(replace);
  const outcomes = moves.length ? await store.runs.transitionEach(moves) : [];
  const triggered: RunRow[] = [];
  let failure: unknown;
  for (const o of outcomes) {
    if (o.ok) {
      if (o.value.state === 'TRIGGER') triggered.push(o.value);
    } else if (!movedMeanwhile(o.error)) failure ??= o.error;
  }
  if (failure !== undefined) throw failure;
  return triggered;
}

/** What one due run does now: a move, the live run it replaces (and waits for), or undefined while it waits. */
function decide(run: DueRun, task: TaskDef | undefined, now: number, triggeredNow: ReadonlyMap<string, Sibling>): TransitionRequest | { replace: number } | undefined {
  const forced = run.origin === 'force';
  const base = { runId: run.id, expectVersion: run.version };
  if (!forced && run.frozen) return { ...base, event: 'run.frozen', to: 'FROZEN', data: { date: run.business_date } };
  const sibling = forced ? undefined : (run.live_sibling ?? triggeredNow.get(`${run.instance}/${run.task_id}`));
  // Slots run for catch-up (older than the missed threshold) queue behind each other instead of
  // skipping or replacing: catch_up "all" (or a backfill) asked for every one of them. So does a slot that comes while a caught-up
  // run is live: the backlog from downtime must not cost the slot that is due now. Once the backlog is
  // done, a slot that comes while an on-time run is live is skipped again.
  const due = dueInstant(run, task);
  const catchingUp = now - due > MISSED_AFTER_MS && run.origin === 'schedule';
  const behindCatchUp = sibling !== undefined && caughtUp(sibling, dueInstant({ ...sibling, task_name: run.task_name, instance: run.instance }, task));
  const overlap = (catchingUp || behindCatchUp) && (task?.overlap === 'skip' || task?.overlap === 'replace') ? 'queue' : (task?.overlap ?? 'skip');
  // "replace" ends the live run and waits for it to have ended: never two live at once. A run this
  // very pass triggered is not written yet: the next pass replaces it.
  if (sibling && overlap === 'replace') return run.live_sibling ? { replace: run.live_sibling.id } : undefined;
  if (sibling && overlap === 'skip') return { ...base, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'overlap', ended_at: now }, data: { live_run: sibling.id } };
  if (sibling && overlap === 'queue') return undefined; // waits, ACTIVE, until the live run ends
  // A delayed run says when it was due, so its lateness counts from there.
  const delayed = due > run.slot ? { data: { due: new Date(due).toISOString(), delay_ms: due - run.slot } } : {};
  return { ...base, event: 'run.triggered', to: 'TRIGGER', patch: triggerPatch(task, now), ...delayed };
}
