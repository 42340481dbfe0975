import { join } from 'node:path';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

const FIX = join(__dirname, '..', 'fixtures', 'defs');
const fx = (name: string) => join(FIX, name);

/** Everything the store holds, to prove a refused command wrote nothing. */
function snapshot(home: string): unknown {
  const file = join(home, 'easytask.db');
  if (!existsSync(file)) return 'no store';
  const db = new Database(file, { readonly: true });
  try {
    return {
      defs: db.prepare('SELECT kind, ext_id, name, body, version FROM definitions ORDER BY id').all(),
      events: db.prepare('SELECT seq, key, type FROM events ORDER BY seq').all(),
    };
  } finally {
    db.close();
  }
}

describe('easytask insert', () => {
  it('inserts the EasyTask seed definition as written', () => {
    const home = tempHome();
    const r = cli(home, ['insert', fx('seed-task2.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Validation completed: 1 task in ${fx('seed-task2.json')}.\nTask inserted successfully: task2 (tid 1000002)\n`);
    const show = JSON.parse(cli(home, ['show', 'task2', '--json']).stdout);
    expect(show.definition).toMatchObject({ tid: 1000002, timezone: 'US/Eastern', calendar: 'US_HOLIDAYS', run_on_host: 'production-server-1', trigger_times: '08:30' });
  });

  it('assigns tids, normalises trigger_times and lists the tasks', () => {
    const home = tempHome();
    expect(cli(home, ['insert', fx('two-tasks.json')]).stdout).toContain('Task inserted successfully: report (tid 1000002)');
    const list = JSON.parse(cli(home, ['list', '--json']).stdout);
    expect(list.map((t: { name: string; id: number }) => [t.name, t.id])).toEqual([
      ['backup', 1000001],
      ['report', 1000002],
    ]);
    const report = JSON.parse(cli(home, ['show', '1000002', '--json']).stdout);
    expect(report.definition.trigger_times).toBe('08:30,17:00');
    expect(report.state).toBe('ACTIVE');
  });

  it('reads standard input with -', () => {
    const home = tempHome();
    const r = cli(home, ['insert', '-'], { input: '{"name":"from-stdin","cmd":"true","trigger_times":"10:00"}' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Validation completed: 1 task in <stdin>.');
  });

  it('inserts a whole directory', () => {
    const home = tempHome();
    const r = cli(home, ['insert', fx('dir-ok')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Validation completed: 2 tasks in 2 files.');
  });

  it('refuses a name that already exists unless --replace', () => {
    const home = tempHome();
    cli(home, ['insert', fx('two-tasks.json')]);
    const before = snapshot(home);
    const again = cli(home, ['insert', fx('two-tasks.json')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('task "backup" already exists in instance default');
    expect(again.stderr).toContain('2 problems found; nothing was inserted.');
    expect(snapshot(home)).toEqual(before);
    const replaced = cli(home, ['insert', '--replace', fx('two-tasks.json')]);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('Task unchanged: backup (tid 1000001)');
  });

  const bad: [string, string[], RegExp][] = [
    ['malformed JSON', [fx('malformed.json')], /malformed JSON at line 4, column 3/],
    ['an empty file', [fx('empty.json')], /file is empty/],
    ['a file that does not exist', [fx('nope.json')], /nope\.json: file does not exist/],
    ['a directory with one bad file', [fx('dir-bad')], /b\.json.*c2/],
    ['wrong values, all reported at once', [fx('one-bad.json')], /trigger_times[\s\S]*retry_attempts/],
  ];
  it.each(bad)('exits 2 for %s and writes nothing', (_what, args, message) => {
    const home = tempHome();
    cli(home, ['insert', fx('seed-task2.json')]);
    const before = snapshot(home);
    const r = cli(home, ['insert', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(snapshot(home)).toEqual(before);
  });
});

describe('a field given twice in one object', () => {
  const text = '{"tasks": [\n  {"name": "a", "cmd": "true", "trigger_times": "10:00"},\n  {"name": "nightly",\n   "cmd": "echo one",\n   "trigger_times": "02:00",\n   "cmd": "echo two"}\n]}\n';
  const line = '<stdin>: task #2 "nightly" /tasks/1/cmd: duplicate field "cmd" at line 6, column 4 (first at line 4, column 4); expected each field at most once in an object (JSON keeps only the last value)\n';

  it('is refused by validate and insert, naming the file, the task and the field; nothing is written', () => {
    const home = tempHome();
    cli(home, ['insert', fx('seed-task2.json')]);
    const before = snapshot(home);
    const v = cli(home, ['validate', '-'], { input: text });
    expect([v.code, v.stdout, v.stderr]).toEqual([2, '', `${line}error: 1 problem found; nothing was written (validate never writes).\n`]);
    const i = cli(home, ['insert', '-'], { input: text });
    expect([i.code, i.stdout, i.stderr]).toEqual([2, '', `${line}error: 1 problem found; nothing was inserted.\n`]);
    expect(snapshot(home)).toEqual(before);
    const json = JSON.parse(cli(home, ['validate', '--json', '-'], { input: text }).stdout);
    expect(json.issues).toEqual([
      {
        file: '<stdin>',
        index: 1,
        kind: 'task',
        name: 'nightly',
        pointer: '/tasks/1/cmd',
        expected: 'each field at most once in an object (JSON keeps only the last value)',
        message: 'duplicate field "cmd" at line 6, column 4 (first at line 4, column 4); expected each field at most once in an object (JSON keeps only the last value)',
      },
    ]);
  });

  it('inside a value that a repeated name replaces, is not blamed on the definition that replaces it', () => {
    const twice = '{"tasks": [{"name": "a", "cmd": "x",\n "cmd": "y", "trigger_times": "10:00"}],\n "tasks": [{"name": "b", "cmd": "z", "trigger_times": "10:00"}]}\n';
    const v = cli(tempHome(), ['validate', '-'], { input: twice });
    expect([v.code, v.stdout, v.stderr]).toEqual([
      2,
      '',
      '<stdin>: /tasks: duplicate field "tasks" at line 3, column 2 (first at line 1, column 2); expected each field at most once in an object (JSON keeps only the last value)\n' +
        'error: 1 problem found; nothing was written (validate never writes).\n',
    ]);
  });
});

describe('a member\'s instance', () => {
  const instances = (home: string) =>
    (JSON.parse(cli(home, ['list', '--json']).stdout) as { name: string; instance: string }[]).map((d) => [d.name, d.instance]);

  it('is its group\'s when omitted, with the group in the same batch or already stored', () => {
    const home = tempHome();
    const batch = '{"groups": [{"name": "etl", "instance": "blue", "trigger_times": "01:00"}], "tasks": [{"name": "extract", "cmd": "true", "task_group": "etl"}]}';
    expect(cli(home, ['validate', '-'], { input: batch }).code).toBe(0);
    expect(cli(home, ['insert', '-'], { input: batch }).code).toBe(0);
    const later = cli(home, ['insert', '-'], { input: '{"name": "load", "cmd": "true", "task_group": "etl"}' });
    expect([later.code, later.stderr]).toEqual([0, '']);
    expect(instances(home)).toEqual([['etl', 'blue'], ['extract', 'blue'], ['load', 'blue']]);
  });

  it('is "default" when omitted and groups of that name exist in "default" and another instance', () => {
    const home = tempHome();
    const groups = '{"groups": [{"name": "etl", "instance": "blue", "trigger_times": "01:00"}, {"name": "etl", "trigger_times": "02:00"}]}';
    expect(cli(home, ['insert', '-'], { input: groups })).toMatchObject({ code: 0, stderr: '' });
    const r = cli(home, ['insert', '-'], { input: '{"name": "load", "cmd": "true", "task_group": "etl"}' });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(instances(home)).toEqual([['etl', 'blue'], ['etl', 'default'], ['load', 'default']]);
  });

  it('is refused when given and not the group\'s; nothing is written', () => {
    const home = tempHome();
    cli(home, ['insert', '-'], { input: '{"name": "etl", "gid": 5000001, "instance": "blue", "trigger_times": "01:00"}' });
    const before = snapshot(home);
    const r = cli(home, ['insert', '-'], { input: '[{"name": "extract", "cmd": "true", "task_group": "etl", "instance": "default"}]' });
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      '<stdin>: task #1 "extract" /0/instance: instance "default" differs from the instance of its group: group "etl" is in instance "blue", not in "default"; expected "blue", the instance of group "etl", or no "instance" to take the group\'s\nerror: 1 problem found; nothing was inserted.\n',
    ]);
    expect(snapshot(home)).toEqual(before);
  });
});

describe('a schedule that never fires', () => {
  it('is refused by validate and insert, naming the field', () => {
    const home = tempHome();
    const text = '{"name": "sundays", "cmd": "true", "cron": "0 0 * * 0", "day_of_week": "1111110"}';
    const line = '<stdin>: task #1 "sundays" /day_of_week: never fires: cron "0 0 * * 0" has slots only on days that day_of_week "1111110" excludes, in the next 28 years; expected a schedule that fires at least once in the next 28 years\n';
    const v = cli(home, ['validate', '-'], { input: text });
    expect([v.code, v.stdout, v.stderr]).toEqual([2, '', `${line}error: 1 problem found; nothing was written (validate never writes).\n`]);
    const i = cli(home, ['insert', '-'], { input: text });
    expect([i.code, i.stdout, i.stderr]).toEqual([2, '', `${line}error: 1 problem found; nothing was inserted.\n`]);
    expect(snapshot(home)).toBe('no store');
  });

  it('only because of its calendar is a warning on standard error; insert goes ahead', () => {
    const home = tempHome();
    mkdirSync(join(home, 'calendars'));
    // Every day from yesterday for ten years.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const dates = Array.from({ length: 10 }, (_, i) => ({ from: day(366 * i - 1), to: day(366 * i + 364), reason: 'closed' }));
    const calendar = join(home, 'calendars', 'CLOSED.json');
    writeFileSync(calendar, JSON.stringify({ name: 'CLOSED', description: 'always closed', dates }));
    const text = '{"name": "daily", "cmd": "true", "trigger_times": "10:00", "calendar": "CLOSED"}';
    const warning = `warning: <stdin>: task #1 "daily" /calendar: calendar "CLOSED" (${calendar}) excludes every day trigger_times "10:00" would fire on in the next 8 years, so it will not run; expected a calendar that leaves at least one of the schedule's days in the next 8 years\n`;
    const v = cli(home, ['validate', '-'], { input: text });
    expect([v.code, v.stdout, v.stderr]).toEqual([0, 'Validation completed: 1 task in <stdin>; no problems found.\n', warning]);
    const json = JSON.parse(cli(home, ['validate', '--json', '-'], { input: text }).stdout);
    expect([json.ok, json.warnings.map((w: { pointer: string }) => w.pointer)]).toEqual([true, ['/calendar']]);
    const i = cli(home, ['insert', '-'], { input: text });
    expect([i.code, i.stdout, i.stderr]).toEqual([0, 'Validation completed: 1 task in <stdin>.\nTask inserted successfully: daily (tid 1000001)\n', warning]);
    const dry = cli(home, ['import', '--dry-run', '-'], { input: text });
    expect([dry.code, dry.stdout, dry.stderr]).toEqual([0, 'Dry run, nothing changed: 0 created, 0 updated, 0 deleted, 1 unchanged.\n', warning]);
    const imported = cli(home, ['import', '-'], { input: text.replace('10:00', '11:00') });
    expect([imported.code, imported.stdout, imported.stderr]).toEqual([0, 'updated: task daily\n0 created, 1 updated, 0 deleted, 0 unchanged.\n', warning.replaceAll('10:00', '11:00')]);
  });

  it('a calendar file that cannot be used and that no definition names is a warning for import too', () => {
    const home = tempHome();
    mkdirSync(join(home, 'calendars'));
    writeFileSync(join(home, 'calendars', 'BROKEN.json'), '{');
    writeFileSync(join(home, 'calendars', 'OPEN.json'), JSON.stringify({ name: 'OPEN', description: 'never closed', dates: [] }));
    const text = '{"name": "daily", "cmd": "true", "trigger_times": "10:00", "calendar": "OPEN"}';
    const warning = `warning: calendar file ${join(home, 'calendars', 'BROKEN.json')}: not valid JSON (line 1, column 2: Expected property name or '}'); calendar "BROKEN" cannot be used until the file is fixed\n`;
    expect(cli(home, ['validate', '-'], { input: text }).stderr).toBe(warning);
    const r = cli(home, ['import', '-'], { input: text });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'created: task daily\n1 created, 0 updated, 0 deleted, 0 unchanged.\n', warning]);
  });
});

describe('validate, update, enable, disable, delete', () => {
  it('validate writes nothing and does not create a home', () => {
    const home = join(tempHome(), 'fresh');
    const r = cli(home, ['validate', fx('two-tasks.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no problems found');
    expect(existsSync(home)).toBe(false);
    expect(cli(home, ['validate', fx('one-bad.json')]).code).toBe(2);
  });

  it('validate --strict enforces the full mandatory-field list', () => {
    const home = tempHome();
    expect(cli(home, ['validate', fx('seed-task2.json'), '--strict']).code).toBe(0);
    const r = cli(home, ['validate', fx('two-tasks.json'), '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/max_run_time/);
  });

  it('validate --update checks an edited stored definition as update would, writing nothing; plain validate says how', () => {
    const home = tempHome();
    cli(home, ['insert', fx('seed-task2.json')]);
    const before = snapshot(home);
    const plain = cli(home, ['validate', fx('seed-task2.json')]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toBe(
      `${fx('seed-task2.json')}: task #1 "task2" /name: task "task2" already exists in instance default\n` +
        'note: validate --update checks a stored definition as update would (--replace: as insert --replace would)\n' +
        'error: 1 problem found; nothing was written (validate never writes).\n',
    );
    const up = cli(home, ['validate', '--update', fx('seed-task2.json')]);
    expect(up.stderr).toBe('');
    expect(up.stdout).toBe(`Validation completed: 1 task in ${fx('seed-task2.json')}; no problems found.\nTask task2: would be updated\n`);
    expect(up.code).toBe(0);
    // As update: a definition that is not stored is a problem, and so is a bad value.
    const ghost = cli(home, ['validate', '--update', '-'], { input: '{"name":"ghost","cmd":"true","trigger_times":"03:00"}' });
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toContain('no task named "ghost" in instance default');
    expect(cli(home, ['validate', '--update', '-'], { input: '{"name":"task2","cmd":"true","trigger_times":"25:00"}' }).code).toBe(2);
    // As insert --replace: stored names are updates, new ones inserts.
    const both = '[{"name":"task2","cmd":"true","trigger_times":"03:00"},{"name":"fresh","cmd":"true","trigger_times":"04:00"}]';
    const rep = cli(home, ['validate', '--replace', '--json', '-'], { input: both });
    expect(rep.code).toBe(0);
    expect(JSON.parse(rep.stdout).plan).toEqual([
      { kind: 'task', name: 'task2', action: 'update' },
      { kind: 'task', name: 'fresh', action: 'insert' },
    ]);
    expect(snapshot(home)).toEqual(before);
  });

  it('validate --update without a home says so (exit 2) and creates nothing; plain validate still works there', () => {
    const home = join(tempHome(), 'fresh');
    const r = cli(home, ['validate', '--update', fx('seed-task2.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: validate --update checks definitions against the stored ones, and there is no EasyTask home at ${home} (another home: --home or EASYTASK_HOME)\n`);
    expect(existsSync(home)).toBe(false);
    expect(cli(home, ['validate', fx('seed-task2.json')]).code).toBe(0);
  });

  it('update changes an existing task and refuses an unknown one', () => {
    const home = tempHome();
    cli(home, ['insert', fx('two-tasks.json')]);
    const r = cli(home, ['update', '-'], { input: '{"name":"backup","cmd":"echo new","trigger_times":"03:00","timezone":"Europe/London"}' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Task updated successfully: backup (tid 1000001)');
    expect(JSON.parse(cli(home, ['show', 'backup', '--json']).stdout).definition.cmd).toBe('echo new');
    const missing = cli(home, ['update', '-'], { input: '{"name":"ghost","cmd":"true","trigger_times":"03:00"}' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no task named "ghost" in instance default');
  });

  it('disable makes a task IDLE, enable makes it ACTIVE, each an event', () => {
    const home = tempHome();
    cli(home, ['insert', fx('two-tasks.json')]);
    expect(cli(home, ['disable', 'backup']).stdout).toBe('Task backup (tid 1000001) disabled\n');
    expect(cli(home, ['disable', 'backup']).stdout).toBe('Task backup (tid 1000001) was already disabled\n');
    expect(JSON.parse(cli(home, ['show', 'backup', '--json']).stdout).state).toBe('IDLE');
    expect(cli(home, ['enable', '1000001']).stdout).toBe('Task backup (tid 1000001) enabled\n');
    const types = (snapshot(home) as { events: { type: string }[] }).events.map((e) => e.type);
    expect(types).toEqual(['task.created', 'task.created', 'task.disabled', 'task.enabled']);
  });

  it('delete removes a task; an unknown name exits 2', () => {
    const home = tempHome();
    cli(home, ['insert', fx('two-tasks.json')]);
    expect(cli(home, ['delete', 'report']).stdout).toBe('Deleted task report (tid 1000002)\n');
    const r = cli(home, ['delete', 'report']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no task or group named "report" (see: easytask list)\n');
  });
});

describe('export and import', () => {
  it('round-trips definitions and syncs: create, update, delete', () => {
    const a = tempHome();
    cli(a, ['insert', fx('two-tasks.json')]);
    const exported = cli(a, ['export']).stdout;
    const b = tempHome();
    cli(b, ['insert', fx('seed-task2.json')]);
    const r = cli(b, ['import', '-'], { input: exported });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 created, 0 updated, 1 deleted, 0 unchanged.');
    expect(cli(b, ['export']).stdout).toBe(exported);
    const again = cli(b, ['import', '-', '--dry-run'], { input: exported });
    expect(again.stdout).toContain('Dry run, nothing changed: 0 created, 0 updated, 0 deleted, 2 unchanged.');
  });
});

describe('help and version', () => {
  it('--version prints the package version', () => {
    const r = cli(tempHome(), ['--version']);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
  it('--help lists the commands with a line each', () => {
    const r = cli(tempHome(), ['--help']);
    for (const c of ['insert', 'validate', 'update', 'delete', 'enable', 'disable', 'list', 'show', 'export', 'import']) {
      expect(r.stdout).toMatch(new RegExp(`\\n  ${c}\\b.*\\S`));
    }
  });
  it('an unknown command exits 2', () => {
    expect(cli(tempHome(), ['frobnicate']).code).toBe(2);
  });
});

describe('groups and dependencies at insert', () => {
  const doc = (tasks: object[], groups: object[] = [{ name: 'etl', trigger_times: '02:00', timezone: 'UTC' }]) => JSON.stringify({ groups, tasks });

  it('inserts a group with members and refuses a cycle, naming its path', () => {
    const home = tempHome();
    const ok = cli(home, ['insert', '-'], { input: doc([{ name: 'extract', task_group: 'etl', cmd: 'true' }, { name: 'load', task_group: 'etl', cmd: 'true', dependency: 'S:extract' }]) });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Group inserted successfully: etl (gid 5000001)');
    const before = snapshot(home);
    const cyc = cli(home, ['insert', '--replace', '-'], {
      input: doc([
        { name: 'a', task_group: 'etl', cmd: 'true', dependency: 'S:c' },
        { name: 'b', task_group: 'etl', cmd: 'true', dependency: 'S:a' },
        { name: 'c', task_group: 'etl', cmd: 'true', dependency: 'S:b' },
      ]),
    });
    expect(cyc.code).toBe(2);
    expect(cyc.stderr).toContain('dependency cycle: a → c → b → a');
    expect(snapshot(home)).toEqual(before);
  });

  it('refuses unknown names, names out of scope and parse errors with the column', () => {
    const home = tempHome();
    const r = cli(home, ['insert', '-'], {
      input: doc(
        [
          { name: 'x', task_group: 'etl', cmd: 'true', dependency: 'S:nope' },
          { name: 'y', task_group: 'etl', cmd: 'true', dependency: 'S:z' },
          { name: 'z', task_group: 'other', cmd: 'true' },
          { name: 'w', task_group: 'etl', cmd: 'true', dependency: 'S:x and and' },
        ],
        [{ name: 'etl', trigger_times: '02:00', timezone: 'UTC' }, { name: 'other', trigger_times: '03:00', timezone: 'UTC' }],
      ),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/tasks/0/dependency: dependency refers to S:nope at column 1: no task named "nope"');
    expect(r.stderr).toContain('/tasks/1/dependency: dependency refers to S:z at column 1, which is not in group "etl"');
    expect(r.stderr).toContain('/tasks/3/dependency: dependency unexpected "and" at column 9');
  });

  it('delete of a group with members needs --cascade', () => {
    const home = tempHome();
    cli(home, ['insert', '-'], { input: doc([{ name: 'extract', task_group: 'etl', cmd: 'true' }]) });
    const r = cli(home, ['delete', 'etl']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: group "etl" has 1 member task(s) (extract); pass --cascade to delete them too\n');
    expect(cli(home, ['delete', 'etl', '--cascade']).stdout).toBe('Deleted task extract (tid 1000001)\nDeleted group etl (gid 5000001)\n');
  });
});
