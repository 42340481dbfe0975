// Rules between fields: one schedule, group members, ordinal_day vs day_of_week, alert, env, calendars.
import { describe, expect, it } from 'vitest';
import { formatIssue, validateDocument, type ValidateOptions } from '../../../src/core/validate/index.js';

const OPTS: ValidateOptions = { defaultTimezone: 'Europe/Berlin', defaultOwner: 'alice' };
const ONE = 'exactly one of "trigger_times", "run_frequency" or "cron"';

function lines(raw: unknown, opts: Partial<ValidateOptions> = {}): string[] {
  return validateDocument(raw, 'tasks.json', { ...OPTS, ...opts }).issues.map(formatIssue);
}

describe('required fields', () => {
  it('a task needs name and cmd', () => {
    expect(lines({ trigger_times: '08:00' })).toEqual([
      'tasks.json: task #1 /name: missing required field "name"; expected 1 to 128 letters, digits, "_" or "-" (e.g. "nightly_backup")',
      'tasks.json: task #1 /cmd: missing required field "cmd"; expected a non-empty command line, run with bash -c',
    ]);
  });

  it('a group needs a name', () => {
    expect(lines({ gid: 5000001, cron: '0 1 * * *' })).toEqual([
      'tasks.json: group #1 /name: missing required field "name"; expected 1 to 128 letters, digits, "_" or "-" (e.g. "nightly_backup")',
    ]);
  });
});

describe('exactly one schedule for a standalone task', () => {
  it('none', () => {
    expect(lines({ name: 't', cmd: 'x' })).toEqual([
      `tasks.json: task #1 "t": no schedule; expected ${ONE}, or "task_group" to run the task in a group`,
    ]);
  });

  it('two and three', () => {
    expect(lines([{ name: 't', cmd: 'x', trigger_times: '08:00', run_frequency: '09:00-10:00-5', cron: '* * * * *' }])).toEqual([
      `tasks.json: task #1 "t" /0/run_frequency: "run_frequency" cannot be combined with "trigger_times"; expected ${ONE}`,
      `tasks.json: task #1 "t" /0/cron: "cron" cannot be combined with "trigger_times"; expected ${ONE}`,
    ]);
  });

  it('each of the three alone is enough', () => {
    for (const s of [{ trigger_times: '08:00' }, { run_frequency: '09:00-10:00-5' }, { cron: '* * * * *' }]) {
      expect(lines({ name: 't', cmd: 'x', ...s })).toEqual([]);
    }
  });

  it('a group needs one too', () => {
    expect(lines({ gid: 5000001, name: 'g' })).toEqual([`tasks.json: group #1 "g": no schedule; expected ${ONE}`]);
  });
});

