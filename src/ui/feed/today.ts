// Today's run counts from the store, for the start and for each local midnight.
import { isRunState } from '../../core/states.js';
import type { Store } from '../../store/index.js';
import { addCount } from '../model/counts.js';
import type { Counts, TodayInfo } from '../model/types.js';

/** Local midnight before `now` and the one after it (23 or 25 hours later across a DST change). */
export function localDay(now: number): { dayStart: number; dayEnd: number } {
  const d = new Date(now);
  const dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  return { dayStart, dayEnd };
}

export async function loadToday(store: Store, now: number): Promise<TodayInfo> {
  const { dayStart, dayEnd } = localDay(now);
  const { firstRunId, counts: rows } = await store.runs.countsSince(dayStart);
  let counts: Counts = {};
  for (const r of rows) if (isRunState(r.state)) counts = addCount(counts, r.state, r.n);
  return { dayStart, dayEnd, firstRunId, counts };
}
