// What a job sees and what is recorded of it, against a real daemon (the built executable).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

interface RunJson {
  id: number;
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
