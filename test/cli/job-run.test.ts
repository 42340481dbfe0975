// What a job sees and what is recorded of it, against a real daemon (the built executable).
import { mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

interface RunJson {
  id: number;
  task: string;
  state: string;
  attempt: number;
}
interface EventJson {
  type: string;
  run_id: number | null;
  attempt: number | null;
  data: Record<string, unknown>;
}

const runs = (home: string): RunJson[] => JSON.parse(cli(home, ['runs', '--json']).stdout);
const insert = (home: string, def: object) => expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
const events = (home: string, ...args: string[]): EventJson[] =>
  cli(home, ['events', '--format', 'json', ...args]).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as EventJson);
const finished = (home: string, task: string, state: string) =>
  waitFor(() => runs(home).find((r) => r.state === state), `${task} to end ${state}`);

describe('run.output events', () => {
  for (const spawners of ['2', '0']) {
    it(`count the stderr a run wrote, for a success and for every failing attempt (--spawners ${spawners})`, async () => {
      const home = tempHome();
      insert(home, { name: 'both', cmd: 'echo to-stdout; echo to-stderr >&2', trigger_times: '08:30' });
      insert(home, { name: 'flaky', cmd: 'echo out; echo oops >&2; exit 3', trigger_times: '08:30', retry_attempts: 1, retry_delay: 1 });
      const d = await startDaemonProcess(home, ['--spawners', spawners]);
      cli(home, ['force-run', 'both']);
      await finished(home, 'both', 'SUCCESS');
      cli(home, ['force-run', 'flaky']);
      await finished(home, 'flaky', 'FAILED');
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);

      const last = (task: string, attempt: number) => events(home, '--task', task, '--type', 'run.output').filter((e) => e.attempt === attempt).at(-1)?.data;
      expect(last('both', 1)).toEqual({ stdout_bytes: 10, stdout_lines: 1, stderr_bytes: 10, stderr_lines: 1 });
      expect(last('flaky', 1)).toEqual({ stdout_bytes: 4, stdout_lines: 1, stderr_bytes: 5, stderr_lines: 1 });
      expect(last('flaky', 2)).toEqual({ stdout_bytes: 4, stdout_lines: 1, stderr_bytes: 5, stderr_lines: 1 });
      const both = runs(home).find((r) => r.state === 'SUCCESS')!;
      expect(readFileSync(`${home}/logs/both/${both.id}.err`, 'utf8')).toBe('to-stderr\n');
    });
  }
});

describe('the job environment', () => {
  it("a job starts in its user's home (or its cwd) with HOME, USER, LOGNAME, SHELL and TZ its task's (a member's, its group's)", async () => {
    const home = tempHome();
    const work = join(home, 'work');
    mkdirSync(work);
    const cmd = 'pwd; echo "$TZ|$HOME|$USER|$LOGNAME|$SHELL|${EASYTASK_TASK}"';
    insert(home, { name: 'tokyo', cmd, trigger_times: '08:30', timezone: 'Asia/Tokyo' });
    insert(home, { name: 'in-work', cmd, trigger_times: '08:30', timezone: 'UTC', cwd: work, env: { TZ: 'America/New_York' } });
    insert(home, { groups: [{ name: 'etl', trigger_times: '02:00', timezone: 'Europe/London' }], tasks: [{ name: 'member', task_group: 'etl', cmd }] });
    // The daemon is started from the repository, in UTC, with a login shell's HOME and USER.
    const d = await startDaemonProcess(home);
    for (const t of ['tokyo', 'in-work', 'etl']) expect(cli(home, ['force-run', t]).code).toBe(0);
    await waitFor(() => runs(home).filter((r) => r.state === 'SUCCESS').length === 3 && true, 'three runs to succeed');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);

    const me = userInfo();
    const out = (task: string) => readFileSync(join(home, 'logs', task, `${runs(home).find((r) => r.task === task)!.id}.out`), 'utf8');
    const bash = /^\/(usr\/)?(local\/)?bin\/bash$/;
    const [tokyoDir, tokyo] = out('tokyo').trimEnd().split('\n');
    expect(tokyoDir).toBe(me.homedir);
    expect(tokyo!.split('|')).toEqual(['Asia/Tokyo', me.homedir, me.username, me.username, expect.stringMatching(bash), 'tokyo']);
    expect(out('in-work').trimEnd().split('\n')).toEqual([work, expect.stringMatching(/^America\/New_York\|/)]);
    expect(out('member').trimEnd().split('\n')).toEqual([me.homedir, expect.stringMatching(/^Europe\/London\|/)]);
  });
});
