// `easytask backfill`: the daemon (the one writer of runs) creates the runs of a task's past slots in
// a date range. Slots that already have a run (ran, skipped, waiting) stay as they are: a slot is
// recorded once (UNIQUE task, instance, slot), so asking twice, or after a crash, creates nothing more.
// The runs are caught-up runs: they queue one after another per the task's overlap policy.
import { EasyTaskError } from '../core/errors.js';
import { taskSchedule, type TaskDef } from '../core/task.js';
import { requireCalendar, type CalendarSet } from '../schedule/index.js';
import { backfillRange } from '../schedule/backfill-range.js';
import type { RunRow, Store } from '../store/index.js';

export interface BackfillRequest {
  from: string;
  to: string;
  max?: number;
}

export interface BackfillOutcome {
  /** Every slot in the range, oldest first. */
  slots: number[];
  created: RunRow[];
}

/** A standalone task's schedule, or why it cannot be backfilled. */
export function backfillSchedule(task: TaskDef) {
  if (task.task_group !== undefined) {
    throw new EasyTaskError('BAD_INPUT', `task ${task.name} runs in group ${task.task_group}: its slots are the group's, and backfill takes a standalone task (a cycle for a past date: easytask force-run ${task.task_group} --date YYYYMMDD)`, 2);
  }
  const schedule = taskSchedule(task);
  if (!schedule) throw new EasyTaskError('BAD_INPUT', `task ${task.name} has no schedule`, 2);
  return schedule;
}

export async function backfill(store: Store, calendars: CalendarSet, task: TaskDef, req: BackfillRequest, now: number): Promise<BackfillOutcome> {
  const schedule = backfillSchedule(task);
  if (schedule.calendar) requireCalendar(calendars, schedule.calendar);
  const { fires } = backfillRange(schedule, calendars, req.from, req.to, now, req.max);
  const records = fires.map((f) => ({
    kind: 'run' as const,
    run: { task_id: task.tid, task_name: task.name, instance: task.instance, slot: f.at, origin: 'schedule' as const, max_attempts: 1 + task.retry_attempts, queue: task.run_on_host, business_date: f.localDate.replaceAll('-', '') },
  }));
  if (records.length === 0) return { slots: [], created: [] };
  const [outcome] = await store.slots.record([records]);
  if (!outcome?.ok) throw outcome?.error ?? new Error('the slots were not recorded');
  return { slots: fires.map((f) => f.at), created: outcome.value.runs };
}
