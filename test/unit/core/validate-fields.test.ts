// Every task field of product.md §2: a valid and an invalid value each, with the exact message.
import { describe, expect, it } from 'vitest';
import { formatIssue, validateDocument, type ValidateOptions } from '../../../src/core/validate/index.js';

const OPTS: ValidateOptions = { defaultTimezone: 'Europe/Berlin', defaultOwner: 'alice' };
const BASE = { name: 't', cmd: 'echo hi', trigger_times: '08:00' };
const AT = 'tasks.json: task #1 "t"';
const TT = 'comma separated times of day as HH:MM or HH:MM:SS, 00:00 to 23:59:59 (e.g. "08:30, 17:00")';
const RF = 'HH:MM-HH:MM-N: from START to END (START not after END) every N minutes, N from 1 to 1440 (e.g. "09:00-17:00-15")';
const CRON = 'a cron expression of 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first (e.g. "*/15 9-17 * * 1-5")';
const TZ = 'an IANA time zone such as "America/New_York", "Europe/Berlin" or "UTC" (legacy links such as "US/Eastern" work too)';
const DOW = '7 characters of 0 or 1, Monday first (e.g. "1111100" for weekdays)';
const OD = '"<first|second|third|fourth|last> <weekday> of every month" (e.g. "last friday of every month")';
const NAME = '1 to 128 letters, digits, "_" or "-" (e.g. "nightly_backup")';

/** Validates BASE with `fields` merged in (a field set to undefined is removed). */
function check(fields: Record<string, unknown>, opts: Partial<ValidateOptions> = {}) {
  const def: Record<string, unknown> = { ...BASE, ...fields };
  for (const k of Object.keys(def)) if (def[k] === undefined) delete def[k];
  const r = validateDocument(def, 'tasks.json', { ...OPTS, ...opts });
  return { lines: r.issues.map(formatIssue), input: r.tasks[0]?.input as Record<string, unknown> | undefined };
}

// [field, value, the normalised value kept (defaults to value)]
const VALID: [string, unknown, unknown?][] = [
  ['tid', 1001],
  ['tid', 1000002],
  ['name', 'Nightly_backup-2'],
  ['name', 'x'.repeat(128)],
  ['task_owner', 'root'],
  ['task_owner', 'o'.repeat(64)],
  ['cmd', 'echo ${E:YYYYMMDD} > /tmp/x'],
  ['run_on_host', 'production-server-1'],
  ['run_on_host', 'h'.repeat(128)],
  ['description', ''],
  ['description', 'd'.repeat(256)],
  ['stdout', 'logs/${T:task_name}.out'],
  ['stderr', 'e'.repeat(128)],
  ['active', false],
  ['instance', 'prod_eu-1'],
  ['timezone', 'US/Eastern'],
  ['timezone', 'America/New_York'],
  ['timezone', 'UTC'],
  ['trigger_times', ' (17:00), 08:30,08:30:00, 8:30,23:59:59 ', '08:30,17:00,23:59:59'],
  ['day_of_week', '1111100'],
  ['calendar', 'US_HOLIDAYS'],
  ['max_run_time', 1],
  ['max_run_time', 172800],
  ['retry_attempts', 0],
  ['retry_attempts', 10],
  ['retry_delay', 0],
  ['task_accept_expiry_time', 1],
  ['profile', '/etc/easytask/profile.sh'],
  ['run_as_user', 'svc_backup'],
  ['run_as_user', '_apt'],
  ['cwd', '/srv/reports'],
  ['cwd', '/'],
  ['catch_up', 'none'],
  ['catch_up', 'all'],
  ['overlap', 'queue'],
  ['overlap', 'allow'],
  ['env', { LANG: 'C.UTF-8', _X1: '' }],
  ['max_output_bytes', 1024],
];

