// Holiday calendars in memory: named sets of local dates a task does not run on.

import { badInput, notFound } from '../core/errors.js';
import { isoDate, parseIsoDate } from './civil.js';

/** One entry as written in a calendar file. */
export type CalendarEntry =
  | { date: string; reason: string }
  | { from: string; to: string; reason: string };

export interface Calendar {
  name: string;
  description: string;
  /** The file it was loaded from. */
  file: string;
  /** The entries as written. */
  entries: readonly CalendarEntry[];
  /** Every covered local date (epoch day) and its reason; ranges expanded. */
  days: ReadonlyMap<number, string>;
  /** First and last covered dates, `YYYY-MM-DD`, or undefined for an empty calendar. */
  first?: string;
  last?: string;
}

/** Calendars by name. */
export type CalendarSet = ReadonlyMap<string, Calendar>;

export const emptyCalendars: CalendarSet = new Map();

/**
 * The calendar a schedule names; a missing one is an error, never "no holidays". `broken`: calendar
 * files that could not be loaded, so that naming one says what is wrong with its file.
 */
export function requireCalendar(
  calendars: CalendarSet,
  name: string,
  broken?: ReadonlyMap<string, { name: string; problem: string }>,
): Calendar {
  const cal = calendars.get(name);
  const bad = cal === undefined ? broken?.get(name) : undefined;
  if (bad !== undefined) throw badInput(`calendar "${name}" cannot be used: ${bad.problem}`);
  if (cal === undefined) {
    const known = [...calendars.keys()].sort().join(', ') || 'none';
    throw notFound(`calendar "${name}" does not exist (known calendars: ${known})`);
  }
  return cal;
}

/** The holiday reason for a `YYYY-MM-DD` date, if the calendar covers it. */
export function holidayOn(cal: Calendar, date: string): string | undefined {
  const day = parseIsoDate(date);
  return day === undefined ? undefined : cal.days.get(day);
}

/** Every covered date in order, ranges expanded. */
export function calendarDates(cal: Calendar): { date: string; reason: string }[] {
  return [...cal.days.entries()].sort((a, b) => a[0] - b[0]).map(([day, reason]) => ({ date: isoDate(day), reason }));
}

/** Build a Calendar from already validated entries. */
export function makeCalendar(name: string, description: string, file: string, entries: readonly CalendarEntry[]): Calendar {
  const days = new Map<number, string>();
  const add = (day: number, reason: string): void => {
    const prior = days.get(day);
    days.set(day, prior === undefined || prior === reason ? reason : `${prior}; ${reason}`);
  };
  for (const e of entries) {
    if ('date' in e) add(parseIsoDate(e.date)!, e.reason);
    else for (let d = parseIsoDate(e.from)!; d <= parseIsoDate(e.to)!; d++) add(d, e.reason);
  }
  const sorted = [...days.keys()].sort((a, b) => a - b);
  const cal: Calendar = { name, description, file, entries, days };
  if (sorted.length > 0) {
    cal.first = isoDate(sorted[0]!);
    cal.last = isoDate(sorted[sorted.length - 1]!);
  }
  return cal;
}
