// The daemon is the one writer of runs: a definition change from the CLI only writes the definition
// and its event; the daemon skips the pending runs, or the CLI does when no daemon holds the home.
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

const runs = (home: string): RunJson[] => JSON.parse(cli(home, ['runs', '--json', '-n', '100']).stdout);
const insert = (home: string, def: object) => expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
// A queue no agent serves: a forced run stays TRIGGER, pending.
const waiting = { name: 'waiting', cmd: 'true', run_on_host: 'nobody-serves-this', trigger_times: '08:30', timezone: 'UTC' };

describe('one writer of run state', () => {
  it('with a daemon holding the home, delete leaves the pending run to it (a stopped daemon skips it once it runs again)', async () => {
    const home = tempHome();
    insert(home, waiting);
    const d = await startDaemonProcess(home);
    expect(cli(home, ['force-run', 'waiting']).code).toBe(0);
    const run = await waitFor(() => runs(home).find((r) => r.state === 'TRIGGER'), 'TRIGGER');
    d.child.kill('SIGSTOP');
    try {
      const del = cli(home, ['delete', 'waiting', '--json']);
      expect(del.code).toBe(0);
      expect(del.stderr).toBe('warning: the daemon has not yet skipped the runs not yet started; it will once it reads the change\n');
      expect(JSON.parse(del.stdout).deleted[0].skipped_runs).toBe(0);
      expect(runs(home).find((r) => r.id === run.id)?.state).toBe('TRIGGER'); // the CLI wrote no run
    } finally {
      d.child.kill('SIGCONT');
    }
    const skipped = await waitFor(() => runs(home).find((r) => r.id === run.id && r.state === 'SKIPPED'), 'the daemon to skip it');
    expect(skipped.reason).toBe('deleted');
    d.child.kill('SIGTERM');
    await d.exited;
  });

  it('a running daemon skips them and the CLI reports the count it skipped', async () => {
    const home = tempHome();
    insert(home, waiting);
    insert(home, { ...waiting, name: 'idle-soon' });
    const d = await startDaemonProcess(home);
    for (const t of ['waiting', 'idle-soon']) expect(cli(home, ['force-run', t]).code).toBe(0);
    await waitFor(() => runs(home).filter((r) => r.state === 'TRIGGER').length === 2 || undefined, 'two TRIGGER');
    expect(cli(home, ['disable', 'idle-soon'])).toMatchObject({ code: 0, stderr: '' });
    const del = cli(home, ['delete', 'waiting']);
    expect(del).toMatchObject({ code: 0, stderr: '', stdout: 'Deleted task waiting (tid 1000001); 1 run(s) not yet started skipped\n' });
    expect(runs(home).map((r) => [r.state, r.reason]).sort()).toEqual([['SKIPPED', 'deleted'], ['SKIPPED', 'disabled']]);
    d.child.kill('SIGTERM');
    await d.exited;
  });

  it('with no daemon, the CLI applies the same change itself', async () => {
    const home = tempHome();
    insert(home, waiting);
    const d = await startDaemonProcess(home);
    expect(cli(home, ['force-run', 'waiting']).code).toBe(0);
    await waitFor(() => runs(home).find((r) => r.state === 'TRIGGER'), 'TRIGGER');
    d.child.kill('SIGTERM');
    await d.exited;
    const del = cli(home, ['delete', 'waiting']);
    expect(del).toMatchObject({ code: 0, stderr: '', stdout: 'Deleted task waiting (tid 1000001); 1 run(s) not yet started skipped\n' });
    expect(runs(home).map((r) => [r.state, r.reason])).toEqual([['SKIPPED', 'deleted']]);
    // The next daemon does not apply it a second time.
    const again = await startDaemonProcess(home);
    expect(runs(home)).toHaveLength(1);
    again.child.kill('SIGTERM');
    await again.exited;
  });
});
