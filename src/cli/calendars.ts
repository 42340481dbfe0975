// Which calendar names exist for a home: the shipped ones plus <home>/calendars.
import { systemClock } from '../core/clock.js';
import { homeCalendars } from '../daemon/calendars.js';

export function calendarChecker(home: string): (name: string) => boolean {
  let names: ReadonlySet<string> | undefined;
  return (name) => (names ??= new Set(homeCalendars(home, systemClock.now()).calendars.keys())).has(name);
}
