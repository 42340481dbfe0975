// Document shapes, the seed definition, issue lines, suggestions, duplicates, batches and strict mode.
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  validateBatch,
  validateDocument,
  type ValidateOptions,
  type ValidationIssue,
} from '../../../src/core/validate/index.js';
import { parseJsonText } from '../../../src/core/json-source.js';

const OPTS: ValidateOptions = { defaultTimezone: 'Europe/Berlin', defaultOwner: 'alice' };
const lines = (raw: unknown, opts: Partial<ValidateOptions> = {}, file = 'tasks.json'): string[] =>
  validateDocument(raw, file, { ...OPTS, ...opts }).issues.map(formatIssue);

/** The "Task Creation" example definition of the EasyTask documentation (seed 001), verbatim. */
const SEED = {
  tid: 1000002,
  name: 'task2',
  task_owner: 'admin',
  cmd: 'ls -l ; sleep 120; ls -l ',
  run_on_host: 'production-server-1',
  max_run_time: 300,
  description: 'A Stray task : Run an ls command',
  retry_attempts: 3,
  stderr: 'task1.out',
  stdout: 'task1.err',
  timezone: 'US/Eastern',
  active: true,
  calendar: 'US_HOLIDAYS',
  instance: 'default',
  day_of_week: '1111111',
  trigger_times: '08:30',
};

describe('the seed definition', () => {
  it.each([
    ['default', {}],
    ['strict', { strict: true }],
    ['with calendars known', { strict: true, calendarExists: (n: string) => n === 'US_HOLIDAYS' }],
  ])('validates as written (%s)', (_mode, opts) => {
    const r = validateDocument(JSON.parse(JSON.stringify(SEED)), 'seed.json', { ...OPTS, ...opts });
    expect(r.issues).toEqual([]);
    expect(r.tasks).toEqual([{ file: 'seed.json', index: 0, pointer: '', input: { ...SEED, retry_delay: 10, catch_up: 'latest', overlap: 'skip' } }]);
    expect(Object.keys(r.tasks[0]!.input).slice(0, 5)).toEqual(['tid', 'name', 'task_owner', 'cmd', 'run_on_host']);
  });
});

describe('defaults', () => {
  it('a minimal task gets every default', () => {
    const r = validateDocument({ name: 'min', cmd: 'true', cron: '0 3 * * *' }, 'f.json', OPTS);
    expect(r.tasks[0]!.input).toEqual({
      name: 'min',
      task_owner: 'alice',
      cmd: 'true',
      run_on_host: 'localhost',
      active: true,
      instance: 'default',
      timezone: 'Europe/Berlin',
      cron: '0 3 * * *',
      day_of_week: '1111111',
      retry_attempts: 0,
      retry_delay: 10,
      catch_up: 'latest',
      overlap: 'skip',
    });
  });

  it('a minimal group gets every default', () => {
    const r = validateDocument({ gid: 5000001, name: 'etl', trigger_times: '01:00' }, 'f.json', OPTS);
    expect(r.groups).toEqual([
      {
        file: 'f.json',
        index: 0,
        pointer: '',
        input: { gid: 5000001, name: 'etl', active: true, instance: 'default', timezone: 'Europe/Berlin', trigger_times: '01:00', day_of_week: '1111111', catch_up: 'latest' },
      },
    ]);
  });

  it('trigger_times are stored sorted and de-duplicated', () => {
    const r = validateDocument({ name: 't', cmd: 'x', trigger_times: '(17:00), 08:30, 8:30:00,, 06:00:30, 17:00' }, 'f.json', OPTS);
    expect(r.tasks[0]!.input.trigger_times).toBe('06:00:30,08:30,17:00');
  });
});

