// Schedules that can never fire: an error when the schedule alone never fires, a warning when only
// its calendar keeps it from firing. Both are judged over the next NEVER_FIRES_YEARS years.
import type { ScheduleFields } from '../core/task.js';
import { taskSchedule, type TaskDef } from '../core/task.js';
import type { ValidationIssue } from '../core/validate/index.js';
import { emptyCalendars, noFireWithin, type CalendarSet, type NoFire } from '../schedule/index.js';
import type { PreparedItem } from './apply.js';

export const NEVER_FIRES_YEARS = 8;
const HORIZON_DAYS = Math.ceil(NEVER_FIRES_YEARS * 365.25);
const EXPECTED = `a schedule that fires at least once in the next ${NEVER_FIRES_YEARS} years`;
const CALENDAR_EXPECTED = `a calendar that leaves at least one of the schedule's days in the next ${NEVER_FIRES_YEARS} years`;

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
    const alone = noFireWithin({ ...schedule, calendar: undefined }, emptyCalendars, now, HORIZON_DAYS);
    if (alone !== undefined) {
      const d = describe(schedule, alone);
      issues.push(at(d.field, d.value, d.message, EXPECTED));
      continue;
    }
    const calendar = schedule.calendar === undefined ? undefined : calendars?.get(schedule.calendar);
    if (calendar === undefined || noFireWithin(schedule, calendars!, now, HORIZON_DAYS) === undefined) continue;
    const [field, value] = sourceOf(schedule);
    const message =
      `calendar "${calendar.name}" (${calendar.file}) excludes every day ${field} "${value}" would fire on in the next ` +
      `${NEVER_FIRES_YEARS} years, so it will not run; expected ${CALENDAR_EXPECTED}`;
    warnings.push(at('calendar', calendar.name, message, CALENDAR_EXPECTED));
  }
  return { issues, warnings };
}
