// The field tables of product.md §2 (tasks) and §4 (groups): each field's type, range and expectation.

import { DAY_OF_WEEK_EXPECTED, ORDINAL_DAY_EXPECTED, RUN_FREQUENCY_EXPECTED, TRIGGER_TIMES_EXPECTED } from '../schedule-fields.js';
import { readAlert, ALERT_EXPECTED } from './alert.js';
import { readEnv, ENV_EXPECTED } from './env.js';
import * as sched from './schedule-rules.js';
import type { Path, Scope } from './scope.js';
import * as text from './text-rules.js';

export type FieldRule =
  | { kind: 'integer'; min: number; max?: number; expected: string }
  | { kind: 'boolean'; expected: string }
  | { kind: 'text'; expected: string; parse: text.TextParse }
  | { kind: 'object'; expected: string; read: (s: Scope, value: unknown, path: Path) => unknown };

export type RuleTable = Readonly<Record<string, FieldRule>>;

const int = (min: number, max: number | undefined, expected: string): FieldRule =>
  max === undefined ? { kind: 'integer', min, expected } : { kind: 'integer', min, max, expected };
const txt = (parse: text.TextParse, expected: string): FieldRule => ({ kind: 'text', parse, expected });
const BOOLEAN: FieldRule = { kind: 'boolean', expected: 'a boolean (true or false)' };
const CATCH_UP = ['none', 'latest', 'all'];
const OVERLAP = ['skip', 'queue', 'allow', 'replace'];

/** Fields a task and a group share, with the same rules. */
const COMMON = {
  name: txt(text.matching(text.NAME_RE), text.NAME_EXPECTED),
  description: txt(text.lengthBetween(0, 256), 'a text of at most 256 characters'),
  active: BOOLEAN,
  instance: txt(text.matching(text.NAME_RE), 'an instance name of 1 to 128 letters, digits, "_" or "-" (default "default")'),
  timezone: txt(sched.timezone, sched.TIMEZONE_EXPECTED),
  trigger_times: txt(sched.triggerTimes, TRIGGER_TIMES_EXPECTED),
  run_frequency: txt(sched.runFrequency, RUN_FREQUENCY_EXPECTED),
  cron: txt(sched.cron, sched.CRON_EXPECTED),
  day_of_week: txt(sched.dayOfWeek, DAY_OF_WEEK_EXPECTED),
  ordinal_day: txt(sched.ordinalDay, ORDINAL_DAY_EXPECTED),
  calendar: txt(text.matching(text.CALENDAR_RE), 'a calendar name of letters, digits, "_" or "-" (e.g. "US_HOLIDAYS")'),
  catch_up: txt(text.oneOf(CATCH_UP), `one of ${text.quotedList(CATCH_UP)} (default "latest")`),
  random_delay: int(0, 86400, 'an integer from 0 to 86400 (seconds): each slot\'s run is due up to this much after the slot'),
} satisfies RuleTable;