describe('document shapes', () => {
  const task = { name: 'a', cmd: 'x', cron: '* * * * *' };
  const group = { gid: 5000001, name: 'g', cron: '0 1 * * *' };

  it('one object: a task, or a group when it has gid and no cmd', () => {
    expect(validateDocument(task, 'f', OPTS).tasks.map((t) => t.pointer)).toEqual(['']);
    expect(validateDocument(group, 'f', OPTS).groups.map((g) => g.pointer)).toEqual(['']);
  });

  it('an array mixing tasks and groups', () => {
    const r = validateDocument([group, task, { ...task, name: 'b', task_group: 'g', cron: undefined }], 'f', OPTS);
    expect(r.issues).toEqual([]);
    expect(r.groups.map((g) => [g.index, g.pointer])).toEqual([[0, '/0']]);
    expect(r.tasks.map((t) => [t.index, t.pointer])).toEqual([[1, '/1'], [2, '/2']]);
  });

  it('{"tasks": [...], "groups": [...]}, either list optional, both may be empty', () => {
    const r = validateDocument({ tasks: [task], groups: [{ ...group, gid: undefined }] }, 'f', OPTS);
    expect(r.issues).toEqual([]);
    expect(r.tasks.map((t) => t.pointer)).toEqual(['/tasks/0']);
    expect(r.groups.map((g) => [g.pointer, g.input.gid])).toEqual([['/groups/0', undefined]]);
    expect(validateDocument({ tasks: [], groups: [] }, 'f', OPTS)).toEqual({ tasks: [], groups: [], issues: [] });
    expect(validateDocument([], 'f', OPTS)).toEqual({ tasks: [], groups: [], issues: [] });
  });

  it('an object with gid and cmd is a task whose gid is unknown', () => {
    expect(lines({ ...task, gid: 5000001 })).toEqual(['tasks.json: task #1 "a" /gid: unknown field "gid"; did you mean "tid"?']);
  });

  it.each([
    [42, 'tasks.json: expected a task object, an array of tasks, or {"tasks": [...], "groups": [...]}, got 42'],
    ['text', 'tasks.json: expected a task object, an array of tasks, or {"tasks": [...], "groups": [...]}, got "text"'],
    [null, 'tasks.json: expected a task object, an array of tasks, or {"tasks": [...], "groups": [...]}, got null'],
  ])('%j is not a document', (raw, line) => {
    const r = validateDocument(raw, 'tasks.json', OPTS);
    expect(r.issues.map(formatIssue)).toEqual([line]);
    expect(r.issues[0]).toMatchObject({ index: null, kind: null, pointer: '', value: raw });
  });

  it('wrapper problems are document-level', () => {
    expect(lines({ tasks: {}, group: [], version: 1 })).toEqual([
      'tasks.json: /group: unknown field "group"; did you mean "groups"?',
      'tasks.json: /version: unknown field "version"; expected one of the document keys: tasks, groups',
      'tasks.json: /tasks: expected an array of task objects, got {}',
    ]);
    expect(lines({ task: [task] })).toEqual(['tasks.json: /task: unknown field "task"; did you mean "tasks"?']);
  });

  it('items that are not objects', () => {
    expect(lines([7, [task]])).toEqual([
      'tasks.json: definition #1 /0: expected a task or group object, got 7',
      'tasks.json: definition #2 /1: expected a task or group object, got [{"name":"a","cmd":"x","cron":"* * * * *"}]',
    ]);
    expect(lines({ tasks: ['a'], groups: [null] })).toEqual([
      'tasks.json: task #1 /tasks/0: expected a task object such as {"name": "backup", "cmd": "backup.sh", "trigger_times": "02:00"}, got "a"',
      'tasks.json: group #1 /groups/0: expected a group object such as {"gid": 5000001, "name": "etl", "trigger_times": "01:00"}, got null',
    ]);
  });

  it('a task field in the groups list says so', () => {
    expect(lines({ groups: [{ name: 'g', cron: '* * * * *', cmd: 'x' }] })).toEqual([
      'tasks.json: group #1 "g" /groups/0/cmd: unknown field "cmd": it is one of the task fields; expected one of the group fields: gid, name, description, active, instance, timezone, trigger_times, run_frequency, cron, day_of_week, ordinal_day, calendar, random_delay, dependency, catch_up',
    ]);
  });
});

