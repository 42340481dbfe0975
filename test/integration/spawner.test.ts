// The spawner pool against real spawner processes (the built executable run as `__spawner`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, systemClock } from '../../src/core/clock.js';
import type { AttemptResult } from '../../src/attempt/index.js';
import { SpawnerPool } from '../../src/spawner/pool.js';
import { SPAWNER_ARG } from '../../src/spawner/protocol.js';
import { BIN } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { processGone, read, spec, tempDir } from '../unit/attempt/helpers.js';

const COMMAND = [process.execPath, BIN, SPAWNER_ARG];

let dir: string;
let cleanup: () => void;
const pools: SpawnerPool[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  cleanup();
});

function pool(extra: Partial<ConstructorParameters<typeof SpawnerPool>[0]> = {}): SpawnerPool {
  const p = new SpawnerPool({ command: COMMAND, size: 2, clock: systemClock, ...extra });
  pools.push(p);
  return p;
}

/** The pid a command wrote to `file`, once it has. */
function pidIn(file: string): number | undefined {
  try {
    return Number(read(file).trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** The parent pid of a process, from /proc. */
const parentOf = (pid: number): number => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

describe('SpawnerPool: attempts run in spawner processes', () => {
  it('runs an attempt to SUCCESS, relaying the pid, the output files and the caller’s clock', async () => {
    const p = pool();
    const clock = new FakeClock(Date.parse('2030-01-02T03:04:05Z'));
    let spawned: number | undefined;
    const h = p.start(spec(dir, 'echo out; echo err >&2; echo "parent $PPID"'), { clock, onSpawn: (pid) => (spawned = pid) });
    const r = await h.result;
    expect(r).toMatchObject({ outcome: 'success', exitCode: 0, pid: spawned, startedAt: clock.now(), endedAt: clock.now() });
    expect(h.pid).toBe(spawned);
    const out = read(join(dir, 'run.out'));
    expect(out).toMatch(/^out\nparent \d+\n$/);
    expect(read(join(dir, 'run.err'))).toBe('err\n');
    expect(r.output.stdout).toMatchObject({ bytes: out.length, lines: 2 });
    // bash's parent is a spawner, not this process
    const parent = Number(/parent (\d+)/.exec(out)![1]);
    expect(parent).not.toBe(process.pid);
    expect(p.pids).toContain(parent);
  });

  it('reports a failing command with its exit code', async () => {
    const r = await pool().start(spec(dir, 'exit 7'), { clock: systemClock }).result;
    expect(r).toMatchObject({ outcome: 'failed', reason: 'exit_code', exitCode: 7 });
  });

  it('relays output progress while the attempt runs', async () => {
    const seen: number[] = [];
    const h = pool().start(spec(dir, 'echo a; sleep 0.4; echo b; sleep 0.4'), { clock: systemClock, outputEventMs: 100, onOutput: (o) => seen.push(o.stdoutLines) });
    const r = await h.result;
    expect(r.outcome).toBe('success');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(2);
  });

  it('terminate kills the whole process group and ends the attempt TERMINATED', async () => {
    const pidfile = join(dir, 'child.pid');
    const h = pool().start(spec(dir, `sleep 300 & echo $! > ${pidfile}; wait`), { clock: systemClock });
    const child = await waitFor(() => pidIn(pidfile), 'the background child', 10_000);
    h.terminate('requested');
    const r = await h.result;
    expect(r).toMatchObject({ outcome: 'terminated', reason: 'requested' });
    expect(processGone(child)).toBe(true);
    expect(processGone(h.pid!)).toBe(true);
  });

  it('max_run_time ends the attempt FAILED (timeout) with nothing of the group left', async () => {
    const pidfile = join(dir, 'child.pid');
    const r = await pool().start(spec(dir, `trap '' TERM; sleep 300 & echo $! > ${pidfile}; wait`, { maxRunTimeSeconds: 1, killGraceSeconds: 1 }), { clock: systemClock }).result;
    expect(r).toMatchObject({ outcome: 'failed', reason: 'timeout' });
    expect(processGone(Number(read(pidfile).trim()))).toBe(true);
  });

  it('spreads attempts started together over the spawners', async () => {
    const p = pool({ size: 2 });
    const a = p.start(spec(dir, 'echo $PPID; sleep 0.3', { stdoutPath: join(dir, 'a.out'), stderrPath: join(dir, 'a.err') }), { clock: systemClock });
    const b = p.start(spec(dir, 'echo $PPID; sleep 0.3', { stdoutPath: join(dir, 'b.out'), stderrPath: join(dir, 'b.err') }), { clock: systemClock });
    await Promise.all([a.result, b.result]);
    const parents = new Set([read(join(dir, 'a.out')).trim(), read(join(dir, 'b.out')).trim()]);
    expect(parents.size).toBe(2);
  });
});

describe('SpawnerPool: when a spawner dies', () => {
  it('an attempt it held ends FAILED (lost) and what was left of its group is killed', async () => {
    const p = pool({ size: 1 });
    const logged: string[] = [];
    (p as unknown as { opts: { log: (l: string) => void } }).opts.log = (l) => logged.push(l);
    const pidfile = join(dir, 'child.pid');
    const h = p.start(spec(dir, `sleep 300 & echo $! > ${pidfile}; wait`), { clock: systemClock });
    const child = await waitFor(() => pidIn(pidfile), 'the background child', 10_000);
    const spawner = parentOf(h.pid!);
    expect(p.pids).toEqual([spawner]);
    process.kill(spawner, 'SIGKILL');
    const r: AttemptResult = await h.result;
    expect(r).toMatchObject({ outcome: 'failed', reason: 'lost', pid: h.pid, error: 'the spawner process supervising it was killed by SIGKILL' });
    expect(processGone(child)).toBe(true);
    expect(logged).toEqual(['error: a spawner process was killed by SIGKILL while holding 1 attempt(s)']);
    // The next attempt gets a new spawner.
    const again = await p.start(spec(dir, 'true'), { clock: systemClock }).result;
    expect(again.outcome).toBe('success');
    expect(p.pids).not.toContain(spawner);
  });

  it('a spawner that cannot start fails the attempt with spawn_error (retried by the agent)', async () => {
    const p = pool({ command: ['/nonexistent/easytask', SPAWNER_ARG], size: 1 });
    const r = await p.start(spec(dir, 'true'), { clock: systemClock }).result;
    expect(r.outcome).toBe('failed');
    expect(r).toMatchObject({ reason: 'spawn_error' });
    expect((r as { error: string }).error).toMatch(/^the spawner process supervising it could not start \(.*ENOENT.*\) before starting it$/);
    expect(r.pid).toBeUndefined();
  });
});

describe('SpawnerPool: up only while work is near', () => {
  it('starts before expected work, stops when idle, and leaves when closed', async () => {
    const p = pool({ size: 2, prewarmMs: 10_000, idleMs: 300 });
    p.expectWorkAt(Date.now() + 60_000); // not soon: nothing starts
    expect(p.size).toBe(0);
    p.expectWorkAt(Date.now() + 5_000); // within the prewarm lead: up now
    expect(p.size).toBe(2);
    const pids = await waitFor(() => (p.pids.length === 2 ? p.pids : undefined), 'two spawner pids');
    p.expectWorkAt(undefined); // nothing expected any more: down after idleMs
    await waitFor(() => p.size === 0 || undefined, 'the idle spawners to stop', 5000);
    await waitFor(() => pids.every(processGone) || undefined, 'the spawner processes to exit', 5000);
    const r = await p.start(spec(dir, 'true'), { clock: systemClock }).result; // cold start on demand
    expect(r.outcome).toBe('success');
    const running = p.pids;
    await p.close();
    expect(p.size).toBe(0);
    expect(running.every(processGone)).toBe(true);
    expect(() => p.start(spec(dir, 'true'), { clock: systemClock })).toThrow('the spawner pool is closed');
  });
});
