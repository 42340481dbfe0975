// Which calendar names exist for a home: the shipped ones plus <home>/calendars.
import { systemClock } from '../core/clock.js';
import { homeCalendars } from '../daemon/calendars.js';
import type { CalendarSet } from '../schedule/index.js';

/** The calendars of a home, loaded on first use. */
export function lazyCalendars(home: string): () => CalendarSet {
  let calendars: CalendarSet | undefined;
  return () => (calendars ??= homeCalendars(home, systemClock.now()).calendars);
}

export function calendarChecker(home: string): (name: string) => boolean {
  const calendars = lazyCalendars(home);
  return (name) => calendars().has(name);
}

/** The options prepare() takes about a home's calendars: which exist, and the calendars themselves. */
export function calendarOptions(home: string): { calendarExists: (name: string) => boolean; calendars: () => CalendarSet } {
  const calendars = lazyCalendars(home);
  return { calendarExists: (name) => calendars().has(name), calendars };
}
