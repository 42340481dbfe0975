// The scheduling policies with the built executable: overlap "replace" with a real daemon and real
// processes; backfill (dry run without a daemon, then carried out by one); prune by count.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

interface RunJson {
  id: number;
  slot: string;
  state: string;
  reason: string | null;
  pid: number | null;
  business_date: string;
}

const runs = (home: string): RunJson[] => JSON.parse(cli(home, ['runs', '--json', '-n', '1000']).stdout);
const insert = (home: string, def: object) => expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('overlap "replace" with the daemon', () => {
  it('a long task due every 3 s: the live run ends TERMINATED (replaced), its process killed, and the next one runs', async () => {
    const home = tempHome();
    insert(home, { name: 'long', cmd: 'sleep 60', cron: '*/3 * * * * *', timezone: 'UTC', overlap: 'replace' });
    const d = await startDaemonProcess(home, ['--kill-grace', '1']);
    const first = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING' && r.pid !== null), 'a RUNNING run');
    const replaced = await waitFor(() => runs(home).find((r) => r.id === first.id && r.state === 'TERMINATED'), 'the first run to be replaced', 20_000);
    expect(replaced.reason).toBe('replaced');
    expect(alive(first.pid!)).toBe(false);
    const next = await waitFor(() => runs(home).find((r) => r.id > first.id && r.state === 'RUNNING'), 'the next run to start', 20_000);
    expect(Date.parse(next.slot)).toBeGreaterThan(Date.parse(first.slot));
    // Never two live at once.
    expect(runs(home).filter((r) => ['TRIGGER', 'STARTED', 'RUNNING'].includes(r.state)).length).toBeLessThanOrEqual(1);
    expect(cli(home, ['events', '--json', '--type', 'run.terminated']).stdout).toContain('"reason":"replaced"');
    d.child.kill('SIGTERM');
    await waitFor(() => d.output().includes('a second Ctrl-C'), 'the shutdown grace to begin');
    d.child.kill('SIGTERM'); // no grace: a second signal ends the live run now
    await d.exited;
  }, 60_000);
});

describe('easytask backfill', () => {
  it('--dry-run lists the slots in the task zone without a daemon; the daemon creates the runs; errors are clear', async () => {
    const home = tempHome();
    insert(home, { name: 'nightly', cmd: 'echo ${E:YYYYMMDD}', trigger_times: '02:30', timezone: 'America/New_York', day_of_week: '1111100' });
    insert(home, { groups: [{ name: 'g', trigger_times: '01:00', timezone: 'UTC' }], tasks: [{ name: 'member', cmd: 'true', task_group: 'g' }] });
    const dry = cli(home, ['backfill', 'nightly', '--from', '2026-03-06', '--to', '2026-03-09', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    // Fri 6, (weekend skipped), Mon 9: after the spring-forward, 02:30 EDT.
    expect(plan.slots.map((s: { local: string; run: unknown }) => [s.local, s.run])).toEqual([
      ['2026-03-06 02:30:00 EST', null],
      ['2026-03-09 02:30:00 EDT', null],
    ]);
    expect(plan).toMatchObject({ dry_run: true, to_create: 2, timezone: 'America/New_York' });
    const text = cli(home, ['backfill', 'nightly', '--from', '2026-03-06', '--to', '2026-03-09', '--dry-run']).stdout;
    expect(text).toContain('2 slot(s), 2 would get a run; nothing was created (dry run)');
    expect(text).toContain('2026-03-09T06:30:00Z  2026-03-09 02:30:00 EDT  none: would be created');
    expect(runs(home)).toEqual([]);
    // Errors.
    expect(cli(home, ['backfill', 'nope', '--from', '2026-03-01', '--to', '2026-03-02', '--dry-run'])).toMatchObject({ code: 2 });
    expect(cli(home, ['backfill', 'nightly', '--from', '2026-03-09', '--to', '2026-03-01', '--dry-run'])).toMatchObject({ code: 2, stderr: 'error: --from 2026-03-09 is after --to 2026-03-01\n' });
    expect(cli(home, ['backfill', 'nightly', '--from', '2020-01-01', '--to', '2026-01-01', '--dry-run']).stderr).toContain('more than --max 1000; narrow it or pass --max');
    expect(cli(home, ['backfill', 'member', '--from', '2026-03-01', '--to', '2026-03-02', '--dry-run']).stderr).toContain('task member runs in group g');

    const d = await startDaemonProcess(home);
    const done = cli(home, ['backfill', 'nightly', '--from', '2026-03-06', '--to', '2026-03-09', '--json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ ok: true, result: { slots: 2, existing: 0 } });
    const ended = await waitFor(() => {
      const r = runs(home);
      return r.length === 2 && r.every((x) => x.state === 'SUCCESS') && r;
    }, 'both backfilled runs to succeed');
    expect(ended.map((r) => r.business_date).sort()).toEqual(['20260306', '20260309']);
    // Asking again creates nothing; the dry run shows the runs.
    expect(cli(home, ['backfill', 'nightly', '--from', '2026-03-06', '--to', '2026-03-09']).stdout).toContain('0 run(s) created for 2 slot(s); 2 slot(s) already had a run');
    const again = JSON.parse(cli(home, ['backfill', 'nightly', '--from', '2026-03-06', '--to', '2026-03-09', '--dry-run', '--json']).stdout);
    expect(again.slots.map((s: { run: { state: string } }) => s.run.state)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(cli(home, ['logs', String(ended.find((r) => r.business_date === '20260309')!.id)]).stdout).toContain('20260309');
    d.child.kill('SIGTERM');
    await d.exited;
  }, 60_000);
});

describe('easytask prune by count', () => {
  it('--dry-run counts the runs past retain_runs, then prune removes them', async () => {
    const home = tempHome();
    insert(home, { name: 'kept', cmd: 'true', trigger_times: '02:30', timezone: 'UTC', retain_runs: 1 });
    expect(cli(home, ['show', 'kept', '--json']).stdout).toContain('"retain_runs": 1');
    const d = await startDaemonProcess(home);
    for (let i = 1; i <= 3; i++) {
      expect(cli(home, ['force-run', 'kept']).code).toBe(0);
      await waitFor(() => runs(home).filter((r) => r.state === 'SUCCESS').length === i, `run ${i} to succeed`);
    }
    d.child.kill('SIGTERM');
    await d.exited;
    expect(runs(home)).toHaveLength(3);
    const dry = JSON.parse(cli(home, ['prune', '--dry-run', '--json']).stdout);
    expect(dry).toMatchObject({ dry_run: true, runs: 2, by_count: 2, cutoff: null });
    expect(runs(home)).toHaveLength(3);
    expect(cli(home, ['prune']).stdout).toContain('Removed 2 run(s)');
    expect(runs(home)).toHaveLength(1);
  });
});
