import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import { prune } from '../../src/retention/prune.js';
import { RetentionTimer } from '../../src/retention/timer.js';
import type { Store } from '../../src/store/index.js';
import { tempHome, tempStore } from '../helpers/home.js';

const DAY = 86_400_000;

interface Made {
  id: number;
  out: string;
}

/** A run that ran and ended (or is still RUNNING), with one attempt row and an output file of `bytes`. */
async function run(store: Store, clock: FakeClock, task: string, end: 'SUCCESS' | 'FAILED' | 'RUNNING', out: string, bytes: number, origin: 'force' | 'schedule' = 'force'): Promise<Made> {
  clock.advance(1000);
  const r = (await store.runs.create({ task_id: 1, task_name: task, instance: 'default', slot: clock.now(), max_attempts: 1, queue: 'localhost', origin }))!;
  const path = out.replace('<id>', String(r.id));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x'.repeat(bytes));
  const triggered = await store.runs.transition({ runId: r.id, event: 'run.triggered', to: 'TRIGGER' });
  const [accepted] = await store.attempts.accept([{ run: triggered, host: 'vm', at: clock.now(), token: 't', leaseMs: 60_000 }]);
  if (!accepted?.ok) throw accepted?.error ?? new Error('not accepted');
  await store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING', patch: { pid: 10, stdout_path: path, stderr_path: null } });
  if (end === 'SUCCESS') await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } });
  if (end === 'FAILED') await store.runs.transition({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 1, ended_at: clock.now() } });
  return { id: r.id, out: path };
}

async function world() {
  const { store, clock, home } = await tempStore();
  const logs = join(home, 'logs');
  const outside = join(tempHome(), 'outside.out');
  await store.events.append({ key: 'old-def', type: 'task.created', time: clock.now(), instance: 'default', task: 'a', data: {} });
  const a = await run(store, clock, 'a', 'SUCCESS', join(logs, 'a', '<id>.out'), 1000);
  const b = await run(store, clock, 'b', 'FAILED', join(logs, 'shared.log'), 10);
  const d = await run(store, clock, 'd', 'SUCCESS', outside, 20);
  const e = await run(store, clock, 'e', 'RUNNING', join(logs, 'e', '<id>.out'), 30);
  clock.advance(40 * DAY);
  const c = await run(store, clock, 'b', 'SUCCESS', join(logs, 'shared.log'), 10);
  const f = await run(store, clock, 'a', 'SUCCESS', join(logs, 'a', '<id>.out'), 40);
  await store.events.append({ key: 'new-daemon', type: 'daemon.started', time: clock.now(), instance: 'default', data: {} });
  return { store, clock, logs, a, b, c, d, e, f };
}

