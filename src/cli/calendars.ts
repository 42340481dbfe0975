// The calendars of a home as definition checks see them: the shipped ones plus <home>/calendars.
import { systemClock } from '../core/clock.js';
import { homeCalendars } from '../daemon/calendars.js';
import { brokenWarning, type CalendarSet, type LoadedCalendars } from '../schedule/index.js';

export interface CalendarOptions {
  calendarExists: (name: string) => boolean;
  /** What is wrong with the file of a calendar that cannot be used. */
  calendarProblem: (name: string) => string | undefined;
  calendars: () => CalendarSet;
  /** Warnings for the calendar files that cannot be used and that no check asked about (none when nothing was loaded). */
  unusedBroken: () => string[];
}

/** The options prepare() takes about a home's calendars, read from disk on first use. */
export function calendarOptions(home: string): CalendarOptions {
  let loaded: LoadedCalendars | undefined;
  const load = () => (loaded ??= homeCalendars(home, systemClock.now()));
  // The names definitions use: a broken one among them is an issue, so it gets no warning as well.
  const asked = new Set<string>();
  return {
    calendarExists: (name) => load().calendars.has(name),
    calendarProblem: (name) => {
      asked.add(name);
      return load().broken.get(name)?.problem;
    },
    calendars: () => load().calendars,
    unusedBroken: () => (loaded === undefined ? [] : [...loaded.broken.values()].filter((b) => !asked.has(b.name)).map(brokenWarning)),
  };
}
