// Schedules that can never fire: an error when the schedule alone never fires, a warning when only
// its calendar keeps it from firing. The schedule is judged over the next NEVER_FIRES_YEARS years, the
// cycle after which weekdays fall on the same dates again (29 February on a Monday comes once in it); its
// calendar over the next CALENDAR_YEARS, or the whole cycle when the schedule's first fire is later.
import type { ScheduleFields } from '../core/task.js';
import { taskSchedule, type TaskDef } from '../core/task.js';
import type { ValidationIssue } from '../core/validate/index.js';
import { emptyCalendars, noFireWithin, type CalendarSet, type NoFire } from '../schedule/index.js';
import type { PreparedItem } from './apply.js';

export const NEVER_FIRES_YEARS = 28;
export const CALENDAR_YEARS = 8;
const days = (years: number) => Math.ceil(years * 365.25);
const EXPECTED = `a schedule that fires at least once in the next ${NEVER_FIRES_YEARS} years`;
const calendarExpected = (years: number) => `a calendar that leaves at least one of the schedule's days in the next ${years} years`;

/** The field that gives the schedule's slots, and its value. */
function sourceOf(s: ScheduleFields): [field: string, value: string] {
  if (s.trigger_times !== undefined && s.trigger_times !== '') return ['trigger_times', s.trigger_times];
  if (s.run_frequency !== undefined && s.run_frequency !== '') return ['run_frequency', s.run_frequency];
  return ['cron', s.cron ?? ''];
}

/** Where the problem is reported, and what it says. */
function describe(s: ScheduleFields, why: NoFire): { field: string; value: string; message: string } {
  const [field, value] = sourceOf(s);
  const source = `${field} "${value}"`;
  const within = `in the next ${NEVER_FIRES_YEARS} years`;
  if (why.noSlots) return { field, value, message: `never fires: ${source} selects no day ${within}; expected ${EXPECTED}` };
  const dayRule: [string, string] | undefined = why.excludedBy.includes('ordinal_day')
    ? ['ordinal_day', s.ordinal_day ?? '']
    : why.excludedBy.includes('day_of_week')
      ? ['day_of_week', s.day_of_week]
      : undefined;
  if (dayRule === undefined) return { field, value, message: `never fires: ${source} has no slot that fires ${within}; expected ${EXPECTED}` };
  return {
    field: dayRule[0],
    value: dayRule[1],
    message: `never fires: ${source} has slots only on days that ${dayRule[0]} "${dayRule[1]}" excludes, ${within}; expected ${EXPECTED}`,
  };
}

/**
 * Checks each standalone task and group of the batch (members fire with their group). `calendars`,
 * when given, are those the schedules name; a calendar that is not among them is left to the
 * calendar check.
 */
export function checkFires(
  items: readonly PreparedItem[],
  calendars: CalendarSet | undefined,
  now: number,
): { issues: ValidationIssue[]; warnings: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  for (const it of items) {
    const schedule = it.input.kind === 'group' ? it.input.def : taskSchedule(it.input.def as TaskDef);
    if (schedule === undefined) continue;
    const { name } = it.input.def;
    const at = (field: string, value: unknown, message: string, expected: string): ValidationIssue => ({
      file: it.file, index: it.index, kind: it.input.kind, name, pointer: `${it.pointer}/${field}`, value, expected, message,
    });
    // A schedule that fires stops the scan at its first fire, so only one that never does scans the whole cycle.
    const withoutCalendar = { ...schedule, calendar: undefined };
    const alone = noFireWithin(withoutCalendar, emptyCalendars, now, days(NEVER_FIRES_YEARS));
    if (alone !== undefined) {
      const d = describe(schedule, alone);
      issues.push(at(d.field, d.value, d.message, EXPECTED));
      continue;
    }
    const calendar = schedule.calendar === undefined ? undefined : calendars?.get(schedule.calendar);
    if (calendar === undefined) continue;
    const years = noFireWithin(withoutCalendar, emptyCalendars, now, days(CALENDAR_YEARS)) === undefined ? CALENDAR_YEARS : NEVER_FIRES_YEARS;
    if (noFireWithin(schedule, calendars!, now, days(years)) === undefined) continue;
    const [field, value] = sourceOf(schedule);
    const expected = calendarExpected(years);
    const message =
      `calendar "${calendar.name}" (${calendar.file}) excludes every day ${field} "${value}" would fire on in the next ` +
      `${years} years, so it will not run; expected ${expected}`;
    warnings.push(at('calendar', calendar.name, message, expected));
  }
  return { issues, warnings };
}