/** Task fields in the order a normalised task lists them. */
export const TASK_RULES: RuleTable = {
  tid: int(1001, undefined, 'an integer greater than 1000'),
  name: COMMON.name,
  task_owner: txt(text.lengthBetween(1, 64), 'a user name of 1 to 64 characters'),
  cmd: txt(text.lengthBetween(1, Infinity), 'a non-empty command line, run with bash -c'),
  run_on_host: txt(text.matching(text.HOST_RE), 'a host or queue name of 1 to 128 characters without spaces (default "localhost")'),
  description: COMMON.description,
  stdout: txt(text.lengthBetween(1, 128), 'a file path of 1 to 128 characters (a relative path is under <home>/logs/)'),
  stderr: txt(text.lengthBetween(1, 128), 'a file path of 1 to 128 characters (a relative path is under <home>/logs/)'),
  active: COMMON.active,
  instance: COMMON.instance,
  timezone: COMMON.timezone,
  trigger_times: COMMON.trigger_times,
  run_frequency: COMMON.run_frequency,
  cron: COMMON.cron,
  day_of_week: COMMON.day_of_week,
  ordinal_day: COMMON.ordinal_day,
  calendar: COMMON.calendar,
  random_delay: COMMON.random_delay,
  max_run_time: int(1, 172800, 'an integer from 1 to 172800 (seconds)'),
  retry_attempts: int(0, 10, 'an integer from 0 to 10'),
  retry_delay: int(0, undefined, 'an integer of seconds, 0 or more'),
  task_accept_expiry_time: int(1, undefined, 'an integer of seconds, 1 or more'),
  profile: txt(text.lengthBetween(1, 4096), 'the path of a shell file to source before cmd'),
  run_as_user: txt(text.matching(text.USER_RE), 'a user name of up to 32 letters, digits, ".", "_" or "-", starting with a letter or "_"'),
  cwd: txt(text.absolutePath(4096), 'an absolute folder path of up to 4096 characters, the working directory of cmd (default: the home of the user it runs as)'),
  task_group: txt(text.matching(text.NAME_RE), `the name of a group: ${text.NAME_EXPECTED}`),
  dependency: txt(text.lengthBetween(1, 4096), 'a dependency expression such as "S:extract and not F:load"'),
  alert: { kind: 'object', read: readAlert, expected: ALERT_EXPECTED },
  healthcheck: txt(text.httpUrl, 'an http:// or https:// ping URL such as "https://hc-ping.com/<uuid>" (pinged at /start, on success, and at /fail)'),
  catch_up: COMMON.catch_up,
  overlap: txt(text.oneOf(OVERLAP), `one of ${text.quotedList(OVERLAP)} (default "skip")`),
  env: { kind: 'object', read: readEnv, expected: ENV_EXPECTED },
  max_output_bytes: int(1024, undefined, 'an integer of bytes, 1024 or more'),
  retain_runs: int(1, undefined, 'an integer, 1 or more: keep the last N final runs of the task'),
  retain_failures: int(1, undefined, 'an integer, 1 or more: keep the last N failed runs of the task, apart from retain_runs'),
};

/** Group fields in the order a normalised group lists them. */
export const GROUP_RULES: RuleTable = {
  gid: int(1001, undefined, 'an integer greater than 1000'),
  name: COMMON.name,
  description: COMMON.description,
  active: COMMON.active,
  instance: COMMON.instance,
  timezone: COMMON.timezone,
  trigger_times: COMMON.trigger_times,
  run_frequency: COMMON.run_frequency,
  cron: COMMON.cron,
  day_of_week: COMMON.day_of_week,
  ordinal_day: COMMON.ordinal_day,
  calendar: COMMON.calendar,
  random_delay: COMMON.random_delay,
  dependency: txt(text.lengthBetween(1, 4096), 'a dependency expression on other groups such as "S:extract_group"'),
  catch_up: COMMON.catch_up,
};

/** Common words for a field, folded (lower case, no "_" or "-"), mapped to the field EasyTask uses. */
export const TASK_ALIASES: Readonly<Record<string, string>> = {
  id: 'tid',
  command: 'cmd',
  owner: 'task_owner',
  user: 'run_as_user',
  host: 'run_on_host',
  tz: 'timezone',
  enabled: 'active',
  timeout: 'max_run_time',
  retries: 'retry_attempts',
  retry: 'retry_attempts',
  group: 'task_group',
  dependson: 'dependency',
  dependencies: 'dependency',
  environment: 'env',
  holidays: 'calendar',
  workdir: 'cwd',
  workingdirectory: 'cwd',
  directory: 'cwd',
  dir: 'cwd',
};

export const GROUP_ALIASES: Readonly<Record<string, string>> = {
  id: 'gid',
  tz: 'timezone',
  enabled: 'active',
  dependson: 'dependency',
  dependencies: 'dependency',
  holidays: 'calendar',
};