describe('group members inherit schedule, zone and calendar', () => {
  const group = { gid: 5000001, name: 'etl', trigger_times: '01:00' };

  it('a member without schedule fields is valid and gets no zone or mask', () => {
    const r = validateDocument([group, { name: 'extract', cmd: 'x', task_group: 'etl', dependency: 'S:load' }], 'f.json', OPTS);
    expect(r.issues).toEqual([]);
    expect(r.tasks[0]!.input).toEqual({
      name: 'extract',
      task_owner: 'alice',
      cmd: 'x',
      run_on_host: 'localhost',
      active: true,
      instance: 'default',
      retry_attempts: 0,
      retry_delay: 10,
      task_group: 'etl',
      dependency: 'S:load',
      catch_up: 'latest',
      overlap: 'skip',
    });
  });

  it.each([
    ['trigger_times', '08:00'],
    ['run_frequency', '09:00-10:00-5'],
    ['cron', '* * * * *'],
    ['timezone', 'UTC'],
    ['day_of_week', '1111100'],
    ['ordinal_day', 'last friday of every month'],
    ['calendar', 'US_HOLIDAYS'],
  ])('a member may not carry %s', (field, value) => {
    expect(lines([group, { name: 'm', cmd: 'x', task_group: 'etl', [field]: value }])).toEqual([
      `tasks.json: task #2 "m" /1/${field}: "${field}" cannot be set on a task in a group: it takes its schedule, time zone and calendar from group "etl"; remove "${field}" or "task_group"`,
    ]);
  });

  it('task_group must name a group of the batch or of the store, in the same instance', () => {
    const member = { name: 'm', cmd: 'x', task_group: 'etl' };
    const missing = 'tasks.json: task #1 "m" /task_group: group "etl" is not defined; expected a group defined in these files or already inserted, in instance "default"';
    expect(lines(member)).toEqual([missing]);
    expect(lines(member, { storedGroupInstances: (n) => (n === 'etl' ? ['default'] : []) })).toEqual([]);
    expect(lines(member, { storedGroupInstances: (n) => (n === 'other' ? ['default'] : []) })).toEqual([missing]);
    const green = { ...member, instance: 'green' };
    expect(lines(green, { storedGroupInstances: () => [] })).toEqual([missing.replace('"default"', '"green"')]);
  });

  describe('a member takes its group\'s instance', () => {
    const member = { name: 'm', cmd: 'x', task_group: 'etl' };
    const instanceOf = (raw: unknown, opts: Partial<ValidateOptions> = {}) =>
      validateDocument(raw, 'tasks.json', { ...OPTS, ...opts }).tasks.map((t) => [t.input.name, t.input.instance]);

    it('from a group of the batch or of the store, when it gives none', () => {
      expect(lines([{ ...group, instance: 'blue' }, member])).toEqual([]);
      expect(instanceOf([{ ...group, instance: 'blue' }, member])).toEqual([['m', 'blue']]);
      expect(instanceOf(member, { storedGroupInstances: (n) => (n === 'etl' ? ['blue'] : []) })).toEqual([['m', 'blue']]);
      expect(instanceOf([{ ...group, instance: 'blue' }, { ...member, instance: 'blue' }])).toEqual([['m', 'blue']]);
    });

    it('names and ids are then unique within the inherited instance', () => {
      expect(lines([{ ...group, instance: 'blue' }, member, { name: 'm', cmd: 'x', cron: '* * * * *' }])).toEqual([]);
      expect(lines([{ ...group, instance: 'blue' }, member, { name: 'm', cmd: 'x', cron: '* * * * *', instance: 'blue' }])).toEqual([
        'tasks.json: task #3 "m" /2/name: name "m" is already used by task #2 in tasks.json',
      ]);
    });

    it('an explicit instance other than the group\'s is refused', () => {
      expect(lines([{ ...group, instance: 'blue' }, { ...member, instance: 'green' }])).toEqual([
        'tasks.json: task #2 "m" /1/instance: instance "green" differs from the instance of its group: group "etl" is in instance "blue", not in "green"; expected "blue", the instance of group "etl", or no "instance" to take the group\'s',
      ]);
      expect(lines({ ...member, instance: 'default' }, { storedGroupInstances: () => ['blue', 'green'] })).toEqual([
        'tasks.json: task #1 "m" /instance: instance "default" differs from the instance of its group: group "etl" is in instances "blue", "green", not in "default"; expected one of "blue", "green", the instance of group "etl", or no "instance" to take the group\'s',
      ]);
    });

    it('a group of that name in several instances, "default" among them, keeps the member in "default"', () => {
      expect(lines([{ ...group, instance: 'blue' }, member], { storedGroupInstances: () => ['default'] })).toEqual([]);
      expect(instanceOf([{ ...group, instance: 'blue' }, member], { storedGroupInstances: () => ['default'] })).toEqual([['m', 'default']]);
      expect(instanceOf(member, { storedGroupInstances: () => ['blue', 'default', 'green'] })).toEqual([['m', 'default']]);
      expect(instanceOf([{ ...group, instance: 'blue' }, { ...member, instance: 'blue' }], { storedGroupInstances: () => ['default'] })).toEqual([['m', 'blue']]);
    });

    it('a group of that name in several instances, none of them "default", needs the member to choose', () => {
      expect(lines([{ ...group, instance: 'blue' }, member], { storedGroupInstances: () => ['green'] })).toEqual([
        'tasks.json: task #2 "m" /1/instance: group "etl" exists in instances "blue", "green", so the member\'s instance is ambiguous; expected "instance" set to one of "blue", "green"',
      ]);
      expect(lines([{ ...group, instance: 'blue' }, { ...member, instance: 'green' }], { storedGroupInstances: () => ['green'] })).toEqual([]);
    });
  });

  it('an invalid task_group is reported once, as a bad name', () => {
    expect(lines({ name: 'm', cmd: 'x', task_group: 'no such' })).toEqual([
      'tasks.json: task #1 "m" /task_group: "no such" is not valid; expected the name of a group: 1 to 128 letters, digits, "_" or "-" (e.g. "nightly_backup")',
    ]);
  });

  it('a standalone task may not have a dependency', () => {
    expect(lines({ name: 't', cmd: 'x', cron: '* * * * *', dependency: 'S:a' })).toEqual([
      'tasks.json: task #1 "t" /dependency: "dependency" needs "task_group": a dependency refers to other tasks of the same group',
    ]);
  });

  it('an empty dependency is refused', () => {
    expect(lines([group, { name: 'm', cmd: 'x', task_group: 'etl', dependency: '' }])).toEqual([
      'tasks.json: task #2 "m" /1/dependency: "" is empty; expected a dependency expression such as "S:extract and not F:load"',
    ]);
  });
});

