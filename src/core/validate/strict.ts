// `validate --strict`: EasyTask's full mandatory-field list, beyond what EasyTask needs to run a task.

import type { RuleTable } from './rules.js';
import { reportMissing, type Scope } from './scope.js';

/**
 * The mandatory fields in strict mode (fields that are always required are checked elsewhere):
 * - every task: tid, name, task_owner, cmd, run_on_host, max_run_time, retry_attempts, stdout, stderr,
 *   active, instance;
 * - a standalone task also: timezone, day_of_week (ordinal_day stands in for it) and a schedule
 *   (trigger_times, run_frequency or cron — required in every mode);
 * - a group member: nothing more, it inherits the schedule fields (and may not carry them);
 * - every group: gid, name, timezone, active, instance, day_of_week (or ordinal_day) and a schedule.
 */
export const STRICT_TASK = [
  'tid', 'name', 'task_owner', 'cmd', 'run_on_host', 'max_run_time', 'retry_attempts', 'stdout', 'stderr', 'active', 'instance',
];
export const STRICT_STANDALONE = ['timezone', 'day_of_week'];
export const STRICT_GROUP = ['gid', 'name', 'timezone', 'active', 'instance', 'day_of_week'];

/** Reports each strict field that `raw` does not give, except those in `alwaysRequired`. */
export function checkStrict(
  s: Scope,
  raw: Record<string, unknown>,
  mandatory: readonly string[],
  rules: RuleTable,
  alwaysRequired: readonly string[],
): void {
  for (const key of mandatory) {
    if (Object.hasOwn(raw, key) || alwaysRequired.includes(key)) continue;
    if (key === 'day_of_week' && Object.hasOwn(raw, 'ordinal_day')) continue;
    reportMissing(s, [key], rules[key]!.expected, 'strict mode requires');
  }
}
