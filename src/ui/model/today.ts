// Today's runs by state for the header: reset at local midnight, then moved along by each transition's from/to.
import type { StoredEvent } from '../../core/events.js';
import { isRunState } from '../../core/states.js';
import { addCount } from './counts.js';
import type { TodayInfo } from './types.js';

const stateIn = (v: unknown) => (typeof v === 'string' && isRunState(v) ? v : undefined);

/** Today after a run event: O(1), since a transition names the state it left. */
export function todayAfter(today: TodayInfo, e: StoredEvent): TodayInfo {
  if (e.run_id == null || e.run_id < today.firstRunId || !e.type.startsWith('run.')) return today;
  const to = stateIn(e.data.to);
  if (to === undefined) return today;
  const from = e.type === 'run.created' ? undefined : stateIn(e.data.from);
  if (from === to) return today;
  let counts = from === undefined ? today.counts : addCount(today.counts, from, -1);
  counts = addCount(counts, to, 1);
  return { ...today, counts };
}
