import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../../src/core/clock.js';
import { runAttempt, startAttempt, type OutputProgress } from '../../../src/attempt/index.js';
import { eventually, FIXTURES, processGone, read, spec, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const hooks = { clock: systemClock };
const readPid = (file: string): number => Number(readFileSync(file, 'utf8').trim());

describe('runAttempt: exit status', () => {
  it('succeeds with exit code 0, reporting pid, times and duration', async () => {
    let spawned: number | undefined;
    const before = systemClock.now();
    const r = await runAttempt(spec(dir, 'true'), { clock: systemClock, onSpawn: (pid) => (spawned = pid) });
    expect(r).toMatchObject({ outcome: 'success', exitCode: 0, pid: spawned });
    expect(r.startedAt).toBeGreaterThanOrEqual(before);
    expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails with reason exit_code and the exit code', async () => {
    const r = await runAttempt(spec(dir, 'exit 3'), hooks);
    expect(r).toMatchObject({ outcome: 'failed', reason: 'exit_code', exitCode: 3 });
    expect(r).not.toHaveProperty('signal');
  });

  it('reports a signal death as 128 + signal number with the signal name', async () => {
    const r = await runAttempt(spec(dir, 'kill -KILL $$'), hooks);
    expect(r).toMatchObject({ outcome: 'failed', reason: 'exit_code', exitCode: 137, signal: 'SIGKILL' });
  });

  it('runs in the given cwd with exactly the given environment', async () => {
    const r = await runAttempt(spec(dir, 'pwd; echo "$ONLY_THIS-${HOME:-nohome}"', { cwd: dir, env: { ONLY_THIS: 'x' } }), hooks);
    expect(r.outcome).toBe('success');
    expect(read(join(dir, 'run.out'))).toBe(`${dir}\nx-nohome\n`);
  });
});

describe('runAttempt: spawn errors', () => {
  it('fails with spawn_error for a cwd that does not exist, without a pid', async () => {
    const r = await runAttempt(spec(dir, 'true', { cwd: '/nonexistent/folder' }), hooks);
    expect(r).toMatchObject({ outcome: 'failed', reason: 'spawn_error', error: 'cwd "/nonexistent/folder" does not exist' });
    expect(r.pid).toBeUndefined();
  });

  it('fails with spawn_error when the output file cannot be created', async () => {
    writeFileSync(join(dir, 'plain-file'), '');
    const stdoutPath = join(dir, 'plain-file', 'run.out');
    const r = await runAttempt(spec(dir, 'true', { stdoutPath }), hooks);
    expect(r).toMatchObject({
      outcome: 'failed',
      reason: 'spawn_error',
      error: `cannot open stdout file "${stdoutPath}": EEXIST: file already exists, mkdir '${join(dir, 'plain-file')}'`,
    });
  });
});

describe('runAttempt: output', () => {
  it('streams stdout and stderr to their files and counts bytes and lines', async () => {
    const r = await runAttempt(spec(dir, "printf 'a\\nbb\\nccc'; printf 'oops\\n' >&2"), hooks);
    expect(read(join(dir, 'run.out'))).toBe('a\nbb\nccc');
    expect(read(join(dir, 'run.err'))).toBe('oops\n');
    expect(r.output).toEqual({
      stdout: { path: join(dir, 'run.out'), bytes: 8, lines: 2, truncated: false },
      stderr: { path: join(dir, 'run.err'), bytes: 5, lines: 1, truncated: false },
    });
  });

  it('stops at max_output_bytes, appends one marker line and keeps the process unblocked', async () => {
    const cmd = "head -c 200000 /dev/zero | tr '\\0' a; echo fine >&2";
    const r = await runAttempt(spec(dir, cmd, { maxOutputBytes: 1000 }), hooks);
    expect(r.outcome).toBe('success');
    expect(read(join(dir, 'run.out'))).toBe('a'.repeat(1000) + '\n[easytask: output truncated at 1000 bytes]\n');
    expect(r.output.stdout).toMatchObject({ bytes: 1000, lines: 0, truncated: true });
    expect(r.output.stderr).toMatchObject({ bytes: 5, truncated: false });
  });

  it('separates a later attempt with a header line on a fresh line', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T10:00:00.000Z'));
    await runAttempt(spec(dir, 'printf one; printf e1 >&2'), { clock });
    clock.advance(65_000);
    await runAttempt(spec(dir, 'echo two; echo e2 >&2', { attempt: 2 }), { clock });
    const header = '--- attempt 2 started 2026-03-01T10:01:05.000Z ---\n';
    expect(read(join(dir, 'run.out'))).toBe(`one\n${header}two\n`);
    expect(read(join(dir, 'run.err'))).toBe(`e1\n${header}e2\n`);
  });

  it('writes the header once when stdout and stderr share a file', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T10:00:00.000Z'));
    const shared = { stdoutPath: join(dir, 'both.log'), stderrPath: join(dir, 'both.log') };
    await runAttempt(spec(dir, 'echo one', shared), { clock });
    await runAttempt(spec(dir, 'echo two', { ...shared, attempt: 2 }), { clock });
    expect(read(join(dir, 'both.log'))).toBe('one\n--- attempt 2 started 2026-03-01T10:00:00.000Z ---\ntwo\n');
  });

  it('reports progress at most once per outputEventMs while it runs, and the final counts when it ends', async () => {
    const seen: { at: number; p: OutputProgress }[] = [];
    const cmd = 'for i in 1 2 3 4 5 6 7 8; do echo line$i; echo e >&2; sleep 0.1; done';
    const r = await runAttempt(spec(dir, cmd), {
      clock: systemClock,
      outputEventMs: 250,
      onOutput: (p) => seen.push({ at: systemClock.monotonic(), p }),
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(6);
    // The last report is the flush at the end, which does not wait for the interval.
    for (let i = 1; i < seen.length - 1; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(249);
    for (const { p } of seen) expect(p.stdoutBytes).toBe(p.stdoutLines * 6);
    // The first report counts the chunk that caused it: stdout's or stderr's, whichever pipe was read first.
    expect(seen[0]!.p.stdoutLines + seen[0]!.p.stderrLines).toBeGreaterThanOrEqual(1);
    expect(seen[seen.length - 1]!.p).toEqual({ stdoutBytes: 48, stdoutLines: 8, stderrBytes: 16, stderrLines: 8 });
    expect(r.output.stdout).toMatchObject({ bytes: 48, lines: 8 });
    expect(r.output.stderr).toMatchObject({ bytes: 16, lines: 8 });
  });

  it('a short attempt whose stderr follows its first stdout still reports the stderr (one report per change, no more)', async () => {
    const seen: OutputProgress[] = [];
    const r = await runAttempt(spec(dir, 'echo to-stdout; echo to-stderr >&2; exit 1'), { clock: systemClock, onOutput: (p) => seen.push(p) });
    expect(r.outcome).toBe('failed');
    expect(seen.length).toBeLessThanOrEqual(2);
    expect(seen[0]!.stdoutBytes + seen[0]!.stderrBytes).toBeGreaterThan(0); // a report counts the output that caused it
    expect(seen.at(-1)).toEqual({ stdoutBytes: 10, stdoutLines: 1, stderrBytes: 10, stderrLines: 1 });
  });

  it('an attempt with no output reports no progress', async () => {
    const seen: OutputProgress[] = [];
    await runAttempt(spec(dir, 'true'), { clock: systemClock, onOutput: (p) => seen.push(p) });
    expect(seen).toEqual([]);
  });
});

describe('runAttempt: max_run_time and process groups', () => {
  it('times out and kills the whole group, grandchild included', async () => {
    const pidfile = join(dir, 'grandchild.pid');
    let main = 0;
    const started = systemClock.monotonic();
    const r = await runAttempt(spec(dir, `sleep 300 & echo $! > ${pidfile}; sleep 300`, { maxRunTimeSeconds: 1 }), {
      clock: systemClock,
      onSpawn: (pid) => (main = pid),
    });
    expect(r).toMatchObject({ outcome: 'failed', reason: 'timeout', pid: main });
    expect(systemClock.monotonic() - started).toBeLessThan(1900);
    expect(processGone(main)).toBe(true);
    expect(processGone(readPid(pidfile))).toBe(true);
  });

  it('is not kept alive by a grandchild that ignores SIGTERM and holds stdout open', async () => {
    const pidfile = join(dir, 'stubborn.pid');
    const started = systemClock.monotonic();
    const r = await runAttempt(spec(dir, `${FIXTURES}/ignore-term.sh ${pidfile}`, { maxRunTimeSeconds: 1, killGraceSeconds: 1 }), hooks);
    const elapsed = systemClock.monotonic() - started;
    expect(r).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(2800);
    expect(processGone(readPid(pidfile))).toBe(true);
    expect(read(join(dir, 'run.out'))).toBe('started\n');
  });

  it('finishes when bash exits while a background child keeps stdout open, and kills that child', async () => {
    const pidfile = join(dir, 'bg.pid');
    const started = systemClock.monotonic();
    const r = await runAttempt(spec(dir, `sleep 300 & echo $! > ${pidfile}; echo done`), hooks);
    expect(r).toMatchObject({ outcome: 'success', exitCode: 0 });
    expect(systemClock.monotonic() - started).toBeLessThan(1500);
    expect(processGone(readPid(pidfile))).toBe(true);
    expect(read(join(dir, 'run.out'))).toBe('done\n');
  });
});

describe('startAttempt: terminate', () => {
  it('terminates a live attempt with the requested reason', async () => {
    let main = 0;
    const handle = startAttempt(spec(dir, 'sleep 300'), {
      clock: systemClock,
      onSpawn: (pid) => {
        main = pid;
        handle.terminate('requested');
      },
    });
    const r = await handle.result;
    expect(r).toMatchObject({ outcome: 'terminated', reason: 'requested', pid: main });
    expect(handle.pid).toBe(main);
    expect(r.durationMs).toBeLessThan(1000);
    expect(processGone(main)).toBe(true);
  });

  it('records shutdown as the reason, and a second terminate does not change it', async () => {
    const handle = startAttempt(spec(dir, 'sleep 300'), { clock: systemClock });
    await eventually(() => handle.pid !== undefined);
    handle.terminate('shutdown');
    handle.terminate('requested');
    expect(await handle.result).toMatchObject({ outcome: 'terminated', reason: 'shutdown' });
  });

  it('never spawns when terminated before the process started', async () => {
    let spawned = false;
    const handle = startAttempt(spec(dir, 'echo should-not-run'), { clock: systemClock, onSpawn: () => (spawned = true) });
    handle.terminate('requested');
    const r = await handle.result;
    expect(r).toMatchObject({ outcome: 'terminated', reason: 'requested' });
    expect(r.pid).toBeUndefined();
    expect(spawned).toBe(false);
    expect(read(join(dir, 'run.out'))).toBe('');
  });

  it('ignores terminate after the attempt ended', async () => {
    const handle = startAttempt(spec(dir, 'exit 0'), hooks);
    const r = await handle.result;
    handle.terminate('requested');
    expect(r.outcome).toBe('success');
  });
});
