// The schedule engine's public surface: when a schedule fires, and the holiday calendars it uses.

export { nextFire, nextFires, noFireWithin, type NextFiresOptions, type NoFire } from './next-fires.js';
export type { Fire, SkippedDay, NextFiresResult } from './fires.js';
export {
  slotsBetween,
  slotsBetweenWithHolidays,
  type HolidaySlot,
  type SlotsBetweenResult,
  type SlotsWithHolidaysResult,
} from './between.js';
export type { SkipCause } from './day-filter.js';
export {
  calendarDates,
  emptyCalendars,
  holidayOn,
  requireCalendar,
  type Calendar,
  type CalendarEntry,
  type CalendarSet,
} from './calendar.js';
export { loadCalendars, runsOutWarning, brokenWarning, type BrokenCalendar, type LoadedCalendars } from './calendar-loader.js';
export { parseCalendarFile } from './calendar-file.js';
export { shippedCalendarsDir, userCalendarsDir, findCalendarsDirFrom } from './calendar-dir.js';
export { planOf, clearPlanCache } from './plan.js';
export { zoneClock } from './zone.js';
