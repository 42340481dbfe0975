// The calendars a home sees: the shipped folder, then <home>/calendars (which may override by name).
import { loadCalendars, shippedCalendarsDir, userCalendarsDir, type LoadedCalendars } from '../schedule/index.js';

export function calendarDirs(home: string): string[] {
  const shipped = shippedCalendarsDir();
  return [...(shipped ? [shipped] : []), userCalendarsDir(home)];
}

export function homeCalendars(home: string, now: number): LoadedCalendars {
  return loadCalendars(calendarDirs(home), { now });
}