describe('task fields: valid values', () => {
  it.each(VALID)('%s = %j', (field, value, kept) => {
    const r = check({ [field]: value });
    expect(r.lines).toEqual([]);
    expect(r.input?.[field]).toEqual(kept ?? value);
  });

  it.each([
    ['run_frequency', '09:00-17:00-15', '09:00-17:00-15'],
    ['run_frequency', ' 9:00 - 17:00 - 015 ', '09:00-17:00-15'],
    ['run_frequency', '02:00-02:00-1440', '02:00-02:00-1440'],
    ['cron', '*/15 9-17 * * 1-5', '*/15 9-17 * * 1-5'],
    ['cron', ' 0   */5 * * * * ', '0 */5 * * * *'],
    ['cron', '0 9 * * MON-FRI', '0 9 * * MON-FRI'],
  ])('%s = %j (instead of trigger_times)', (field, value, kept) => {
    const r = check({ trigger_times: undefined, [field]: value });
    expect(r.lines).toEqual([]);
    expect(r.input?.[field]).toBe(kept);
  });

  it.each([
    ['Last Friday of every month', 'last friday of every month'],
    ['first  monday of every month', 'first monday of every month'],
    ['fourth sunday of every month', 'fourth sunday of every month'],
  ])('ordinal_day = %j', (value, kept) => {
    const r = check({ ordinal_day: value });
    expect(r.lines).toEqual([]);
    expect(r.input?.ordinal_day).toBe(kept);
  });
});

// [field, value, the message after `tasks.json: task #1 "t" /<field>: `]
const INVALID: [string, unknown, string][] = [
  ['tid', 1000, 'expected an integer greater than 1000, got 1000'],
  ['tid', 1000002.5, 'expected an integer greater than 1000, got 1000002.5'],
  ['tid', '1000002', 'expected an integer greater than 1000, got "1000002"; write it as a JSON number, without quotes'],
  ['tid', '0100123', 'expected an integer greater than 1000, got "0100123"; write it as a JSON number, without quotes and without leading zeros'],
  ['tid', 2 ** 60, 'expected an integer greater than 1000, got 1152921504606847000'],
  ['task_owner', '', '"" is empty; expected a user name of 1 to 64 characters'],
  ['task_owner', 'o'.repeat(65), `"${'o'.repeat(58)}… is too long (65 characters); expected a user name of 1 to 64 characters`],
  ['cmd', '   ', '"   " is empty; expected a non-empty command line, run with bash -c'],
  ['cmd', ['ls', '-l'], 'expected a non-empty command line, run with bash -c, got ["ls","-l"]'],
  ['run_on_host', 'prod server', '"prod server" is not valid; expected a host or queue name of 1 to 128 characters without spaces (default "localhost")'],
  ['run_on_host', 'h'.repeat(129), `"${'h'.repeat(58)}… is not valid; expected a host or queue name of 1 to 128 characters without spaces (default "localhost")`],
  ['description', 'd'.repeat(257), `"${'d'.repeat(58)}… is too long (257 characters); expected a text of at most 256 characters`],
  ['stdout', '', '"" is empty; expected a file path of 1 to 128 characters (a relative path is under <home>/logs/)'],
  ['stderr', 'e'.repeat(129), `"${'e'.repeat(58)}… is too long (129 characters); expected a file path of 1 to 128 characters (a relative path is under <home>/logs/)`],
  ['active', 'yes', 'expected a boolean (true or false), got "yes"'],
  ['active', 1, 'expected a boolean (true or false), got 1'],
  ['instance', 'prod eu', '"prod eu" is not valid; expected an instance name of 1 to 128 letters, digits, "_" or "-" (default "default")'],
  ['timezone', 'Mars/Olympus', `"Mars/Olympus" is not valid; expected ${TZ}`],
  ['timezone', 'UTC+3', `"UTC+3" is not valid; expected ${TZ}`],
  ['trigger_times', '25:00', `"25:00" is not valid; expected ${TT}`],
  ['trigger_times', '08:30, 8am', `"08:30, 8am" is not valid; expected ${TT}`],
  ['trigger_times', ' , ', `" , " is not valid; expected ${TT}`],
  ['trigger_times', ['08:30'], `expected ${TT}, got ["08:30"]`],
  ['day_of_week', '11111', `"11111" is not valid; expected ${DOW}`],
  ['day_of_week', '0000000', `"0000000" never runs (no day is set); expected ${DOW}`],
  ['ordinal_day', 'fifth monday of every month', `"fifth monday of every month" is not valid; expected ${OD}`],
  ['ordinal_day', 'last funday of every month', `"last funday of every month" is not valid; expected ${OD}`],
  ['calendar', 'US HOLIDAYS', '"US HOLIDAYS" is not valid; expected a calendar name of letters, digits, "_" or "-" (e.g. "US_HOLIDAYS")'],
  ['max_run_time', 0, 'expected an integer from 1 to 172800 (seconds), got 0'],
  ['max_run_time', 172801, 'expected an integer from 1 to 172800 (seconds), got 172801'],
  ['max_run_time', '300', 'expected an integer from 1 to 172800 (seconds), got "300"; write it as a JSON number, without quotes'],
  ['retry_attempts', -1, 'expected an integer from 0 to 10, got -1'],
  ['retry_attempts', 11, 'expected an integer from 0 to 10, got 11'],
  ['retry_delay', -5, 'expected an integer of seconds, 0 or more, got -5'],
  ['task_accept_expiry_time', 0, 'expected an integer of seconds, 1 or more, got 0'],
  ['profile', '', '"" is empty; expected the path of a shell file to source before cmd'],
  ['run_as_user', '1user', '"1user" is not valid; expected a user name of up to 32 letters, digits, ".", "_" or "-", starting with a letter or "_"'],
  ['run_as_user', 'u'.repeat(33), `"${'u'.repeat(33)}" is not valid; expected a user name of up to 32 letters, digits, ".", "_" or "-", starting with a letter or "_"`],
  ['cwd', 'reports', '"reports" is not an absolute path; expected an absolute folder path of up to 4096 characters, the working directory of cmd (default: the home of the user it runs as)'],
  ['cwd', '', '"" is empty; expected an absolute folder path of up to 4096 characters, the working directory of cmd (default: the home of the user it runs as)'],
  ['cwd', '~/reports', '"~/reports" is not an absolute path; expected an absolute folder path of up to 4096 characters, the working directory of cmd (default: the home of the user it runs as)'],
  ['catch_up', 'latests', '"latests" is not valid; expected one of "none", "latest" or "all" (default "latest")'],
  ['overlap', 'Skip', '"Skip" is not valid; expected one of "skip", "queue", "allow" or "replace" (default "skip")'],
  ['env', ['A=1'], 'expected an object of variables with string values, e.g. {"LANG": "C.UTF-8"}, got ["A=1"]'],
  ['max_output_bytes', 1023, 'expected an integer of bytes, 1024 or more, got 1023'],
  ['description', null, 'expected a text of at most 256 characters, got null'],
];

