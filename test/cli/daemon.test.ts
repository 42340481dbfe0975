import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

interface RunJson {
  id: number;
  task: string;
  slot: string;
  state: string;
  reason: string | null;
  attempt: number;
  exit_code: number | null;
  started_at: string | null;
  ended_at: string | null;
}

const runs = (home: string, ...args: string[]): RunJson[] => JSON.parse(cli(home, ['runs', '--json', '-n', '100000', ...args]).stdout);
const insert = (home: string, def: object) => expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('easytask daemon (the built executable)', () => {
  it('prints its banner, refuses a second daemon naming the pid, and shuts down on SIGTERM', async () => {
    const home = tempHome();
    const d = await startDaemonProcess(home);
    expect(d.output()).toMatch(/EasyTask \d+\.\d+\.\d+ daemon\n {2}home: {8}.*\n/);
    expect(d.output()).toContain('Scheduler service started');
    const second = await startDaemonProcess(home, [], false);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`error: a daemon is already running for this home (pid ${d.child.pid} `);
    const status = JSON.parse(cli(home, ['status', '--json']).stdout);
    expect(status).toMatchObject({ daemon: 'running', pid: d.child.pid });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(d.output()).toMatch(/Shutdown Complete\.\n$/);
    expect(JSON.parse(cli(home, ['status', '--json']).stdout).daemon).toBe('stopped');
  });

  it('force-run and terminate through the CLI, each acknowledged by the daemon', async () => {
    const home = tempHome();
    insert(home, { tid: 1000002, name: 'task2', cmd: 'sleep 300', trigger_times: '08:30', timezone: 'UTC' });
    await startDaemonProcess(home);
    const fr = cli(home, ['force-run', 'task2']);
    expect(fr.stdout).toBe('Force run triggered for task 1000002 (task2)\n');
    expect(fr.code).toBe(0);
    const run = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING'), 'RUNNING');
    const t = cli(home, ['terminate', 'task2']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(new RegExp(`^Terminate requested for task2: run ${run.id} \\(RUNNING, pid \\d+\\)\\n$`));
    const done = await waitFor(() => runs(home).find((r) => r.id === run.id && r.state === 'TERMINATED'), 'TERMINATED');
    expect(done.reason).toBe('requested');
    expect(cli(home, ['modify-status', String(run.id), '--status', 'success']).stdout).toBe(`Run ${run.id} of task 1000002 (task2) changed from TERMINATED to SUCCESS\n`);
  });

  it('terminate <task> --run <id> refuses (exit 2) a run of another task, naming both, and ends nothing', async () => {
    const home = tempHome();
    insert(home, { tid: 1000002, name: 'task2', cmd: 'sleep 300', trigger_times: '08:30', timezone: 'UTC' });
    insert(home, { tid: 1000003, name: 'task3', cmd: 'sleep 300', trigger_times: '08:30', timezone: 'UTC' });
    await startDaemonProcess(home);
    cli(home, ['force-run', 'task2']);
    const run = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING'), 'RUNNING');
    const wrong = cli(home, ['terminate', 'task3', '--run', String(run.id)]);
    expect(wrong.stderr).toBe(`error: run ${run.id} belongs to task 1000002 (task2), not to task 1000003 (task3); nothing was terminated\n`);
    expect(wrong.code).toBe(2);
    const unknown = cli(home, ['terminate', 'nope', '--run', String(run.id)]);
    expect(unknown.stderr).toBe(`error: run ${run.id} belongs to task 1000002 (task2), not to "nope"; nothing was terminated\n`);
    expect(unknown.code).toBe(2);
    expect(runs(home).find((r) => r.id === run.id)!.state).toBe('RUNNING');
    const right = cli(home, ['terminate', '1000002', '--run', String(run.id)]);
    expect(right.stdout).toMatch(new RegExp(`^Terminate requested for task2: run ${run.id} \\(RUNNING, pid \\d+\\)\\n$`));
    expect(right.code).toBe(0);
    await waitFor(() => runs(home).find((r) => r.id === run.id && r.state === 'TERMINATED'), 'TERMINATED');
  });

  it('says within a few seconds that no daemon took a command, and withdraws it', () => {
    const home = tempHome();
    insert(home, { name: 'x', cmd: 'true', trigger_times: '08:30' });
    const t0 = performance.now();
    const r = cli(home, ['force-run', 'x']);
    expect(performance.now() - t0).toBeLessThan(8000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: no daemon took the request within 3s (start one with: easytask daemon); the request was withdrawn\n');
  });

  it('SIGTERM lets running attempts finish within --grace, then TERMINATES them (shutdown)', async () => {
    const home = tempHome();
    insert(home, { name: 'stubborn', cmd: 'sleep 300', trigger_times: '08:30' });
    const d = await startDaemonProcess(home, ['--grace', '1', '--kill-grace', '1']);
    cli(home, ['force-run', 'stubborn']);
    const run = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING'), 'RUNNING');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(runs(home).find((r) => r.id === run.id)).toMatchObject({ state: 'TERMINATED', reason: 'shutdown' });
  });

  it('a second SIGINT during the grace stops waiting: the attempts are TERMINATED (shutdown) at once and it exits 0', async () => {
    const home = tempHome();
    insert(home, { name: 'stubborn', cmd: 'sleep 300', trigger_times: '08:30' });
    const d = await startDaemonProcess(home, ['--grace', '60']);
    cli(home, ['force-run', 'stubborn']);
    const run = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING' && (r as RunJson & { pid: number | null }).pid), 'RUNNING');
    const pid = (run as RunJson & { pid: number }).pid;
    d.child.kill('SIGINT');
    await waitFor(() => d.output().includes('waiting up to'), 'the grace to begin');
    expect(d.output()).toMatch(/Z SIGINT received: no new triggers; stopping\n\S+Z SIGINT: waiting up to 60s for 1 running attempt\(s\); a second Ctrl-C \(SIGINT or SIGTERM\) stops them now\n/);
    expect(runs(home).find((r) => r.id === run.id)!.state).toBe('RUNNING'); // the first signal waits
    const t0 = performance.now();
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000); // not the 60 s grace
    expect(d.output()).toMatch(/Z SIGINT received again: terminating 1 running attempt\(s\) now\n/);
    expect(d.output()).toMatch(/Shutdown Complete\.\n$/);
    expect(runs(home).find((r) => r.id === run.id)).toMatchObject({ state: 'TERMINATED', reason: 'shutdown' });
    expect(alive(pid)).toBe(false);
  });

  it('after kill -9 mid-run, the next daemon resolves the run within 5 s and kills what was left', async () => {
    const home = tempHome();
    const pidfile = join(home, 'child.pid');
    const spawnerfile = join(home, 'spawner.pid');
    insert(home, { name: 'orphan', cmd: `echo $PPID > ${spawnerfile}; sleep 300 & echo $! > ${pidfile}; wait`, trigger_times: '08:30', retry_attempts: 0 });
    const d = await startDaemonProcess(home);
    cli(home, ['force-run', 'orphan']);
    await waitFor(() => runs(home).find((r) => r.state === 'RUNNING') && existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim(), 'RUNNING with a child');
    const child = Number(readFileSync(pidfile, 'utf8'));
    const spawner = Number(readFileSync(spawnerfile, 'utf8'));
    expect(spawner).not.toBe(d.child.pid); // started by a spawner process
    d.child.kill('SIGKILL');
    await d.exited;
    await waitFor(() => !alive(spawner) || undefined, 'the spawner to leave with its daemon', 5000);
    expect(alive(child)).toBe(true); // the crash left it behind
    const t0 = performance.now();
    const again = await startDaemonProcess(home);
    const resolved = await waitFor(() => runs(home).find((r) => r.state === 'FAILED'), 'the lost run to be resolved', 5000);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(resolved.reason).toBe('lost');
    expect(alive(child)).toBe(false);
    // The banner first, then what recovery did, then the scheduler.
    expect(again.output()).toMatch(/^EasyTask \d+\.\d+\.\d+ daemon\n(?: {2}.*\n){6}\S+Z Recovered 1 run\(s\) left by a previous daemon: 1 failed \(lost\), 0 retried; killed \d+ leftover process\(es\)\n\S+Z Scheduler service started\n/);
    expect(runs(home)).toHaveLength(1);
  });
});

