// The slots of a past date range for `easytask backfill`: every fire of the schedule (calendar,
// day_of_week, ordinal_day and daylight saving applied) from the start of the first date to the end of
// the last, in the schedule's zone, and never after `now`.
import { DateTime } from 'luxon';
import { EasyTaskError } from '../core/errors.js';
import type { ScheduleFields } from '../core/task.js';
import { slotsBetween } from './between.js';
import type { CalendarSet } from './calendar.js';
import type { Fire } from './fires.js';

export const BACKFILL_MAX_DEFAULT = 1000;

export interface BackfillRange {
  /** The fires in the range, oldest first. */
  fires: Fire[];
  /** The range as instants: (from - 1 ms, to]. */
  from: number;
  to: number;
}

/** `YYYY-MM-DD` or `YYYYMMDD`, a real date, at the start of that day in `zone`. */
function dayStart(text: string, option: string, zone: string): DateTime {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  const d = m ? DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, { zone }) : undefined;
  if (!d?.isValid) throw new EasyTaskError('BAD_INPUT', `${option} must be a date as YYYY-MM-DD (in the task's zone), got "${text}"`, 2);
  return d.startOf('day');
}

export function backfillRange(schedule: ScheduleFields, calendars: CalendarSet, fromDate: string, toDate: string, now: number, max: number = BACKFILL_MAX_DEFAULT): BackfillRange {
  const first = dayStart(fromDate, '--from', schedule.timezone);
  const last = dayStart(toDate, '--to', schedule.timezone);
  if (first > last) throw new EasyTaskError('BAD_INPUT', `--from ${fromDate} is after --to ${toDate}`, 2);
  const from = first.toMillis();
  if (from > now) throw new EasyTaskError('BAD_INPUT', `--from ${fromDate} is in the future: backfill creates the runs of past slots only`, 2);
  const to = Math.min(last.plus({ days: 1 }).toMillis() - 1, now);
  const { fires, omitted } = slotsBetween(schedule, calendars, from - 1, to, max + 1);
  const total = fires.length + omitted;
  if (total > max) throw new EasyTaskError('BAD_INPUT', `the range holds ${total} slots, more than --max ${max}; narrow it or pass --max ${total}`, 2);
  return { fires, from, to };
}