describe('task fields: invalid values', () => {
  it.each(INVALID)('%s = %j', (field, value, message) => {
    const r = check({ [field]: value });
    expect(r.lines).toEqual([`${AT} /${field}: ${message}`]);
    expect(r.input).toBeUndefined();
  });

  it.each([
    ['run_frequency', '17:00-09:00-15', `"17:00-09:00-15" is not valid; expected ${RF}`],
    ['run_frequency', '09:00-17:00-0', `"09:00-17:00-0" is not valid; expected ${RF}`],
    ['run_frequency', '09:00-17:00-1441', `"09:00-17:00-1441" is not valid; expected ${RF}`],
    ['run_frequency', 'every 5 minutes', `"every 5 minutes" is not valid; expected ${RF}`],
    ['cron', '0 0 0 * * * 2025', `"0 0 0 * * * 2025" has 7 fields; expected ${CRON}`],
    ['cron', '* * *', `"* * *" has 3 fields; expected ${CRON}`],
    ['cron', '', `"" is empty; expected ${CRON}`],
    ['cron', '61 * * * *', `"61 * * * *" is not valid (Constraint error, got value 61 expected range 0-59); expected ${CRON}`],
    ['cron', '@daily', `"@daily" is a shorthand; write it as "0 0 * * *"; expected ${CRON}`],
    ['cron', '@reboot', `"@reboot" is not supported; expected ${CRON}`],
  ])('%s = %j', (field, value, message) => {
    const r = check({ trigger_times: undefined, [field]: value });
    expect(r.lines).toEqual([`${AT} /${field}: ${message}`]);
  });
});

describe('names', () => {
  it.each([
    ['', '"" is empty'],
    ['has space', '"has space" is not valid'],
    ['x'.repeat(129), `"${'x'.repeat(58)}… is not valid`],
    ['tâche', '"tâche" is not valid'],
  ])('name %j is refused, and the issue carries no name', (name, problem) => {
    expect(check({ name }).lines).toEqual([`tasks.json: task #1 /name: ${problem}; expected ${NAME}`]);
  });

  it('a non-string name', () => {
    expect(check({ name: 42 }).lines).toEqual([`tasks.json: task #1 /name: expected ${NAME}, got 42`]);
  });
});
