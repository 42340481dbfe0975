// The built daemon on a real full filesystem: a small tmpfs mounted as the home (needs root to
// mount), filled with a file while a run is live, then freed. The daemon must back off instead of
// spinning, keep the run's end until the store takes it, show the lost output, say it is degraded,
// and record the daemon.degraded / daemon.healthy pair.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { waitFor } from '../helpers/wait.js';

/** Whether this process may mount a tmpfs (root, with the capability); the reason when not. */
function mountProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'easytask-mount-probe-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) spawnSync('umount', [dir]);
  rmdirSync(dir);
  return r.status === 0 ? undefined : `mount -t tmpfs is not permitted here: ${(r.stderr || r.error?.message || '').trim()}`;
}

const problem = mountProblem();
const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) {
    spawnSync('umount', ['-l', dir]);
    rmdirSync(dir);
  }
});

/** A fresh tmpfs of `size`, mounted on a new folder. */
function smallDisk(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'easytask-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
  mounted.push(dir);
  return dir;
}

/** Write zeros to `path` until the filesystem refuses (ENOSPC). */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // Whatever is left below a block goes too.
  try {
    for (;;) writeSync(fd, block.subarray(0, 512));
  } catch {
    // full
  }
  closeSync(fd);
}

interface RunJson { id: number; state: string; reason: string | null; slot: string; output_error: { stream: string; code: string; bytes_lost: number }[] | null }
const runs = (home: string): RunJson[] => JSON.parse(cli(home, ['runs', '--json', '-n', '1000']).stdout);
const events = (home: string, type: string) => (JSON.parse(`[${cli(home, ['events', '--type', type, '--format', 'json']).stdout.trim().split('\n').filter(Boolean).join(',')}]`) as { type: string; data: Record<string, unknown> }[]);
const countLines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('the daemon on a full disk (a real tmpfs)', () => {
  it.skipIf(problem !== undefined)(`backs off, keeps the end until space returns, shows lost output and the degraded state${problem ? ` (skipped: ${problem})` : ''}`, async () => {
    const disk = smallDisk('16m');
    const home = join(disk, 'home');
    mkdirSync(home);
    // A run every 2 s; this one prints 8 bytes after the disk is full, then ends while it still is.
    const insert = cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'tick', cmd: 'sleep 1.5; echo 1234567', cron: '*/2 * * * * *', timezone: 'UTC' }) });
    expect(insert.code).toBe(0);
    const d = await startDaemonProcess(home);
    const live = await waitFor(() => runs(home).find((r) => r.state === 'RUNNING'), 'a RUNNING run');
    fill(join(disk, 'filler'));
    const fullAt = d.output().length;
    // The disk stays full well past the old 10 tries of the end (and past the 10 s "not responding").
    await new Promise((r) => setTimeout(r, 4000));
    const status = JSON.parse(cli(home, ['status', '--json']).stdout) as { degraded: { cause: string; since: string } | null };
    expect(status.degraded).toMatchObject({ cause: 'disk_full' });
    expect(cli(home, ['status']).stdout).toMatch(/^Daemon degraded: disk full since \S+ \(/m);
    await new Promise((r) => setTimeout(r, 8000));
    const during = d.output().slice(fullAt);
    // Bounded: one line when the fault begins and one per kept end, not hundreds a second.
    expect(countLines(during, /not recorded|degraded:|error/)).toBeLessThanOrEqual(6);
    expect(countLines(during, /^\S+ degraded: disk full/)).toBe(1);
    expect(runs(home).find((r) => r.id === live.id)!.state).toBe('RUNNING'); // its end is not written yet

    unlinkSync(join(disk, 'filler'));
    const ended = await waitFor(() => runs(home).find((r) => r.id === live.id && r.state !== 'RUNNING'), 'the kept end to be written', 20_000);
    expect(ended.state).toBe('SUCCESS');
    expect(ended.output_error).toEqual([expect.objectContaining({ stream: 'stdout', code: 'ENOSPC', bytes_lost: 8 })]);
    expect(statSync(join(home, 'logs', 'tick', `${live.id}.out`)).size).toBe(0);
    expect(cli(home, ['runs']).stdout).toContain(`warning: run ${live.id}: stdout not written in full`);
    const succeeded = events(home, 'run.succeeded').find((e) => (e as { run_id?: number }).run_id === live.id);
    expect(succeeded?.data.output_error).toBeDefined();

    // Later slots run: none is skipped as overlapping the run whose end waited, and new ones succeed.
    const after = await waitFor(() => {
      const rs = runs(home).filter((r) => r.id > live.id && r.state === 'SUCCESS');
      return rs.length >= 2 ? rs : undefined;
    }, 'two runs after the disk was freed to succeed', 20_000);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(events(home, 'run.skipped').filter((e) => e.data.live_run === live.id)).toEqual([]);
    expect(d.output()).toMatch(/^\S+ recovered: the store takes writes again after [\d.]+s \(disk full\)$/m);

    const degraded = events(home, 'daemon.degraded');
    const healthy = events(home, 'daemon.healthy');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.data).toMatchObject({ cause: 'disk_full', code: 'SQLITE_FULL' });
    expect(typeof degraded[0]!.data.since).toBe('string');
    expect(healthy).toHaveLength(1);
    expect(healthy[0]!.data).toMatchObject({ cause: 'disk_full', since: degraded[0]!.data.since });
    await waitFor(() => JSON.parse(cli(home, ['status', '--json']).stdout).degraded === null || undefined, 'status to show the daemon healthy');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 90_000);
});
