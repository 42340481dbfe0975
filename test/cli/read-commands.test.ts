// Read commands (runs, events, …) against real stores written through the store API.
import { hostname } from 'node:os';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { openStore, type GroupRunRow, type NewGroupRun, type Outcome, type RunRow, type Store, type TransitionRequest } from '../../src/store/index.js';
import { BIN, cli } from '../helpers/cli.js';
import { insertGroup, insertTask } from '../helpers/defs.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';
import { fakeDaemon } from '../helpers/fake-daemon.js';

const T0 = Date.UTC(2021, 2, 1, 12);

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

/** A store of the home, closed after fn. */
async function withStoreOf<T>(home: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(home, new FakeClock(T0));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** A group cycle for a slot, as the scheduler records it. */
async function cycleOf(store: Store, g: NewGroupRun): Promise<GroupRunRow> {
  const [o] = await store.slots.record([[{ kind: 'cycle', cycle: g }]]);
  if (!o!.ok) throw o!.error;
  return o!.value.cycles[0]!;
}

/** Group `etl` (gid 5000001) with member `extract` (tid 1000001), plus a lone task `other` (tid 1000002); a run of each. */
async function historyHome(): Promise<{ home: string; extractRun: number; otherRun: number }> {
  const home = tempHome();
  return withStoreOf(home, async (store) => {
    await insertGroup(store, { name: 'etl', trigger_times: '02:00' });
    await insertTask(store, { name: 'extract', task_group: 'etl' });
    await insertTask(store, { name: 'other', trigger_times: '03:00' });
    const cycle = await cycleOf(store, { gid: 5000001, group_name: 'etl', instance: 'default', slot: T0, business_date: '2021-03-01' });
    const extract = (await store.runs.create({ task_id: 1000001, task_name: 'extract', instance: 'default', slot: T0, max_attempts: 1, queue: 'localhost', origin: 'group', group_run_id: cycle.id }))!;
    const other = (await store.runs.create({ task_id: 1000002, task_name: 'other', instance: 'default', slot: T0 + 1000, max_attempts: 1, queue: 'localhost' }))!;
    return { home, extractRun: extract.id, otherRun: other.id };
  });
}

const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('runs --task/--group and events --task take a name or a numeric id', () => {
  it('a tid or gid selects the same runs and events as the name', async () => {
    const { home, extractRun, otherRun } = await historyHome();
    const runIds = (args: string[]) => {
      const r = cli(home, ['runs', '--json', ...args]);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { id: number }[]).map((x) => x.id);
    };
    expect(runIds([])).toEqual([otherRun, extractRun]);
    expect(runIds(['--task', 'extract'])).toEqual([extractRun]);
    expect(runIds(['--task', '1000001'])).toEqual([extractRun]);
    expect(runIds(['--task', '1000002'])).toEqual([otherRun]);
    expect(runIds(['--group', 'etl'])).toEqual([extractRun]);
    expect(runIds(['--group', '5000001'])).toEqual([extractRun]);

    const eventTypes = (args: string[]) => lines(cli(home, ['events', '--json', ...args]).stdout).map((l) => `${JSON.parse(l).type} ${JSON.parse(l).task}`);
    expect(eventTypes(['--task', '1000002'])).toEqual(['task.created other', 'run.created other']);
    expect(eventTypes(['--task', '1000002'])).toEqual(eventTypes(['--task', 'other']));
  });

  it('a tid a deleted task had and a new task reuses stands for the new task, in runs and events alike', async () => {
    const { home, otherRun } = await historyHome();
    expect(cli(home, ['delete', 'other']).code).toBe(0);
    expect(cli(home, ['insert', '-'], { input: JSON.stringify({ tid: 1000002, name: 'fresh', cmd: 'true', trigger_times: '04:00' }) }).code).toBe(0);
    const runsOf = (ref: string) => (JSON.parse(cli(home, ['runs', '--json', '--task', ref]).stdout) as { id: number }[]).map((r) => r.id);
    expect(runsOf('1000002')).toEqual([]);
    expect(runsOf('other')).toEqual([otherRun]);
    const taskNames = lines(cli(home, ['events', '--json', '--task', '1000002']).stdout).map((l) => JSON.parse(l).task as string);
    expect([...new Set(taskNames)]).toEqual(['fresh']);
  });

  it('a deleted task is still found by name in the history', async () => {
    const { home, otherRun } = await historyHome();
    expect(cli(home, ['delete', 'other']).code).toBe(0);
    expect(JSON.parse(cli(home, ['runs', '--json', '--task', 'other']).stdout).map((r: { id: number }) => r.id)).toEqual([otherRun]);
    expect(lines(cli(home, ['events', '--json', '--task', 'other']).stdout).map((l) => JSON.parse(l).type)).toEqual(['task.created', 'run.created', 'task.deleted', 'run.skipped']); // the skip follows the delete that causes it
  });

  it('an unknown name or id, or a group given as a task, exits 2 naming it', async () => {
    const { home } = await historyHome();
    expect(cli(home, ['runs', '--task', 'nope'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task nope: no task has that name (see: easytask list)\n' });
    expect(cli(home, ['runs', '--task', '1000009'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task 1000009: no task has that name or tid (see: easytask list)\n' });
    expect(cli(home, ['runs', '--group', '5000009'])).toEqual({ code: 2, stdout: '', stderr: 'error: --group 5000009: no group has that name or gid (see: easytask list)\n' });
    expect(cli(home, ['runs', '--group', 'other'])).toEqual({ code: 2, stdout: '', stderr: 'error: --group other: "other" is a task, not a group; use --task\n' });
    expect(cli(home, ['events', '--task', 'etl'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task etl: "etl" is a group, not a task; use --group\n' });
    expect(cli(home, ['events', '--task', '42'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task 42: no task has that name or tid (see: easytask list)\n' });
  });

  it('a tid used by different tasks in two instances asks for --instance', async () => {
    const home = tempHome();
    await withStoreOf(home, async (store) => {
      await insertTask(store, { name: 'a', trigger_times: '01:00' });
      await insertTask(store, { name: 'b', trigger_times: '01:00', instance: 'blue' });
    });
    expect(cli(home, ['runs', '--task', '1000001'])).toEqual({
      code: 2, stdout: '', stderr: 'error: --task 1000001: tid 1000001 is "b" in instance blue and "a" in instance default; add --instance to choose one\n',
    });
    expect(cli(home, ['runs', '--task', '1000001', '--instance', 'blue'])).toEqual({ code: 0, stdout: 'No runs match.\n', stderr: '' });
  });
});

/**
 * Task `job` and group `etl` in instance default (tid 1000001, gid 5000001) and again in instance prod
 * (tid 1000002, gid 5000002), job a member of etl in both; each instance has one cycle with one run of job.
 */
async function twoInstanceHome(): Promise<{ home: string; defaultRun: number; prodRun: number }> {
  const home = tempHome();
  return withStoreOf(home, async (store) => {
    await insertGroup(store, { name: 'etl', gid: 5000001, trigger_times: '02:00' });
    await insertTask(store, { name: 'job', tid: 1000001, task_group: 'etl' });
    await insertGroup(store, { name: 'etl', gid: 5000002, instance: 'prod', trigger_times: '02:00' });
    await insertTask(store, { name: 'job', tid: 1000002, task_group: 'etl', instance: 'prod' });
    const run = async (tid: number, gid: number, instance: string, slot: number) => {
      const cycle = await cycleOf(store, { gid, group_name: 'etl', instance, slot, business_date: '2021-03-01' });
      return (await store.runs.create({ task_id: tid, task_name: 'job', instance, slot, max_attempts: 1, queue: 'localhost', origin: 'group', group_run_id: cycle.id }))!.id;
    };
    return { home, defaultRun: await run(1000001, 5000001, 'default', T0), prodRun: await run(1000002, 5000002, 'prod', T0 + 1000) };
  });
}

describe('runs and events with a task and group of the same name in two instances', () => {
  const runIds = (home: string, args: string[]) => {
    const r = cli(home, ['runs', '--json', ...args]);
    expect(r.stderr).toBe('');
    return (JSON.parse(r.stdout) as { id: number; instance: string }[]).map((x) => `${x.id} ${x.instance}`);
  };
  const events = (home: string, args: string[]) => {
    const r = cli(home, ['events', '--json', ...args]);
    expect(r.stderr).toBe('');
    return lines(r.stdout).map((l) => JSON.parse(l)).map((e) => `${e.type} ${e.task} ${e.task_id} ${e.instance}`);
  };

  it('a tid or gid selects that instance\'s runs and events only; a name needs --instance', async () => {
    const { home, defaultRun, prodRun } = await twoInstanceHome();
    expect(runIds(home, [])).toEqual([`${prodRun} prod`, `${defaultRun} default`]);
    expect(runIds(home, ['--task', '1000002'])).toEqual([`${prodRun} prod`]);
    expect(runIds(home, ['--task', '1000001'])).toEqual([`${defaultRun} default`]);
    expect(runIds(home, ['--group', '5000002'])).toEqual([`${prodRun} prod`]);
    expect(runIds(home, ['--group', '5000001'])).toEqual([`${defaultRun} default`]);
    expect(runIds(home, ['--task', 'job', '--instance', 'prod'])).toEqual([`${prodRun} prod`]);
    expect(runIds(home, ['--group', 'etl', '--instance', 'default'])).toEqual([`${defaultRun} default`]);
    expect(runIds(home, ['--instance', 'prod'])).toEqual([`${prodRun} prod`]);
    expect(runIds(home, ['--task', '1000001', '--group', '5000002'])).toEqual([]);
    expect(cli(home, ['runs', '--task', 'job'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task job: "job" is in instances default and prod; add --instance to choose one\n' });
    expect(cli(home, ['runs', '--group', 'etl'])).toEqual({ code: 2, stdout: '', stderr: 'error: --group etl: "etl" is in instances default and prod; add --instance to choose one\n' });
    expect(cli(home, ['runs', '--task', '1000002', '--instance', 'default'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task 1000002: no task has that name or tid in instance default (see: easytask list)\n' });

    const prodEvents = ['task.created job 1000002 prod', 'run.created job 1000002 prod'];
    expect(events(home, ['--task', '1000002'])).toEqual(prodEvents);
    expect(events(home, ['--task', 'job', '--instance', 'prod'])).toEqual(prodEvents);
    expect(events(home, ['--task', '1000001'])).toEqual(['task.created job 1000001 default', 'run.created job 1000001 default']);
    expect(events(home, ['--instance', 'prod'])).toEqual(['group.created null null prod', ...prodEvents.slice(0, 1), 'group_run.created null null prod', prodEvents[1]]);
    expect(cli(home, ['events', '--task', 'job'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task job: "job" is in instances default and prod; add --instance to choose one\n' });
  });

  it('once deleted, a tid or gid is still found in the history of its instance', async () => {
    const { home, defaultRun, prodRun } = await twoInstanceHome();
    expect(cli(home, ['delete', 'etl', '--cascade', '--instance', 'prod']).code).toBe(0);
    expect(runIds(home, ['--task', '1000002'])).toEqual([`${prodRun} prod`]);
    expect(runIds(home, ['--group', '5000002'])).toEqual([`${prodRun} prod`]);
    // The name now has a definition only in default; prod's history is one --instance away.
    expect(runIds(home, ['--task', 'job'])).toEqual([`${defaultRun} default`]);
    expect(runIds(home, ['--task', 'job', '--instance', 'prod'])).toEqual([`${prodRun} prod`]);
    expect(runIds(home, ['--group', 'etl', '--instance', 'prod'])).toEqual([`${prodRun} prod`]);
    expect(events(home, ['--task', '1000002'])).toEqual(['task.created job 1000002 prod', 'run.created job 1000002 prod', 'task.deleted job 1000002 prod', 'run.skipped job 1000002 prod']);
  });

  it('the runs table has an INSTANCE column when a listed run is outside the default instance', async () => {
    const { home, defaultRun, prodRun } = await twoInstanceHome();
    expect(cli(home, ['runs'])).toEqual({
      code: 0, stderr: '', stdout: [
        'RUN  TASK  INSTANCE  SLOT (UTC)            SLOT (LOCAL)             STATE   REASON  ATTEMPTS  EXIT  DURATION  HOST',
        `${prodRun}    job   prod      2021-03-01 12:00:01Z  2021-03-01 12:00:01 UTC  ACTIVE  -       0/1       -     -         -`,
        `${defaultRun}    job   default   2021-03-01 12:00:00Z  2021-03-01 12:00:00 UTC  ACTIVE  -       0/1       -     -         -`,
        '',
      ].join('\n'),
    });
    expect(cli(home, ['runs', '--instance', 'default'])).toEqual({
      code: 0, stderr: '', stdout: [
        'RUN  TASK  SLOT (UTC)            SLOT (LOCAL)             STATE   REASON  ATTEMPTS  EXIT  DURATION  HOST',
        `${defaultRun}    job   2021-03-01 12:00:00Z  2021-03-01 12:00:00 UTC  ACTIVE  -       0/1       -     -         -`,
        '',
      ].join('\n'),
    });
  });
});

describe('events -f --task for a task that does not exist yet', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('follows the name, printing its events once it is inserted; a note on stderr says so', async () => {
    const { home } = await historyHome();
    const child = spawn(process.execPath, [BIN, 'events', '-f', '--json', '--task', 'notyet'], { env: { ...process.env, EASYTASK_HOME: home, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const note = 'note: --task notyet: no task has that name yet; following the events recorded under it\n';
    await waitFor(() => stderr === note || child.exitCode !== null, 'the note on stderr');
    expect({ exit: child.exitCode, stderr }).toEqual({ exit: null, stderr: note });

    await withStoreOf(home, async (store) => {
      await insertTask(store, { name: 'bystander', trigger_times: '04:00' });
      await insertTask(store, { name: 'notyet', tid: 1000007, trigger_times: '05:00' });
    });
    await waitFor(() => stdout.endsWith('\n') && stdout, 'the task.created event of notyet');
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(lines(stdout).map((l) => JSON.parse(l)).map((e) => `${e.type} ${e.task} ${e.task_id} ${e.instance}`)).toEqual(['task.created notyet 1000007 default']);
    expect(stderr).toBe(note);
  });

  it('without -f, or given as digits, an unknown task still exits 2', async () => {
    const { home } = await historyHome();
    expect(cli(home, ['events', '--task', 'notyet'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task notyet: no task has that name (see: easytask list)\n' });
    expect(cli(home, ['events', '-f', '--task', '1000009'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task 1000009: no task has that name or tid (see: easytask list)\n' });
    expect(cli(home, ['events', '-f', '--task', 'etl'])).toEqual({ code: 2, stdout: '', stderr: 'error: --task etl: "etl" is a group, not a task; use --group\n' });
  });
});

/** Run the built executable with its stdout a pipe whose read side is already closed (as `| head` leaves it). */
function intoClosedPipe(home: string, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, EASYTASK_HOME: home, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

describe('output into a closed pipe', () => {
  it('read commands end quietly with status 0 when the reader has gone', async () => {
    const { home } = await historyHome();
    const commands = [['runs'], ['runs', '--json'], ['events'], ['events', '--json'], ['list'], ['list', '--json'], ['show', 'etl'], ['status'], ['status', '--json'], ['export'], ['next', 'other'], ['--help'], ['runs', '--help']];
    for (const args of commands) {
      expect({ args, ...(await intoClosedPipe(home, args)) }).toEqual({ args, code: 0, signal: null, stderr: '' });
    }
  });

  it('`| head -1` after more output than a pipe holds: the first line, status 0, nothing on stderr', async () => {
    const home = tempHome();
    await withStoreOf(home, async (store) => {
      await insertTask(store, { name: 'many', trigger_times: '01:00' });
      const runs = Array.from({ length: 1000 }, (_, i) => ({ kind: 'run' as const, run: { task_id: 1000001, task_name: 'many', instance: 'default', slot: T0 + i * 60_000, max_attempts: 1, queue: 'localhost' } }));
      await store.slots.record([runs]);
    });
    for (const args of ['runs --json -n 1000', 'events']) {
      const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ${args} | head -1`], { env: { ...process.env, EASYTASK_HOME: home, TZ: 'UTC' }, encoding: 'utf8' });
      expect({ args, status: r.status, stderr: r.stderr, first: r.stdout.split('\n')[0] }).toEqual({
        args, status: 0, stderr: '', first: args === 'events' ? expect.stringMatching(/^#1 \S+Z task\.created task many version 1 tid 1000001$/) : '[',
      });
    }
  });
});

describe('status and a daemon whose heartbeat stopped', () => {
  const daemonRow = fakeDaemon;

  it('a fresh heartbeat: running and responding', async () => {
    const home = tempHome();
    const pid = await daemonRow(home, 0);
    expect(JSON.parse(cli(home, ['status', '--json']).stdout)).toMatchObject({ daemon: 'running', responding: true, pid, host: hostname() });
    expect(lines(cli(home, ['status']).stdout)[0]).toMatch(new RegExp(`^Daemon running: pid ${pid} on ${escapeRe(hostname())}, version 9\\.9\\.9, up 1h00m, heartbeat \\d+(\\.\\d)?s ago$`));
  });

  it('a heartbeat a minute old: not responding, in text and JSON', async () => {
    const home = tempHome();
    const pid = await daemonRow(home, 60_000);
    const json = JSON.parse(cli(home, ['status', '--json']).stdout);
    expect(json).toMatchObject({ daemon: 'running', responding: false, pid, host: hostname() });
    expect(json.heartbeat_age_seconds).toBeGreaterThanOrEqual(60);
    expect(json.heartbeat_age_seconds).toBeLessThan(80);
    const text = cli(home, ['status']);
    expect(text.code).toBe(4);
    const age = new RegExp(`^Daemon not responding: pid (\\d+) on ${escapeRe(hostname())} is alive but its last heartbeat was ([\\d.]+)s ago \\(it beats every second; more than 10s means hung or suspended\\)$`).exec(lines(text.stdout)[0]!);
    expect(age?.[1]).toBe(String(pid));
    expect(Number(age?.[2])).toBeGreaterThanOrEqual(60);
  });

  it('no daemon: responding is null', async () => {
    const home = tempHome();
    await (await openStore(home)).close();
    expect(JSON.parse(cli(home, ['status', '--json']).stdout)).toMatchObject({ daemon: 'stopped', responding: null, pid: null });
  });
});

describe('instances in list and next', () => {
  /** Task `solo` in the default instance only; task `twin` (tid 1000002) in default and in green, firing at different times. */
  async function twoInstances(): Promise<string> {
    const home = tempHome();
    await withStoreOf(home, async (store) => {
      await insertTask(store, { name: 'solo', trigger_times: '01:00' });
      await insertTask(store, { name: 'twin', trigger_times: '02:00' });
      await insertTask(store, { name: 'twin', trigger_times: '03:00', instance: 'green', tid: 1000002 });
    });
    return home;
  }

  it('list has an INSTANCE column once an instance other than default exists, and not before', async () => {
    const home = await twoInstances();
    const table = cli(home, ['list']);
    expect(table.code).toBe(0);
    expect(lines(table.stdout).map((l) => l.split(/ {2,}/).slice(0, 5))).toEqual([
      ['NAME', 'INSTANCE', 'KIND', 'ID', 'STATE'],
      ['solo', 'default', 'task', '1000001', 'ACTIVE'],
      ['twin', 'default', 'task', '1000002', 'ACTIVE'],
      ['twin', 'green', 'task', '1000002', 'ACTIVE'],
    ]);
    expect(lines(cli(home, ['list', '--instance', 'green']).stdout).map((l) => l.split(/ {2,}/).slice(0, 4))).toEqual([
      ['NAME', 'INSTANCE', 'KIND', 'ID'],
      ['twin', 'green', 'task', '1000002'],
    ]);
    expect(lines(cli(home, ['list', '--instance', 'default']).stdout).map((l) => l.split(/ {2,}/).slice(0, 4))).toEqual([
      ['NAME', 'KIND', 'ID', 'STATE'],
      ['solo', 'task', '1000001', 'ACTIVE'],
      ['twin', 'task', '1000002', 'ACTIVE'],
    ]);
  });

  it('next --instance picks one of two tasks with the same name; without it the name is ambiguous', async () => {
    const home = await twoInstances();
    const from = ['-n', '1', '--from', '2026-03-01T00:00:00Z'];
    expect(cli(home, ['next', 'twin', ...from])).toEqual({
      code: 2, stdout: '', stderr: 'error: "twin" names 2 definitions in instances default, green; pass --instance\n',
    });
    expect(cli(home, ['next', 'twin', '--instance', 'green', ...from])).toEqual({
      code: 0, stderr: '',
      stdout: 'Next 1 fire of task twin in instance green (UTC) after 2026-03-01T00:00:00Z:\n  UTC                   LOCAL\n  2026-03-01T03:00:00Z  2026-03-01 03:00:00+00:00 Sun\n',
    });
    expect(cli(home, ['next', 'twin', '--instance', 'default', ...from]).stdout).toBe(
      'Next 1 fire of task twin (UTC) after 2026-03-01T00:00:00Z:\n  UTC                   LOCAL\n  2026-03-01T02:00:00Z  2026-03-01 02:00:00+00:00 Sun\n',
    );
    expect(JSON.parse(cli(home, ['next', '1000002', '--instance', 'green', ...from, '--json']).stdout).map((f: { utc: string }) => f.utc)).toEqual(['2026-03-01T03:00:00.000Z']);
    expect(cli(home, ['next', 'twin', '--instance', 'blue', ...from])).toEqual({
      code: 2, stdout: '', stderr: 'error: no task or group named "twin" in instance blue (see: easytask list)\n',
    });
  });
});

describe('a home that does not exist', () => {
  const noHome = (missing: string) =>
    `error: there is no EasyTask home at ${missing}; easytask insert, import, import-crontab --insert or daemon creates one (another home: --home or EASYTASK_HOME)\n`;

  it('read commands say so with exit 2 and create nothing, given by --home or EASYTASK_HOME', async () => {
    const missing = join(tempHome(), 'not', 'here');
    for (const args of [['list'], ['list', '--json'], ['show', 'x'], ['runs'], ['events'], ['status', '--json'], ['export'], ['next', 'x'], ['logs', '1'], ['update', '-'], ['delete', 'x'], ['prune', '--older-than', '1d']]) {
      expect({ args, ...cli(missing, args, { input: '{}' }) }).toEqual({ args, code: 2, stdout: '', stderr: noHome(missing) });
      expect({ args, ...cli(tempHome(), ['--home', missing, ...args], { input: '{}' }) }).toEqual({ args, code: 2, stdout: '', stderr: noHome(missing) });
    }
    expect(existsSync(join(missing, '..'))).toBe(false);
  });

  it('an existing folder without a store is not a home either, and stays empty', async () => {
    const dir = join(tempHome(), 'empty');
    mkdirSync(dir);
    expect(cli(dir, ['list'])).toEqual({ code: 2, stdout: '', stderr: noHome(`${dir} (the folder has no easytask.db)`) });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('insert and import create it', async () => {
    const a = join(tempHome(), 'a');
    expect(cli(a, ['insert', '-'], { input: JSON.stringify({ name: 'one', cmd: 'true', trigger_times: '07:00' }) })).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(a, 'easytask.db'))).toBe(true);
    expect(lines(cli(a, ['list']).stdout).map((l) => l.split(/ {2,}/)[0])).toEqual(['NAME', 'one']);
    const b = join(tempHome(), 'b');
    expect(cli(b, ['import', '-'], { input: cli(a, ['export']).stdout })).toEqual({ code: 0, stderr: '', stdout: 'created: task one\n1 created, 0 updated, 0 deleted, 0 unchanged.\n' });
    expect(existsSync(join(b, 'easytask.db'))).toBe(true);
    const c = join(tempHome(), 'c');
    expect(cli(c, ['import-crontab', '-', '--insert'], { input: '0 7 * * * /bin/true\n' })).toMatchObject({ code: 0, stdout: 'Task inserted: true (tid 1000001) from line 1\n' });
    expect(existsSync(join(c, 'easytask.db'))).toBe(true);
  });

  it('insert refused, import refused or dry run, and an empty import create nothing', async () => {
    const missing = join(tempHome(), 'not', 'here');
    const bad = JSON.stringify({ name: 'bad', cmd: 'true' });
    expect(cli(missing, ['insert', '-'], { input: bad })).toEqual({
      code: 2, stdout: '',
      stderr: '<stdin>: task #1 "bad": no schedule; expected exactly one of "trigger_times", "run_frequency" or "cron", or "task_group" to run the task in a group\nerror: 1 problem found; nothing was inserted.\n',
    });
    expect(cli(missing, ['import', '-'], { input: bad })).toMatchObject({ code: 2, stdout: '' });
    const doc = JSON.stringify({ tasks: [{ name: 'one', cmd: 'true', trigger_times: '07:00' }] });
    expect(cli(missing, ['import', '-', '--dry-run'], { input: doc })).toEqual({
      code: 0, stderr: '', stdout: 'would be created: task one\nDry run, nothing changed: 1 created, 0 updated, 0 deleted, 0 unchanged.\n',
    });
    expect(cli(missing, ['import', '-', '--dry-run', '--json'], { input: doc })).toEqual({
      code: 0, stderr: '', stdout: JSON.stringify([{ action: 'created', kind: 'task', name: 'one' }], null, 2) + '\n',
    });
    expect(cli(missing, ['import', '-'], { input: '{"tasks": []}' })).toEqual({ code: 0, stderr: '', stdout: '0 created, 0 updated, 0 deleted, 0 unchanged.\n' });
    expect(existsSync(join(missing, '..'))).toBe(false);
  });
});

describe('export -o', () => {
  it('names the path and the reason when the file cannot be written, and writes nothing', async () => {
    const { home } = await historyHome();
    const missing = join(home, 'some', 'missing', 'dir', 'file.json');
    expect(cli(home, ['export', '-o', missing])).toEqual({
      code: 2, stdout: '', stderr: `error: -o ${missing}: cannot write the export: its folder ${join(home, 'some', 'missing', 'dir')} does not exist (create it first); nothing was written\n`,
    });
    expect(existsSync(join(home, 'some'))).toBe(false);
    const notDir = join(home, 'plain');
    writeFileSync(notDir, '');
    expect(cli(home, ['export', '-o', join(notDir, 'file.json')])).toEqual({
      code: 2, stdout: '', stderr: `error: -o ${join(notDir, 'file.json')}: cannot write the export: a part of ${notDir} is a file, not a folder; nothing was written\n`,
    });
    expect(cli(home, ['export', '-o', home])).toEqual({ code: 2, stdout: '', stderr: `error: -o ${home}: cannot write the export: it is a folder; give a file name; nothing was written\n` });
  });

  it('relative to the working folder, into a folder that exists', async () => {
    const { home } = await historyHome();
    expect(cli(home, ['export', '-o', 'defs.json'], { cwd: home })).toEqual({ code: 0, stderr: '', stdout: 'Exported 2 tasks and 1 group to defs.json\n' });
    expect(readFileSync(join(home, 'defs.json'), 'utf8')).toBe(cli(home, ['export']).stdout);
  });
});

describe('runs DURATION', () => {
  it('is the last attempt\'s process time, not the time since the run was accepted', async () => {
    const home = tempHome();
    const clock = new FakeClock(T0);
    const store = await openStore(home, clock);
    let retried = 0;
    let waited = 0;
    try {
      await insertTask(store, { name: 'job', trigger_times: '01:00' });
      const one = <T>([o]: Outcome<T>[]): T => {
        if (!o!.ok) throw o!.error;
        return o!.value;
      };
      /** An attempt accepted now, whose process starts after `spawnMs`, runs `processMs` and ends with `transition`. */
      const attempt = async (run: RunRow, pid: number, spawnMs: number, processMs: number, transition: Omit<TransitionRequest, 'runId'>) => {
        const accepted = one(await store.attempts.accept([{ run, host: 'vm', at: clock.now(), token: 't', leaseMs: 60_000 }]));
        clock.advance(spawnMs);
        one(await store.attempts.started([{ runId: run.id, attempt: accepted.attempt, pid, at: clock.now(), stdoutPath: join(home, 'out'), stderrPath: join(home, 'err'), token: 't' }]));
        clock.advance(processMs);
        const end = { runId: run.id, n: accepted.attempt, endedAt: clock.now(), durationMs: processMs, exitCode: 0, signal: null, reason: null, stdoutBytes: 0, stderrBytes: 0, outputError: null };
        return store.attempts.ended({ token: 't', end, transition: { ...transition, runId: run.id } });
      };
      const trigger = async (slot: number, max_attempts: number) => {
        const run = (await store.runs.create({ task_id: 1000001, task_name: 'job', instance: 'default', slot, max_attempts, queue: 'localhost', origin: 'force' }))!;
        return store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' });
      };
      // Attempt 1 ran 1.1 s and failed; a minute's retry delay; attempt 2 ran 2.5 s and succeeded.
      const a = await trigger(T0, 2);
      const restarting = await attempt(a, 10, 0, 1100, { event: 'run.retrying', to: 'RESTARTING', patch: { exit_code: 1, reason: 'exit_code', due_at: clock.now() + 1100 + 60_000 } });
      clock.advance(60_000);
      await attempt(restarting, 11, 0, 2500, { event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() + 2500, reason: null } });
      retried = a.id;
      // Accepted, then 5 s before its process started (a slow spawn), which ran 0.4 s.
      const b = await trigger(T0 + 1000, 1);
      await attempt(b, 12, 5000, 400, { event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() + 5400, reason: null } });
      waited = b.id;
    } finally {
      await store.close();
    }
    const rows = lines(cli(home, ['runs']).stdout).map((l) => l.split(/ {2,}/));
    expect(rows.map((r) => [r[0], r[6], r[8]])).toEqual([['RUN', 'ATTEMPTS', 'DURATION'], [String(waited), '1/1', '400ms'], [String(retried), '2/2', '2.5s']]);
    expect(JSON.parse(cli(home, ['runs', '--json']).stdout).map((r: { id: number; duration_ms: number | null }) => [r.id, r.duration_ms])).toEqual([[waited, 400], [retried, 2500]]);
  });

  it('with a real daemon: a retried run shows its last attempt, not the retry delay', async () => {
    const home = tempHome();
    const marker = join(home, 'tried');
    const def = { name: 'flaky', cmd: `test -e ${marker} || { touch ${marker}; exit 1; }`, trigger_times: '01:00', timezone: 'UTC', retry_attempts: 2, retry_delay: 2 };
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
    await startDaemonProcess(home);
    expect(cli(home, ['force-run', 'flaky']).code).toBe(0);
    const run = await waitFor(() => (JSON.parse(cli(home, ['runs', '--json']).stdout) as { state: string; attempt: number; duration_ms: number; started_at: string; ended_at: string }[]).find((r) => r.state === 'SUCCESS'), 'the retried run to succeed', 20_000);
    expect(run.attempt).toBe(2);
    // The run spans the 2 s retry delay (±10 % jitter, so at least 1.8 s); its last attempt (`test -e`) takes a small part of it.
    expect(Date.parse(run.ended_at) - Date.parse(run.started_at)).toBeGreaterThanOrEqual(1800);
    expect(run.duration_ms).toBeGreaterThanOrEqual(0);
    expect(run.duration_ms).toBeLessThan(1500);
  });
});

describe('delete output', () => {
  it('--json lists each deleted definition as an object: kind, name, id, instance, group, skipped runs', async () => {
    const { home } = await historyHome();
    await withStoreOf(home, (store) => insertTask(store, { name: 'other', trigger_times: '03:00', instance: 'green' }));
    expect(cli(home, ['delete', 'other', '--instance', 'default', '--json'])).toEqual({
      code: 0, stderr: '',
      stdout: JSON.stringify({ deleted: [{ kind: 'task', name: 'other', id: 1000002, instance: 'default', group: null, skipped_runs: 1 }] }, null, 2) + '\n',
    });
    expect(JSON.parse(cli(home, ['delete', 'etl', '--cascade', '--json']).stdout)).toEqual({
      deleted: [
        { kind: 'task', name: 'extract', id: 1000001, instance: 'default', group: 'etl', skipped_runs: 1 },
        { kind: 'group', name: 'etl', id: 5000001, instance: 'default', group: null, skipped_runs: 0 },
      ],
    });
    expect(cli(home, ['delete', 'other'])).toEqual({ code: 0, stderr: '', stdout: 'Deleted task other (tid 1000001, instance green)\n' });
    expect(cli(home, ['list', '--json']).stdout).toBe('[]\n');
  });

  it('the text names the runs it skipped', async () => {
    const { home } = await historyHome();
    expect(cli(home, ['delete', 'other'])).toEqual({ code: 0, stderr: '', stdout: 'Deleted task other (tid 1000002); 1 run(s) not yet started skipped\n' });
  });
});