describe('unknown fields', () => {
  const t = { name: 't', cmd: 'x', trigger_times: '08:00' };
  it.each([
    ['trigger_time', 'trigger_times'],
    ['triggerTimes', 'trigger_times'],
    ['Trigger-Times', 'trigger_times'],
    ['max_runtime', 'max_run_time'],
    ['retry_atempts', 'retry_attempts'],
    ['timeZone', 'timezone'],
    ['dayofweek', 'day_of_week'],
    ['owner', 'task_owner'],
    ['host', 'run_on_host'],
    ['command', 'cmd'],
    ['timeout', 'max_run_time'],
    ['retries', 'retry_attempts'],
    ['enabled', 'active'],
    ['ordinal', 'ordinal_day'],
    ['calender', 'calendar'],
    ['descripton', 'description'],
    ['working_directory', 'cwd'],
    ['workdir', 'cwd'],
  ])('%s → did you mean %s?', (field, guess) => {
    expect(lines({ ...t, [field]: 1 })).toEqual([`tasks.json: task #1 "t" /${field}: unknown field "${field}"; did you mean "${guess}"?`]);
  });

  it('no suggestion when nothing is close: the known fields are listed', () => {
    const [line] = lines({ ...t, priority: 5 });
    expect(line).toBe(
      'tasks.json: task #1 "t" /priority: unknown field "priority"; expected one of the task fields: tid, name, task_owner, cmd, run_on_host, description, stdout, stderr, active, instance, timezone, trigger_times, run_frequency, cron, day_of_week, ordinal_day, calendar, random_delay, max_run_time, retry_attempts, retry_delay, task_accept_expiry_time, profile, run_as_user, cwd, task_group, dependency, alert, healthcheck, catch_up, overlap, env, max_output_bytes, retain_runs, retain_failures',
    );
  });

  it('a key that needs JSON pointer escaping', () => {
    const r = validateDocument({ ...t, 'a/b~c': 1 }, 'f', OPTS);
    expect(r.issues[0]!.pointer).toBe('/a~1b~0c');
  });
});

describe('every issue at once', () => {
  it('reports all problems of all definitions, each with file, definition, pointer, value and expectation', () => {
    const raw = {
      tasks: [
        { name: 'ok', cmd: 'x', cron: '* * * * *' },
        { name: 'nightly', cmd: 'x', trigger_times: '25:00', retry_attempts: -1, active: 'yes', trigger_time: '08:00' },
        { name: 'bad name', trigger_times: '08:00' },
      ],
    };
    const r = validateDocument(raw, 'tasks.json', OPTS);
    expect(r.issues.map(formatIssue)).toEqual([
      'tasks.json: task #2 "nightly" /tasks/1/trigger_times: "25:00" is not valid; expected comma separated times of day as HH:MM or HH:MM:SS, 00:00 to 23:59:59 (e.g. "08:30, 17:00")',
      'tasks.json: task #2 "nightly" /tasks/1/retry_attempts: expected an integer from 0 to 10, got -1',
      'tasks.json: task #2 "nightly" /tasks/1/active: expected a boolean (true or false), got "yes"',
      'tasks.json: task #2 "nightly" /tasks/1/trigger_time: unknown field "trigger_time"; did you mean "trigger_times"?',
      'tasks.json: task #3 /tasks/2/name: "bad name" is not valid; expected 1 to 128 letters, digits, "_" or "-" (e.g. "nightly_backup")',
      'tasks.json: task #3 /tasks/2/cmd: missing required field "cmd"; expected a non-empty command line, run with bash -c',
    ]);
    expect(r.issues[1]).toEqual<ValidationIssue>({
      file: 'tasks.json',
      index: 1,
      kind: 'task',
      name: 'nightly',
      pointer: '/tasks/1/retry_attempts',
      value: -1,
      expected: 'an integer from 0 to 10',
      message: 'expected an integer from 0 to 10, got -1',
    });
    expect(r.tasks.map((t) => t.input.name)).toEqual(['ok']);
  });
});

describe('duplicates', () => {
  const t = (name: string, extra: object = {}) => ({ name, cmd: 'x', cron: '* * * * *', ...extra });

  it('names within one file, reported at the second and naming the first', () => {
    expect(lines([t('task1'), t('task2'), t('task2')])).toEqual([
      'tasks.json: task #3 "task2" /2/name: name "task2" is already used by task #2 in tasks.json',
    ]);
  });

  it('a group and a task may not share a name', () => {
    expect(lines([{ gid: 5000001, name: 'etl', cron: '0 1 * * *' }, t('etl')])).toEqual([
      'tasks.json: task #2 "etl" /1/name: name "etl" is already used by group #1 in tasks.json',
    ]);
  });

  it('the same name in two instances is fine', () => {
    expect(lines([t('a'), t('a', { instance: 'other' })])).toEqual([]);
  });

  it('tids and gids', () => {
    expect(lines([t('a', { tid: 1000002 }), t('b', { tid: 1000002 }), { gid: 1000002, name: 'g', cron: '* * * * *' }])).toEqual([
      'tasks.json: task #2 "b" /1/tid: tid 1000002 is already used by task #1 "a" in tasks.json',
    ]);
    expect(lines({ groups: [{ gid: 5000001, name: 'g1', cron: '* * * * *' }, { gid: 5000001, name: 'g2', cron: '* * * * *' }] })).toEqual([
      'tasks.json: group #2 "g2" /groups/1/gid: gid 5000001 is already used by group #1 "g1" in tasks.json',
    ]);
  });

  it('across the files of a batch', () => {
    const r = validateBatch(
      [
        { file: 'tasks/a.json', raw: [t('task1', { tid: 1000001 }), t('task2')] },
        { file: 'tasks/b.json', raw: { tasks: [t('task2'), t('task3', { tid: 1000001 })] } },
      ],
      OPTS,
    );
    expect(r.issues.map(formatIssue)).toEqual([
      'tasks/b.json: task #1 "task2" /tasks/0/name: name "task2" is already used by task #2 in tasks/a.json',
      'tasks/b.json: task #2 "task3" /tasks/1/tid: tid 1000001 is already used by task #1 "task1" in tasks/a.json',
    ]);
    expect(r.files).toEqual([
      { file: 'tasks/a.json', tasks: 2, groups: 0, issues: 0 },
      { file: 'tasks/b.json', tasks: 2, groups: 0, issues: 2 },
    ]);
  });
});

