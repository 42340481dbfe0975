// Shared builders for the schedule engine tests.
import type { ScheduleFields } from '../../../src/core/task.js';
import {
  emptyCalendars,
  nextFires,
  type CalendarSet,
  type Fire,
  type NextFiresOptions,
} from '../../../src/schedule/index.js';
import { makeCalendar, type CalendarEntry } from '../../../src/schedule/calendar.js';

export function sched(fields: Partial<ScheduleFields> & { timezone: string }): ScheduleFields {
  return { day_of_week: '1111111', ...fields };
}

/** "local slot[ gap]" strings, the easiest form to read in a failing table test. */
export function show(fire: Fire): string {
  return `${fire.local} ${fire.slot}${fire.shifted ? ' gap' : ''}`;
}

export function firesOf(
  fields: Partial<ScheduleFields> & { timezone: string },
  after: string,
  n: number,
  calendars: CalendarSet = emptyCalendars,
  opts: NextFiresOptions = {},
): string[] {
  return nextFires(sched(fields), calendars, Date.parse(after), n, opts).fires.map(show);
}

export function calendarSet(name: string, entries: CalendarEntry[]): CalendarSet {
  return new Map([[name, makeCalendar(name, 'test calendar', `${name}.json`, entries)]]);
}
