import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

function query<T>(home: string, sql: string, ...args: unknown[]): T[] {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

const groupState = (home: string) => query<{ state: string }>(home, 'SELECT state FROM group_runs ORDER BY id DESC LIMIT 1')[0]?.state;

describe('group workflows with a live daemon', () => {
  it('a retry finishes before dependants start; force-run of a group starts a cycle now', async () => {
    const home = tempHome();
    const marker = join(home, 'marker');
    const doc = {
      groups: [{ name: 'etl', trigger_times: '02:00', timezone: 'UTC' }],
      tasks: [
        { name: 'extract', task_group: 'etl', cmd: `test -e ${marker} || { touch ${marker}; exit 1; }`, retry_attempts: 2, retry_delay: 0 },
        { name: 'load', task_group: 'etl', cmd: 'echo loaded', dependency: 'S:extract' },
      ],
    };
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(doc) }).code).toBe(0);
    await startDaemonProcess(home);
    const fr = cli(home, ['force-run', 'etl']);
    expect(fr.stderr).toBe('');
    expect(fr.stdout).toBe('Force run triggered for group 5000001 (etl)\n');
    await waitFor(() => groupState(home) === 'SUCCESS', 'the cycle to succeed');
    const events = query<{ type: string; task: string; attempt: number }>(home, "SELECT type, task, attempt FROM events WHERE type LIKE 'run.%' AND type <> 'run.output' ORDER BY seq");
    const at = (type: string, task: string) => events.findIndex((e) => e.type === type && e.task === task);
    expect(events.filter((e) => e.task === 'extract' && e.type === 'run.retrying')).toHaveLength(1);
    expect(at('run.triggered', 'load')).toBeGreaterThan(at('run.succeeded', 'extract'));
  });

  it('a daemon killed in the middle of a group run: the next one continues and nothing runs twice', async () => {
    const home = tempHome();
    const doc = {
      groups: [{ name: 'chain', trigger_times: '02:00', timezone: 'UTC' }],
      tasks: [
        { name: 'first', task_group: 'chain', cmd: 'echo 1' },
        { name: 'second', task_group: 'chain', cmd: 'sleep 30', dependency: 'S:first', retry_attempts: 1, retry_delay: 0, max_run_time: 1 },
        { name: 'third', task_group: 'chain', cmd: 'echo 3', dependency: 'S:second or F:second' },
      ],
    };
    cli(home, ['insert', '-'], { input: JSON.stringify(doc) });
    const d = await startDaemonProcess(home);
    cli(home, ['force-run', 'chain']);
    await waitFor(() => query<{ n: number }>(home, "SELECT COUNT(*) AS n FROM runs WHERE task_name = 'second' AND state = 'RUNNING'")[0]!.n === 1, 'second to run');
    d.child.kill('SIGKILL');
    await d.exited;
    await startDaemonProcess(home);
    await waitFor(() => ['SUCCESS', 'FAILED'].includes(groupState(home) ?? ''), 'the cycle to end', 20_000);
    const runs = query<{ task_name: string; state: string; reason: string | null }>(home, 'SELECT task_name, state, reason FROM runs ORDER BY id');
    expect(runs.map((r) => r.task_name)).toEqual(['first', 'second', 'third']);
    expect(runs[1]).toMatchObject({ state: 'FAILED', reason: 'timeout' }); // its lost attempt was retried, then timed out
    expect(runs[2]!.state).toBe('SUCCESS');
    const attempts = query<{ n: number; reason: string }>(home, "SELECT n, a.reason AS reason FROM attempts a JOIN runs r ON r.id = a.run_id WHERE r.task_name = 'second' ORDER BY n");
    expect(attempts).toEqual([{ n: 1, reason: 'lost' }, { n: 2, reason: 'timeout' }]);
  });
});
