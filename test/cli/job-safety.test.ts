// What a job cannot do to its host: leave processes behind its attempt's end, or turn a
// placeholder's value into shell code. Against the built executable and real processes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

interface RunJson {
  id: number;
  state: string;
  reason: string | null;
}

const runs = (home: string): RunJson[] => JSON.parse(cli(home, ['runs', '--json', '-n', '1000']).stdout);
const insert = (home: string, def: object) => expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const pidIn = (file: string) => (existsSync(file) && /^\d+\n$/.test(readFileSync(file, 'utf8')) ? Number(readFileSync(file, 'utf8')) : undefined);

/** A command that starts a process in a session of its own, ignoring SIGTERM, and writes its pid to `file`. */
const escapee = (file: string) => `setsid bash -c 'trap "" TERM; echo $$ > ${file}; while :; do sleep 0.2; done' >/dev/null 2>&1 < /dev/null &`;

describe('processes that leave the attempt’s process group', () => {
  const cases = [
    { name: 'max_run_time', cmd: (f: string) => `${escapee(f)} sleep 300`, extra: { max_run_time: 1 }, end: 'FAILED', reason: 'timeout', act: undefined },
    { name: 'terminate', cmd: (f: string) => `${escapee(f)} sleep 300`, extra: {}, end: 'TERMINATED', reason: 'requested', act: 'terminate' },
    { name: 'a normal end', cmd: (f: string) => `${escapee(f)} while [ ! -s ${f} ]; do sleep 0.05; done`, extra: {}, end: 'SUCCESS', reason: null, act: undefined },
  ] as const;

  it.each(cases)('are killed at $name, even setsid and ignoring SIGTERM', async ({ cmd, extra, end, reason, act }) => {
    const home = tempHome();
    const file = join(home, 'escaped.pid');
    insert(home, { name: 'leaver', cmd: cmd(file), trigger_times: '08:30', timezone: 'UTC', ...extra });
    const d = await startDaemonProcess(home, ['--kill-grace', '1']);
    expect(cli(home, ['force-run', 'leaver']).code).toBe(0);
    const pid = await waitFor(() => pidIn(file), 'the escaped process to start');
    if (act) {
      await waitFor(() => runs(home).find((r) => r.state === 'RUNNING'), 'RUNNING');
      expect(cli(home, [act, 'leaver']).code).toBe(0);
    }
    const run = await waitFor(() => runs(home).find((r) => r.state === end), end, 20_000);
    expect(run.reason).toBe(reason);
    // The run is recorded only once what it started is gone.
    expect(alive(pid)).toBe(false);
    d.child.kill('SIGTERM');
    await d.exited;
  });

  it('one left alive by an earlier daemon is killed when the next daemon starts', async () => {
    const home = tempHome();
    insert(home, { name: 'old', cmd: 'true', trigger_times: '08:30', timezone: 'UTC' });
    // As a process that outlived its attempt under an earlier version would be: the run's variables,
    // its own session, no parent but init.
    const survivor = spawn('bash', ['-c', 'trap "" TERM; while :; do sleep 0.2; done'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, EASYTASK_HOME: home, EASYTASK_RUN_ID: '1', EASYTASK_ATTEMPT: '1' },
    });
    survivor.unref();
    const bystander = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, EASYTASK_HOME: home } });
    bystander.unref();
    try {
      await waitFor(() => alive(survivor.pid!) || undefined, 'the survivor to start');
      const d = await startDaemonProcess(home);
      await waitFor(() => !alive(survivor.pid!) || undefined, 'the survivor to be killed', 5000);
      expect(d.output()).toMatch(/Killed [12] leftover process\(es\) of runs that had ended \(pid \d+(?:, \d+)?\)\n/);
      // A process that names the home but no run is not an attempt's.
      expect(alive(bystander.pid!)).toBe(true);
      d.child.kill('SIGTERM');
      await d.exited;
    } finally {
      for (const p of [survivor, bystander]) {
        try {
          process.kill(p.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  });
});

describe('placeholder values reach the command as data', () => {
  it('a value holding $(…) or a closing quote runs nothing, inside double quotes or out', async () => {
    const home = tempHome();
    const canary = join(home, 'canary');
    const pwned = join(home, 'pwned');
    writeFileSync(canary, 'still here');
    const out = join(home, 'echoed');
    insert(home, {
      name: 'quoted',
      cmd: `echo "${'${E:EVIL}'}" > ${out}; echo ${'${E:WORSE}'} >> ${out}; echo "x${'${E:WORSE}'}y" >> ${out}`,
      env: { EVIL: `$(touch ${pwned})`, WORSE: `"; rm -f ${canary}; echo "` },
      trigger_times: '08:30',
      timezone: 'UTC',
    });
    const d = await startDaemonProcess(home);
    expect(cli(home, ['force-run', 'quoted']).code).toBe(0);
    await waitFor(() => runs(home).find((r) => r.state === 'SUCCESS'), 'SUCCESS');
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(canary)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(`$(touch ${pwned})\n"; rm -f ${canary}; echo "\nx"; rm -f ${canary}; echo "y\n`);
    d.child.kill('SIGTERM');
    await d.exited;
  });
});