describe('prune', () => {
  it('removes old final runs with their attempts, events and own log files; keeps live runs, shared and outside files', async () => {
    const { store, clock, logs, a, b, c, d, e, f } = await world();
    const eventsOf = async (id: number) => (await store.events.list({ runId: id })).length;
    const oldRunEvents = (await eventsOf(a.id)) + (await eventsOf(b.id)) + (await eventsOf(d.id));
    const opts = { olderThanMs: 30 * DAY, now: clock.now() };

    const dry = await prune(store, { ...opts, dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, runs: 3, attempts: 3, events: oldRunEvents + 1, files: 1, log_bytes: 1000, db_bytes: 0 });
    expect((await store.runs.list()).length).toBe(6);
    expect(existsSync(a.out)).toBe(true);

    const r = await prune(store, opts);
    expect(r).toMatchObject({ dry_run: false, runs: 3, attempts: 3, events: oldRunEvents + 1, files: 1, log_bytes: 1000 });
    expect(r.cutoff).toBe(new Date(clock.now() - 30 * DAY).toISOString());
    expect(r.db_bytes).toBeGreaterThanOrEqual(0);
    expect((await store.runs.list()).map((x) => x.id).sort()).toEqual([c.id, e.id, f.id].sort());
    const attempted = async (x: Made) => (await store.attempts.startedAt(x.id, 1)) !== null;
    expect(await Promise.all([a, b, c, d, e, f].map(attempted))).toEqual([false, false, true, false, true, true]);
    expect(await Promise.all([a, b, d].map((x) => eventsOf(x.id)))).toEqual([0, 0, 0]);
    expect(await eventsOf(e.id)).toBe(4);
    expect((await store.events.list()).filter((x) => x.run_id == null).map((x) => x.key)).toEqual(['new-daemon']);
    expect(existsSync(a.out)).toBe(false);
    expect(existsSync(f.out)).toBe(true);
    expect(existsSync(join(logs, 'shared.log'))).toBe(true);
    expect(existsSync(d.out)).toBe(true);
    expect(existsSync(e.out)).toBe(true);

    expect(await prune(store, opts)).toMatchObject({ runs: 0, attempts: 0, events: 0, files: 0, log_bytes: 0 });
  });

  it('removes a per-task log folder once it is empty, and works in small batches', async () => {
    const { store, clock, home } = await tempStore();
    const logs = join(home, 'logs');
    for (let i = 0; i < 7; i++) await run(store, clock, 'gone', 'SUCCESS', join(logs, 'gone', '<id>.out'), 5);
    clock.advance(2 * DAY);
    const r = await prune(store, { olderThanMs: DAY, now: clock.now(), batch: 2 });
    expect(r).toMatchObject({ runs: 7, files: 7, log_bytes: 35 });
    expect(existsSync(join(logs, 'gone'))).toBe(false);
    expect(existsSync(logs)).toBe(true);
  });
});

describe('prune keeps what the scheduler resumes from', () => {
  it("keeps each task's newest scheduled run, however old, so a restart never re-runs its slot", async () => {
    const { store, clock, home } = await tempStore();
    const logs = join(home, 'logs');
    const old = await run(store, clock, 'monthly', 'SUCCESS', join(logs, 'm', '<id>.out'), 5, 'schedule');
    const newest = await run(store, clock, 'monthly', 'SUCCESS', join(logs, 'm', '<id>.out'), 5, 'schedule');
    clock.advance(60 * DAY);
    const r = await prune(store, { olderThanMs: DAY, now: clock.now() });
    expect(r.runs).toBe(1);
    expect(await store.runs.get(old.id)).toBeUndefined();
    expect((await store.runs.get(newest.id))?.state).toBe('SUCCESS');
  });
});

describe('RetentionTimer', () => {
  it('prunes at start and says what it removed', async () => {
    const { store, clock, a } = await world();
    const lines: string[] = [];
    const t = new RetentionTimer(store, clock, { retainDays: 30, everyMs: 60_000, log: (l) => lines.push(l) });
    t.start();
    const r = await t.runOnce();
    await t.stop();
    expect(await store.runs.get(a.id)).toBeUndefined();
    expect(r?.runs).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^retention: removed 3 run\(s\), \d+ event\(s\), 1 log file\(s\) \(1000 B\) older than 30 day\(s\)$/);
  });
});

describe('RetentionTimer on its clock', () => {
  it('prunes when started and again every everyMs, until stopped', async () => {
    const { store, clock, a, c } = await world();
    const lines: string[] = [];
    const t = new RetentionTimer(store, clock, { retainDays: 30, everyMs: 60_000, log: (l) => lines.push(l) });
    t.start();
    await clock.advanceAsync(0);
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    expect(await store.runs.get(a.id)).toBeUndefined();
    clock.set(clock.now() + 31 * DAY); // the wall clock moves on; the next pass is still 60 s away
    await clock.advanceAsync(59_999);
    expect(await store.runs.get(c.id)).toBeDefined();
    await clock.advanceAsync(1);
    await vi.waitFor(() => expect(lines).toHaveLength(2));
    expect(await store.runs.get(c.id)).toBeUndefined();
    await t.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
