// The next fire instants of a schedule: the cheap one the daemon calls on every change, and the
// annotated list behind `easytask next`.

import { DEFAULTS } from '../core/defaults.js';
import type { ScheduleFields } from '../core/task.js';
import { DAY_MS, isoDate } from './civil.js';
import { requireCalendar, type Calendar, type CalendarSet } from './calendar.js';
import { CAUSE_OF, type SkipCause } from './day-filter.js';
import { makeFire, type Fire, type NextFiresResult, type SkippedDay } from './fires.js';
import { planOf, type Plan } from './plan.js';
import { scan, type ScanEnd } from './scan.js';

export interface NextFiresOptions {
  /** Give up after this many days (default DEFAULTS.horizonDays). */
  horizonDays?: number;
  /** Also list the excluded days between `after` and the last fire. */
  explain?: boolean;
}

/** The schedule's calendar, if it names one; throws when the name is unknown. */
export function calendarOf(plan: Plan, calendars: CalendarSet): Calendar | undefined {
  return plan.calendarName === undefined ? undefined : requireCalendar(calendars, plan.calendarName);
}

/** The first fire instant strictly after `after` (epoch ms), or undefined if none within the horizon. */
export function nextFire(schedule: ScheduleFields, calendars: CalendarSet, after: number): number | undefined {
  const plan = planOf(schedule);
  let found: number | undefined;
  scan(plan, calendarOf(plan, calendars), after, after + DEFAULTS.horizonDays * DAY_MS, {
    fire: (_day, _sec, at) => {
      found = at;
      return false;
    },
  });
  return found;
}

/** The next `n` fires strictly after `after`, with excluded days annotated when `explain` is set. */
export function nextFires(
  schedule: ScheduleFields,
  calendars: CalendarSet,
  after: number,
  n: number,
  opts: NextFiresOptions = {},
): NextFiresResult {
  const plan = planOf(schedule);
  const calendar = calendarOf(plan, calendars);
  const horizonDays = opts.horizonDays ?? DEFAULTS.horizonDays;
  const horizon = after + horizonDays * DAY_MS;
  const fires: Fire[] = [];
  const skipped: SkippedDay[] = [];
  if (n <= 0) return { fires, skipped };
  const end = scan(plan, calendar, after, horizon, {
    fire: (day, sec, at, shifted) => {
      fires.push(makeFire(plan.zone, day, sec, at, shifted));
      return fires.length < n;
    },
    excludedDay: opts.explain
      ? (day, verdict) => {
          skipped.push({ date: isoDate(day), cause: CAUSE_OF[verdict], detail: plan.days.detail(day, verdict, calendar) });
          return true;
        }
      : undefined,
  });
  const last = fires[fires.length - 1];
  const kept = last === undefined ? [] : skipped.filter((s) => s.date < last.localDate);
  const result: NextFiresResult = { fires, skipped: kept };
  if (fires.length < n) result.exhausted = { reason: exhaustedReason(plan, end, fires.length, after, horizonDays), horizon };
  return result;
}

/** Why a schedule has no fire in a span of time (see noFireWithin). */
export interface NoFire {
  /** No day has a slot at all (the slot source selects no day in the span). */
  noSlots: boolean;
  /** What excluded the days that had slots, in the order day_of_week, ordinal_day, holiday. */
  excludedBy: SkipCause[];
}

/**
 * Undefined when the schedule fires at least once in the `horizonDays` days after `after`; otherwise
 * why it does not. The same scan as nextFire, stopped at the first fire.
 */
export function noFireWithin(schedule: ScheduleFields, calendars: CalendarSet, after: number, horizonDays: number): NoFire | undefined {
  const plan = planOf(schedule);
  let fired = false;
  const end = scan(plan, calendarOf(plan, calendars), after, after + horizonDays * DAY_MS, {
    fire: () => {
      fired = true;
      return false;
    },
  });
  if (fired) return undefined;
  if (plan.days.selectsNoWeekday) return { noSlots: false, excludedBy: ['day_of_week'] };
  const [, mask, ordinal, holiday] = end.excluded;
  const excludedBy: SkipCause[] = [];
  if (mask > 0) excludedBy.push('day_of_week');
  if (ordinal > 0) excludedBy.push('ordinal_day');
  if (holiday > 0) excludedBy.push('holiday');
  return { noSlots: end.daysWithSlots === 0, excludedBy };
}

function exhaustedReason(plan: Plan, end: ScanEnd, found: number, after: number, horizonDays: number): string {
  const when = `in the ${horizonDays} days after ${new Date(after).toISOString()}`;
  const head = found === 0 ? `no fire ${when}` : `only ${found} fire${found === 1 ? '' : 's'} ${when}`;
  if (plan.days.selectsNoWeekday) return `${head}: day_of_week ${plan.days.dayOfWeek} selects no day of the week`;
  if (end.daysWithSlots === 0) return `${head}: ${plan.source} selects no day in that time`;
  const [, mask, ordinal, holiday] = end.excluded;
  if (mask + ordinal + holiday < end.daysWithSlots) return head;
  const parts: string[] = [];
  if (holiday > 0) parts.push(`${holiday} by calendar "${plan.calendarName ?? ''}"`);
  if (mask > 0) parts.push(`${mask} by day_of_week ${plan.days.dayOfWeek}`);
  if (ordinal > 0) parts.push(`${ordinal} by ordinal_day`);
  return `${head}: every day with a slot was excluded (${parts.join(', ')})`;
}
