// Checks one task definition and normalises it with defaults.

import { DEFAULTS } from '../defaults.js';
import { assemble, keysOf, nameScope, type Checked } from './checked.js';
import { readFields } from './fields.js';
import { GROUP_RULES, TASK_ALIASES, TASK_RULES } from './rules.js';
import {
  checkCalendar,
  checkDependencyNeedsGroup,
  checkMemberFields,
  checkOneSchedule,
  checkOrdinalVsMask,
} from './schedule-checks.js';
import { isRecord, reportMissing, reportType, type Scope } from './scope.js';
import { checkStrict, STRICT_STANDALONE, STRICT_TASK } from './strict.js';
import type { TaskInput, ValidateOptions } from './types.js';

const REQUIRED = ['name', 'cmd'];
export const TASK_EXPECTED = 'a task object such as {"name": "backup", "cmd": "backup.sh", "trigger_times": "02:00"}';
const KNOWN = {
  what: 'task fields',
  keys: Object.keys(TASK_RULES),
  aliases: TASK_ALIASES,
  other: { what: 'group fields', keys: Object.keys(GROUP_RULES) },
};

export function checkTask(raw: unknown, s: Scope, opts: ValidateOptions): Checked<TaskInput> {
  if (!isRecord(raw)) {
    reportType(s, [], raw, TASK_EXPECTED);
    return {};
  }
  nameScope(s, raw);
  const before = s.issues.length;
  const fields = readFields(s, raw, TASK_RULES, KNOWN);
  for (const key of REQUIRED) if (!Object.hasOwn(raw, key)) reportMissing(s, [key], TASK_RULES[key]!.expected);
  const member = Object.hasOwn(raw, 'task_group');
  if (member) {
    checkMemberFields(s, raw);
  } else {
    checkOneSchedule(s, raw, true);
    checkOrdinalVsMask(s, raw);
    checkDependencyNeedsGroup(s, raw);
    checkCalendar(s, fields, opts);
  }
  if (opts.strict) {
    checkStrict(s, raw, member ? STRICT_TASK : [...STRICT_TASK, ...STRICT_STANDALONE], TASK_RULES, REQUIRED);
  }
  const keys = keysOf(fields, raw, 'tid', DEFAULTS.instance);
  if (s.issues.length > before) return keys;
  const defaults: Record<string, unknown> = {
    task_owner: opts.defaultOwner,
    run_on_host: DEFAULTS.runOnHost,
    active: true,
    instance: DEFAULTS.instance,
    retry_attempts: 0,
    retry_delay: DEFAULTS.retryDelaySeconds,
    catch_up: DEFAULTS.catchUp,
    overlap: DEFAULTS.overlap,
    ...(member ? {} : { timezone: opts.defaultTimezone, day_of_week: DEFAULTS.dayOfWeek }),
  };
  // Every field was checked against TASK_RULES, and the required ones are present.
  return { ...keys, input: assemble(TASK_RULES, fields, defaults) as unknown as TaskInput };
}