describe('fields repeated within one object', () => {
  const parsed = (text: string) => {
    const r = parseJsonText(text, 'tasks.json');
    if (!r.ok) throw new Error(r.issue.message);
    return { file: 'tasks.json', raw: r.value, duplicates: r.duplicates };
  };

  it('are refused at the definition that repeats them, naming the field and both lines', () => {
    const r = validateBatch(
      [parsed('{"tasks": [\n  {"name": "a", "cmd": "x", "cron": "* * * * *"},\n  {"name": "nightly",\n   "cmd": "echo one",\n   "cron": "0 2 * * *",\n   "cmd": "echo two"}\n]}')],
      OPTS,
    );
    expect(r.issues.map(formatIssue)).toEqual([
      'tasks.json: task #2 "nightly" /tasks/1/cmd: duplicate field "cmd" at line 6, column 4 (first at line 4, column 4); expected each field at most once in an object (JSON keeps only the last value)',
    ]);
    expect(r.tasks.map((t) => t.input.name)).toEqual(['a']);
    expect(r.files).toEqual([{ file: 'tasks.json', tasks: 2, groups: 0, issues: 1 }]);
  });

  it('by index when the definition has no usable name, in nested objects, and in the wrapper', () => {
    const r = validateBatch(
      [parsed('{"groups": [], "tasks": [{"cmd": "x", "cron": "* * * * *", "name": "bad name", "env": {"A": "1", "A": "2"}}], "groups": []}')],
      OPTS,
    );
    expect(r.issues.map(formatIssue).filter((l) => l.includes('duplicate'))).toEqual([
      'tasks.json: /groups: duplicate field "groups" at line 1, column 111 (first at line 1, column 2); expected each field at most once in an object (JSON keeps only the last value)',
      'tasks.json: task #1 /tasks/0/env/A: duplicate field "A" at line 1, column 98 (first at line 1, column 88); expected each field at most once in an object (JSON keeps only the last value)',
    ]);
  });

  it('a single-object document names the task', () => {
    expect(validateBatch([parsed('{"name": "one", "cmd": "x", "cron": "* * * * *", "cron": "0 1 * * *"}')], OPTS).issues.map(formatIssue)).toEqual([
      'tasks.json: task #1 "one" /cron: duplicate field "cron" at line 1, column 50 (first at line 1, column 29); expected each field at most once in an object (JSON keeps only the last value)',
    ]);
  });
});

describe('batches', () => {
  it('a member may name a group from another file; entries carry their file', () => {
    const r = validateBatch(
      [
        { file: 'groups.json', raw: { gid: 5000001, name: 'etl', trigger_times: '01:00' } },
        { file: 'members.json', raw: [{ name: 'extract', cmd: 'x', task_group: 'etl' }] },
      ],
      OPTS,
    );
    expect(r.issues).toEqual([]);
    expect(r.groups.map((g) => [g.file, g.input.name])).toEqual([['groups.json', 'etl']]);
    expect(r.tasks.map((t) => [t.file, t.index, t.pointer, t.input.name])).toEqual([['members.json', 0, '/0', 'extract']]);
  });

  it('an invalid group still counts as defined, so its members get no second issue', () => {
    const r = validateBatch([{ file: 'f.json', raw: [{ gid: 5000001, name: 'etl' }, { name: 'm', cmd: 'x', task_group: 'etl' }] }], OPTS);
    expect(r.issues.map(formatIssue)).toEqual([
      'f.json: group #1 "etl" /0: no schedule; expected exactly one of "trigger_times", "run_frequency" or "cron"',
    ]);
  });

  it('an empty batch is valid', () => {
    expect(validateBatch([], OPTS)).toEqual({ tasks: [], groups: [], issues: [], files: [] });
  });
});