describe('ordinal_day excludes day_of_week', () => {
  const t = { name: 't', cmd: 'x', trigger_times: '08:00', ordinal_day: 'last friday of every month' };

  it('both given is an error', () => {
    expect(lines({ ...t, day_of_week: '1111100' })).toEqual([
      'tasks.json: task #1 "t" /day_of_week: "day_of_week" cannot be combined with "ordinal_day"; expected one of the two (only "1111111" may stand beside ordinal_day)',
    ]);
  });

  it('the default mask "1111111" may stand beside it (what an export writes)', () => {
    expect(lines({ ...t, day_of_week: '1111111' })).toEqual([]);
  });

  it('for groups too', () => {
    expect(lines({ gid: 5000001, name: 'g', cron: '0 1 * * *', ordinal_day: 'first monday of every month', day_of_week: '0000011' })).toHaveLength(1);
  });
});

describe('calendar', () => {
  const t = { name: 't', cmd: 'x', trigger_times: '08:00', calendar: 'UK_HOLIDAYS' };

  it('is unknown only when the caller can tell', () => {
    expect(lines(t)).toEqual([]);
    expect(lines(t, { calendarExists: (n) => n === 'UK_HOLIDAYS' })).toEqual([]);
    expect(lines(t, { calendarExists: (n) => n === 'US_HOLIDAYS' })).toEqual([
      'tasks.json: task #1 "t" /calendar: calendar "UK_HOLIDAYS" is not known; expected the name of an installed holiday calendar (see "easytask calendar list")',
    ]);
  });
});

