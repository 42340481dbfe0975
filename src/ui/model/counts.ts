// Count helpers: tasks per status, kept up the tree by adding and removing single tasks.
import { RUN_STATES } from '../../core/states.js';
import type { Counts, TaskStatus } from './types.js';

/** Display order: what needs attention first. */
export const STATUS_ORDER: readonly TaskStatus[] = [
  'RUNNING', 'FAILED', 'RESTARTING', 'STARTED', 'TRIGGER', 'TERMINATED', 'REJECTED', 'ACTIVE', 'FROZEN', 'SUCCESS', 'SKIPPED', 'IDLE',
];

export const ALL_STATUSES: readonly TaskStatus[] = [...RUN_STATES, 'IDLE'];

export const isTaskStatus = (s: string): s is TaskStatus => (ALL_STATUSES as readonly string[]).includes(s);

/** A copy of counts with `n` added to status (entries that reach zero are dropped). */
export function addCount(counts: Counts, status: TaskStatus, n: number): Counts {
  const next: Partial<Record<TaskStatus, number>> = { ...counts };
  const v = (next[status] ?? 0) + n;
  if (v === 0) delete next[status];
  else next[status] = v;
  return next;
}

export function totalOf(counts: Counts): number {
  let n = 0;
  for (const s of ALL_STATUSES) n += counts[s] ?? 0;
  return n;
}

/** Non-zero entries in display order. */
export function countEntries(counts: Counts): Array<[TaskStatus, number]> {
  return STATUS_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((s) => [s, counts[s]!]);
}
