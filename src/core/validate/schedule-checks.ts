// Rules between schedule fields: exactly one schedule, ordinal_day vs day_of_week, members inherit.

import { DEFAULTS } from '../defaults.js';
import { report, type Scope } from './scope.js';
import type { ValidateOptions } from './types.js';

export const SCHEDULE_KEYS = ['trigger_times', 'run_frequency', 'cron'] as const;
const ONE_SCHEDULE = 'exactly one of "trigger_times", "run_frequency" or "cron"';

/** Fields a group member must not carry: it takes its schedule, zone and calendar from its group. */
export const MEMBER_FORBIDDEN = ['trigger_times', 'run_frequency', 'cron', 'timezone', 'day_of_week', 'ordinal_day', 'calendar', 'random_delay'];

/** Exactly one of trigger_times, run_frequency and cron (counted when present, valid or not). */
export function checkOneSchedule(s: Scope, raw: Record<string, unknown>, forTask: boolean): void {
  const given = SCHEDULE_KEYS.filter((k) => Object.hasOwn(raw, k));
  if (given.length === 0) {
    const alt = forTask ? ', or "task_group" to run the task in a group' : '';
    report(s, [], { expected: ONE_SCHEDULE, message: `no schedule; expected ${ONE_SCHEDULE}${alt}` });
  }
  for (const extra of given.slice(1)) {
    report(s, [extra], {
      value: raw[extra],
      expected: ONE_SCHEDULE,
      message: `"${extra}" cannot be combined with "${given[0]}"; expected ${ONE_SCHEDULE}`,
    });
  }
}

/** ordinal_day excludes day_of_week; the default "1111111" (what export writes) is tolerated beside it. */
export function checkOrdinalVsMask(s: Scope, raw: Record<string, unknown>): void {
  if (!Object.hasOwn(raw, 'ordinal_day') || !Object.hasOwn(raw, 'day_of_week')) return;
  if (raw.day_of_week === DEFAULTS.dayOfWeek) return;
  const expected = `one of the two (only "${DEFAULTS.dayOfWeek}" may stand beside ordinal_day)`;
  report(s, ['day_of_week'], {
    value: raw.day_of_week,
    expected,
    message: `"day_of_week" cannot be combined with "ordinal_day"; expected ${expected}`,
  });
}

/** A member's own schedule fields would be silently ignored, so they are errors. */
export function checkMemberFields(s: Scope, raw: Record<string, unknown>): void {
  const group = typeof raw.task_group === 'string' ? `group "${raw.task_group}"` : 'its group';
  for (const key of MEMBER_FORBIDDEN.filter((k) => Object.hasOwn(raw, k))) {
    const inherits = `it takes its schedule, time zone and calendar from ${group}`;
    report(s, [key], {
      value: raw[key],
      expected: `no "${key}" on a task with "task_group" (or no "task_group")`,
      message: `"${key}" cannot be set on a task in a group: ${inherits}; remove "${key}" or "task_group"`,
    });
  }
}

/** A dependency names members of the same group, so a standalone task cannot have one. */
export function checkDependencyNeedsGroup(s: Scope, raw: Record<string, unknown>): void {
  if (!Object.hasOwn(raw, 'dependency') || Object.hasOwn(raw, 'task_group')) return;
  report(s, ['dependency'], {
    value: raw.dependency,
    expected: '"task_group" beside "dependency"',
    message: `"dependency" needs "task_group": a dependency refers to other tasks of the same group`,
  });
}

/**
 * A calendar whose file cannot be used is an issue naming the file and its problem; an unknown one
 * is an issue only when the caller can tell which calendars exist.
 */
export function checkCalendar(s: Scope, fields: Record<string, unknown>, opts: ValidateOptions): void {
  const name = fields.calendar;
  if (typeof name !== 'string') return;
  const problem = opts.calendarProblem?.(name);
  if (problem !== undefined) {
    const expected = `a calendar file that loads (see "easytask calendar list"), or another calendar`;
    report(s, ['calendar'], { value: name, expected, message: `calendar "${name}" cannot be used: ${problem}; expected ${expected}` });
    return;
  }
  if (opts.calendarExists === undefined || opts.calendarExists(name)) return;
  const expected = 'the name of an installed holiday calendar (see "easytask calendar list")';
  report(s, ['calendar'], { value: name, expected, message: `calendar "${name}" is not known; expected ${expected}` });
}