describe('spawner processes', () => {
  const parentOfTask = async (args: string[]) => {
    const home = tempHome();
    insert(home, { name: 'who', cmd: 'echo $PPID', trigger_times: '08:30' });
    const d = await startDaemonProcess(home, args);
    cli(home, ['force-run', 'who']);
    await waitFor(() => runs(home).find((r) => r.state === 'SUCCESS'), 'SUCCESS');
    const parent = Number(readFileSync(join(home, 'logs', 'who', `${runs(home)[0]!.id}.out`), 'utf8'));
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    return { parent, daemon: d.child.pid!, banner: d.output() };
  };

  it('by default a spawner process, not the daemon, starts each command', async () => {
    const { parent, daemon, banner } = await parentOfTask([]);
    expect(parent).not.toBe(daemon);
    expect(banner).toContain('  concurrency: 8, through 2 spawner process(es)\n');
    expect(alive(parent)).toBe(false); // it left with the daemon
  });

  it('--spawners 0: the daemon starts commands itself', async () => {
    const { parent, daemon, banner } = await parentOfTask(['--spawners', '0']);
    expect(parent).toBe(daemon);
    expect(banner).toContain('  concurrency: 8, started by the daemon itself\n');
  });
});

describe('control commands refused by the daemon', () => {
  it('an unknown task or a bad date exits 2 with the reason', async () => {
    const home = tempHome();
    insert(home, { name: 'x', cmd: 'true', trigger_times: '08:30' });
    await startDaemonProcess(home);
    const r = cli(home, ['force-run', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no task or group named "nope" (see: easytask list)\n');
    const d = cli(home, ['freeze', 'x', '--date', '20261399']);
    expect(d.code).toBe(2);
    expect(d.stderr).toBe('error: --date must be a real date as YYYYMMDD, got "20261399"\n');
  });
});

describe('control commands and instances', () => {
  it('a name in two instances needs --instance; with it, force-run, freeze and terminate act on that instance only', async () => {
    const home = tempHome();
    insert(home, { name: 'twin', cmd: 'sleep 300', trigger_times: '08:30', instance: 'blue' });
    insert(home, { name: 'twin', cmd: 'sleep 300', trigger_times: '08:30', instance: 'green' });
    await startDaemonProcess(home);
    const amb = cli(home, ['force-run', 'twin']);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toBe('error: "twin" names 2 definitions in instances blue, green; pass --instance\n');
    const fr = cli(home, ['force-run', 'twin', '--instance', 'green']);
    expect(fr.code).toBe(0);
    const green = JSON.parse(cli(home, ['show', 'twin', '--instance', 'green', '--json']).stdout).id as number;
    expect(fr.stdout).toBe(`Force run triggered for task ${green} (twin, instance green)\n`);
    const run = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING'), 'RUNNING');
    expect(runs(home).map((r) => (r as RunJson & { instance: string }).instance)).toEqual(['green']);
    expect(cli(home, ['terminate', 'twin', '--instance', 'blue']).stderr).toBe('error: nothing to terminate: twin has no live run\n');
    const blue = JSON.parse(cli(home, ['show', 'twin', '--instance', 'blue', '--json']).stdout).id as number;
    const other = cli(home, ['terminate', 'twin', '--instance', 'blue', '--run', String(run.id)]);
    expect(other.stderr).toBe(`error: run ${run.id} belongs to task ${green} (twin, instance green), not to task ${blue} (twin, instance blue); nothing was terminated\n`);
    expect(other.code).toBe(2);
    const byRun = cli(home, ['terminate', '--run', String(run.id), '--instance', 'blue']);
    expect(byRun).toMatchObject({ code: 2, stderr: `error: run ${run.id} is in instance green, not blue; nothing was terminated\n` });
    expect(cli(home, ['freeze', 'twin', '--instance', 'blue', '--date', '20300101']).code).toBe(0);
    expect(cli(home, ['unfreeze', 'twin', '--instance', 'green', '--date', '20300101']).stdout).toContain('was not frozen for 20300101; nothing changed');
    expect(cli(home, ['terminate', 'twin', '--instance', 'green']).code).toBe(0);
    await waitFor(() => runs(home).find((r) => r.id === run.id && r.state === 'TERMINATED'), 'TERMINATED');
  });
});

describe('calendars while the daemon runs', () => {
  it('notices a calendar added to <home>/calendars and records calendar.reloaded', async () => {
    const home = tempHome();
    insert(home, { name: 'x', cmd: 'true', trigger_times: '08:30' });
    await startDaemonProcess(home);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(home, 'calendars'), { recursive: true });
    writeFileSync(join(home, 'calendars', 'ACME.json'), JSON.stringify({ name: 'ACME', description: 'Acme closures', dates: [{ date: '2030-01-02', reason: 'Stocktake' }] }));
    const ev = await waitFor(() => cli(home, ['events', '--type', 'calendar.*', '--json']).stdout.trim() || undefined, 'calendar.reloaded');
    expect(JSON.parse(ev.split('\n').at(-1)!).data.calendars).toContain('ACME');
  });
});

describe('control and prune --help', () => {
  /** What --help prints after the option list. */
  const after = (cmd: string) => {
    const r = cli(tempHome(), [cmd, '--help']);
    expect(r.code).toBe(0);
    return r.stdout.split('display help for command\n')[1];
  };

  it('modify-status --help: what it changes, why, and an example', () => {
    expect(after('modify-status')).toBe([
      '',
      'Changes the state of a run that has finished (FAILED, TERMINATED, SKIPPED, …)',
      'to SUCCESS or FAILED, recorded as a run.status_modified event. Use it when a',
      'run failed but its work was done another way: in a group cycle, the tasks that',
      'depend on it (S:task) and were skipped are released and run. A live run cannot',
      'be changed (terminate it first).',
      '',
      'Example:',
      '  easytask modify-status 42 --status success  # run 42 counts as SUCCESS now;',
      '                                              # its dependants proceed',
      '',
    ].join('\n'));
    expect(cli(tempHome(), ['modify-status', '--help']).stdout).toContain('\n  run               a run id (see: easytask runs)\n');
  });

  it('force-run --help: it also takes a group, which starts a cycle now', () => {
    expect(after('force-run')).toBe([
      '',
      'It also takes a group name (or gid): a cycle of the group starts now, whatever',
      "the group's schedule and the groups it depends on; within the cycle its tasks",
      'still wait for their dependencies.',
      '',
      'Examples:',
      '  easytask force-run task2                  # one run of task2 now',
      '  easytask force-run task2 --date 20260301  # a run now, for that business date',
      '  easytask force-run etl                    # the group etl: a cycle starts now',
      '',
    ].join('\n'));
    expect(cli(tempHome(), ['force-run', '--help']).stdout).toContain('\n  task               a task or a group: its name, tid or gid\n');
  });

  it('prune --help: what is removed, what is kept, and examples', () => {
    expect(after('prune')).toBe([
      '',
      'Removes the runs that ended (SUCCESS, FAILED, TERMINATED, REJECTED, SKIPPED)',
      'before the given age, with their attempts, events and log files, and the',
      'other events (not about a run) older than that age.',
      'Kept whatever their age: live runs (waiting to start, running, retrying) and',
      "runs not yet due; each task's newest scheduled run (the scheduler resumes from",
      'it). Log files are removed only under <home>/logs and when no kept run shares',
      'them. The daemon does the same every hour with --retain-days N.',
      '',
      'A task with "retain_runs": N keeps its last N final runs; with',
      '"retain_failures": M it keeps its last M FAILED runs counted apart (so',
      'failures can be kept longer than successes). The older ones go whatever',
      'their age, every time prune runs (and hourly in the daemon).',
      '',
      'Examples:',
      '  easytask prune --older-than 30d --dry-run  # count what would go; remove none',
      '  easytask prune --older-than 30d            # remove what ended 30+ days ago',
      '  easytask prune --dry-run                   # only what retain_runs/retain_failures drop',
      '',
    ].join('\n'));
  });
});