describe('strict mode', () => {
  it('requires the full mandatory list of a standalone task', () => {
    const expectedFields = ['tid', 'task_owner', 'run_on_host', 'max_run_time', 'retry_attempts', 'stdout', 'stderr', 'active', 'instance', 'timezone', 'day_of_week'];
    const r = validateDocument({ name: 't', cmd: 'x', cron: '* * * * *' }, 'f.json', { ...OPTS, strict: true });
    expect(r.issues.map((i) => i.pointer)).toEqual(expectedFields.map((f) => `/${f}`));
    expect(formatIssue(r.issues[3]!)).toBe('f.json: task #1 "t" /max_run_time: strict mode requires "max_run_time"; expected an integer from 1 to 172800 (seconds)');
    expect(validateDocument({ name: 't', cmd: 'x', cron: '* * * * *' }, 'f.json', OPTS).issues).toEqual([]);
  });

  it('ordinal_day stands in for day_of_week', () => {
    const full = { ...SEED, day_of_week: undefined, ordinal_day: 'last friday of every month' };
    expect(lines(full, { strict: true })).toEqual([]);
  });

  it('a member needs no schedule fields, a group its own list', () => {
    const member = { tid: 1000001, name: 'm', task_owner: 'o', cmd: 'x', run_on_host: 'h', max_run_time: 60, retry_attempts: 0, stdout: 'o', stderr: 'e', active: true, instance: 'default', task_group: 'g' };
    const group = { name: 'g', cron: '0 1 * * *' };
    expect(lines({ tasks: [member], groups: [group] }, { strict: true })).toEqual([
      'tasks.json: group #1 "g" /groups/0/gid: strict mode requires "gid"; expected an integer greater than 1000',
      'tasks.json: group #1 "g" /groups/0/timezone: strict mode requires "timezone"; expected an IANA time zone such as "America/New_York", "Europe/Berlin" or "UTC" (legacy links such as "US/Eastern" work too)',
      'tasks.json: group #1 "g" /groups/0/active: strict mode requires "active"; expected a boolean (true or false)',
      'tasks.json: group #1 "g" /groups/0/instance: strict mode requires "instance"; expected an instance name of 1 to 128 letters, digits, "_" or "-" (default "default")',
      'tasks.json: group #1 "g" /groups/0/day_of_week: strict mode requires "day_of_week"; expected 7 characters of 0 or 1, Monday first (e.g. "1111100" for weekdays)',
    ]);
  });
});

describe('formatIssue', () => {
  const base: ValidationIssue = { file: 'tasks.json', index: 2, kind: 'task', name: 'nightly', pointer: '/tasks/2/cmd', expected: 'x', message: 'm' };
  it.each<[Partial<ValidationIssue>, string]>([
    [{}, 'tasks.json: task #3 "nightly" /tasks/2/cmd: m'],
    [{ name: undefined }, 'tasks.json: task #3 /tasks/2/cmd: m'],
    [{ pointer: '' }, 'tasks.json: task #3 "nightly": m'],
    [{ kind: null }, 'tasks.json: definition #3 "nightly" /tasks/2/cmd: m'],
    [{ index: null, kind: null, pointer: '' }, 'tasks.json: m'],
    [{ index: null, kind: null, pointer: '/extra' }, 'tasks.json: /extra: m'],
  ])('%j', (over, line) => {
    const issue = { ...base, ...over };
    if (over.name === undefined && 'name' in over) delete issue.name;
    expect(formatIssue(issue)).toBe(line);
  });

  it('cuts long values to about 60 characters', () => {
    const [line] = lines({ name: 't', cmd: 'x', trigger_times: `08:00, ${'9'.repeat(100)}` });
    expect(line).toBe(`tasks.json: task #1 "t" /trigger_times: "08:00, ${'9'.repeat(51)}… is not valid; expected comma separated times of day as HH:MM or HH:MM:SS, 00:00 to 23:59:59 (e.g. "08:30, 17:00")`);
  });
});
