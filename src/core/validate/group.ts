// Checks one group definition and normalises it with defaults.

import { DEFAULTS } from '../defaults.js';
import { assemble, keysOf, nameScope, type Checked } from './checked.js';
import { readFields } from './fields.js';
import { GROUP_ALIASES, GROUP_RULES, TASK_RULES } from './rules.js';
import { checkCalendar, checkOneSchedule, checkOrdinalVsMask } from './schedule-checks.js';
import { isRecord, reportMissing, reportType, type Scope } from './scope.js';
import { checkStrict, STRICT_GROUP } from './strict.js';
import type { GroupInput, ValidateOptions } from './types.js';

const REQUIRED = ['name'];
export const GROUP_EXPECTED = 'a group object such as {"gid": 5000001, "name": "etl", "trigger_times": "01:00"}';
const KNOWN = {
  what: 'group fields',
  keys: Object.keys(GROUP_RULES),
  aliases: GROUP_ALIASES,
  other: { what: 'task fields', keys: Object.keys(TASK_RULES) },
};

export function checkGroup(raw: unknown, s: Scope, opts: ValidateOptions): Checked<GroupInput> {
  if (!isRecord(raw)) {
    reportType(s, [], raw, GROUP_EXPECTED);
    return {};
  }
  nameScope(s, raw);
  const before = s.issues.length;
  const fields = readFields(s, raw, GROUP_RULES, KNOWN);
  for (const key of REQUIRED) if (!Object.hasOwn(raw, key)) reportMissing(s, [key], GROUP_RULES[key]!.expected);
  checkOneSchedule(s, raw, false);
  checkOrdinalVsMask(s, raw);
  checkCalendar(s, fields, opts);
  if (opts.strict) checkStrict(s, raw, STRICT_GROUP, GROUP_RULES, REQUIRED);
  const keys = keysOf(fields, raw, 'gid', DEFAULTS.instance);
  if (s.issues.length > before) return keys;
  const defaults: Record<string, unknown> = {
    active: true,
    instance: DEFAULTS.instance,
    timezone: opts.defaultTimezone,
    day_of_week: DEFAULTS.dayOfWeek,
    catch_up: DEFAULTS.catchUp,
  };
  // Every field was checked against GROUP_RULES, and the required ones are present.
  return { ...keys, input: assemble(GROUP_RULES, fields, defaults) as unknown as GroupInput };
}