describe('alert', () => {
  const t = { name: 't', cmd: 'x', trigger_times: '08:00' };
  const input = (alert: unknown) => validateDocument({ ...t, alert }, 'f.json', OPTS).tasks[0]?.input.alert;
  const alertLines = (alert: unknown) => lines({ ...t, alert }).map((l) => l.replace('tasks.json: task #1 "t" ', ''));

  it('the flat form becomes one action per key, alert_on defaulting to failure', () => {
    expect(input({ command: 'mail ops', webhook: 'https://example.com/hook', slack: 'https://hooks.slack.com/services/T/B/X' })).toEqual({
      alert_on: 'failure',
      actions: [{ command: 'mail ops' }, { webhook: 'https://example.com/hook' }, { slack: 'https://hooks.slack.com/services/T/B/X' }],
    });
  });

  it('email takes one address or a list (kept as a list), alert_on change and output are known', () => {
    expect(input({ alert_on: 'change', email: 'ops@example.com' })).toEqual({ alert_on: 'change', actions: [{ email: ['ops@example.com'] }] });
    expect(input({ alert_on: 'output', actions: [{ email: ['a@example.com', 'b@example.com'] }] })).toEqual({
      alert_on: 'output',
      actions: [{ email: ['a@example.com', 'b@example.com'] }],
    });
  });

  it('the actions form is kept', () => {
    expect(input({ alert_on: 'always', actions: [{ webhook: 'http://localhost:8080/x' }, { command: 'logger done' }] })).toEqual({
      alert_on: 'always',
      actions: [{ webhook: 'http://localhost:8080/x' }, { command: 'logger done' }],
    });
  });

  it.each([
    ['"mail ops"', 'mail ops', [
      '/alert: expected an object such as {"alert_on": "failure", "command": "mail -s failed ops"} or {"alert_on": "always", "actions": [{"webhook": "https://…"}]}, got "mail ops"',
    ]],
    ['no action', { alert_on: 'success' }, ['/alert: "alert" has no action; expected "command", "webhook", "slack" or "email"']],
    ['a bad alert_on', { alert_on: 'fail', command: 'x' }, [
      '/alert/alert_on: "fail" is not valid; expected one of "failure", "success", "always", "change" or "output" (default "failure")',
    ]],
    ['a non-http webhook', { webhook: 'ftp://example.com' }, ['/alert/webhook: "ftp://example.com" is not valid; expected an http:// or https:// URL']],
    ['a slack value that is not a URL', { slack: '#ops' }, [
      '/alert/slack: "#ops" is not valid; expected a Slack incoming-webhook URL (https://hooks.slack.com/…)',
    ]],
    ['an empty command', { command: ' ' }, ['/alert/command: " " is empty; expected a non-empty command line, run with bash -c']],
    ['an unknown key', { command: 'x', on: 'failure' }, [
      '/alert/on: unknown field "on"; expected one of the alert fields: alert_on, actions, command, webhook, slack, email',
    ]],
    ['a misspelt key', { comand: 'x' }, [
      '/alert/comand: unknown field "comand"; did you mean "command"?',
      '/alert: "alert" has no action; expected "command", "webhook", "slack" or "email"',
    ]],
    ['both forms', { command: 'x', actions: [{ command: 'y' }] }, [
      '/alert/command: "command" cannot be combined with "actions"; put every action in "actions"',
    ]],
    ['empty actions', { actions: [] }, [
      '/alert/actions: expected a non-empty array of actions, each an object with exactly one of "command", "webhook", "slack" or "email", got []',
    ]],
    ['an action with two keys', { actions: [{ command: 'x', webhook: 'https://e.com' }] }, [
      '/alert/actions/0: expected an object with exactly one of "command", "webhook", "slack" or "email", got {"command":"x","webhook":"https://e.com"}',
    ]],
    ['an unknown action', { actions: [{ pager: 'ops' }] }, [
      '/alert/actions/0/pager: unknown field "pager"; expected one of the alert actions: command, webhook, slack, email',
    ]],
    ['a bad mail address', { actions: [{ email: ['ops@example.com', 'ops at example'] }] }, [
      '/alert/actions/0/email/1: "ops at example" is not valid; expected a mail address such as "ops@example.com", or a non-empty list of them',
    ]],
    ['an empty list of addresses', { email: [] }, [
      '/alert/email: expected a mail address such as "ops@example.com", or a non-empty list of them, got []',
    ]],
  ])('%s', (_what, alert, expected) => {
    expect(alertLines(alert)).toEqual(expected);
  });
});

describe('env', () => {
  const t = { name: 't', cmd: 'x', trigger_times: '08:00' };

  it('reports each bad name and value', () => {
    expect(lines({ ...t, env: { '1A': 'x', 'MY-VAR': 'y', N: 5, B: true, O: { a: 1 } } })).toEqual([
      'tasks.json: task #1 "t" /env/1A: "1A" is not a valid variable name; expected a variable name of letters, digits and "_", not starting with a digit',
      'tasks.json: task #1 "t" /env/MY-VAR: "MY-VAR" is not a valid variable name; expected a variable name of letters, digits and "_", not starting with a digit',
      'tasks.json: task #1 "t" /env/N: expected a string (in quotes: "5"), got 5',
      'tasks.json: task #1 "t" /env/B: expected a string (in quotes: "true"), got true',
      'tasks.json: task #1 "t" /env/O: expected a string, got {"a":1}',
    ]);
  });

  it('a "__proto__" variable stays a plain key', () => {
    const env = validateDocument(JSON.parse('{"name":"t","cmd":"x","cron":"* * * * *","env":{"__proto__":"v"}}'), 'f.json', OPTS).tasks[0]!.input.env!;
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(Object.keys(env)).toEqual(['__proto__']);
  });
});

describe('healthcheck', () => {
  const t = { name: 't', cmd: 'x', trigger_times: '08:00' };

  it('takes an http(s) ping URL as written, and refuses anything else', () => {
    expect(validateDocument({ ...t, healthcheck: 'https://hc-ping.com/5f1c' }, 'f.json', OPTS).tasks[0]?.input.healthcheck).toBe('https://hc-ping.com/5f1c');
    expect(lines({ ...t, healthcheck: 'hc-ping.com/5f1c' }).map((l) => l.replace('tasks.json: task #1 "t" ', ''))).toEqual([
      '/healthcheck: "hc-ping.com/5f1c" is not valid; expected an http:// or https:// ping URL such as "https://hc-ping.com/<uuid>" (pinged at /start, on success, and at /fail)',
    ]);
  });
});
