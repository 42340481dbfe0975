// A schedule compiled once (zone, slot source, day rule) and cached by its text, so the daemon's
// per-change next-fire computation does no parsing.

import { badInput } from '../core/errors.js';
import type { ScheduleFields } from '../core/task.js';
import { CronTimes } from './cron.js';
import { DayFilter } from './day-filter.js';
import { runFrequencySource, triggerTimesSource, type TimeSource } from './times.js';
import { zoneClock, type ZoneClock } from './zone.js';

export interface Plan {
  zone: ZoneClock;
  times: TimeSource;
  days: DayFilter;
  calendarName: string | undefined;
  /** What the slots come from, for messages. */
  source: string;
  /** True when the slot source can leave whole days empty (cron day fields). */
  sparseDays: boolean;
}

const MAX_CACHED = 50_000;
const cache = new Map<string, Plan>();

function cacheKey(s: ScheduleFields): string {
  return `${s.timezone}\u0000${s.trigger_times ?? ''}\u0000${s.run_frequency ?? ''}\u0000${s.cron ?? ''}\u0000${s.day_of_week}\u0000${s.ordinal_day ?? ''}\u0000${s.calendar ?? ''}`;
}

/** The compiled plan of a schedule; throws a bad-input error naming the field that is wrong. */
export function planOf(schedule: ScheduleFields): Plan {
  const key = cacheKey(schedule);
  let plan = cache.get(key);
  if (plan === undefined) {
    plan = compile(schedule);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, plan);
  }
  return plan;
}

/** Forget compiled plans (benchmarks measure cold computation with it). */
export function clearPlanCache(): void {
  cache.clear();
}

function compile(s: ScheduleFields): Plan {
  const given = (['trigger_times', 'run_frequency', 'cron'] as const).filter((f) => s[f] !== undefined && s[f] !== '');
  if (given.length !== 1) {
    const found = given.length === 0 ? 'none is set' : `${given.join(' and ')} are set`;
    throw badInput(`schedule: exactly one of trigger_times, run_frequency, cron is needed; ${found}`);
  }
  const zone = zoneClock(s.timezone);
  const days = new DayFilter(s.day_of_week, s.ordinal_day);
  let times: TimeSource;
  let source: string;
  if (s.trigger_times !== undefined && s.trigger_times !== '') {
    times = triggerTimesSource(s.trigger_times);
    source = `trigger_times "${s.trigger_times}"`;
  } else if (s.run_frequency !== undefined && s.run_frequency !== '') {
    times = runFrequencySource(s.run_frequency);
    source = `run_frequency "${s.run_frequency}"`;
  } else {
    times = new CronTimes(s.cron!);
    source = `cron "${s.cron!}"`;
  }
  return { zone, times, days, calendarName: s.calendar, source, sparseDays: times instanceof CronTimes };
}
