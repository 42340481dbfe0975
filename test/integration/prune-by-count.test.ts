// Retention by count: retain_runs keeps a task's last N final runs, retain_failures its last N failed
// runs counted apart; older ones go with their attempts, events and log files. Live runs stay.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import type { TaskDef } from '../../src/core/task.js';
import { prune } from '../../src/retention/prune.js';
import { RetentionTimer } from '../../src/retention/timer.js';
import type { Store } from '../../src/store/index.js';
import { insertTask } from '../helpers/defs.js';
import { tempStore } from '../helpers/home.js';

/** A forced run of `t` that ended as said (or is still RUNNING), with one attempt and a log file. */
async function run(store: Store, clock: FakeClock, home: string, t: TaskDef, end: 'SUCCESS' | 'FAILED' | 'RUNNING'): Promise<{ id: number; out: string }> {
  clock.advance(1000);
  const r = (await store.runs.create({ task_id: t.tid, task_name: t.name, instance: t.instance, slot: clock.now(), max_attempts: 1, queue: 'localhost', origin: 'force' }))!;
  const out = join(home, 'logs', t.name, `${r.id}.out`);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, 'x'.repeat(10));
  const triggered = await store.runs.transition({ runId: r.id, event: 'run.triggered', to: 'TRIGGER' });
  const [accepted] = await store.attempts.accept([{ run: triggered, host: 'vm', at: clock.now(), token: 't', leaseMs: 60_000 }]);
  if (!accepted?.ok) throw new Error('not accepted');
  await store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING', patch: { pid: 10, stdout_path: out, stderr_path: null } });
  if (end === 'SUCCESS') await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } });
  if (end === 'FAILED') await store.runs.transition({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 1, ended_at: clock.now() } });
  return { id: r.id, out };
}

async function world(keep: Partial<Pick<TaskDef, 'retain_runs' | 'retain_failures'>>) {
  const { store, clock, home } = await tempStore();
  const t = await insertTask(store, { name: 'p', trigger_times: '08:00', ...keep });
  const other = await insertTask(store, { name: 'q', trigger_times: '08:00' });
  const made: Record<string, { id: number; out: string }> = {};
  // Oldest first: s1 f1 s2 f2 s3 f3 s4, then one still running.
  for (const [name, end] of [['s1', 'SUCCESS'], ['f1', 'FAILED'], ['s2', 'SUCCESS'], ['f2', 'FAILED'], ['s3', 'SUCCESS'], ['f3', 'FAILED'], ['s4', 'SUCCESS'], ['live', 'RUNNING']] as const) {
    made[name] = await run(store, clock, home, t, end);
  }
  made.q = await run(store, clock, home, other, 'SUCCESS');
  const left = async () => {
    const ids = new Set((await store.runs.list({})).map((r) => r.id));
    return Object.entries(made).filter(([, m]) => ids.has(m.id)).map(([n]) => n);
  };
  return { store, clock, made, left };
}

describe('retention by count', () => {
  it('retain_runs keeps the last N final runs of the task; the running one and other tasks stay; files and events go', async () => {
    const { store, clock, made, left } = await world({ retain_runs: 3 });
    const dry = await prune(store, { now: clock.now(), dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, runs: 4, by_count: 4, attempts: 4, files: 4, cutoff: null });
    expect(await left()).toEqual(['s1', 'f1', 's2', 'f2', 's3', 'f3', 's4', 'live', 'q']);
    const done = await prune(store, { now: clock.now() });
    expect(done).toMatchObject({ runs: 4, by_count: 4, attempts: 4, files: 4 });
    expect(done.events).toBe(dry.events);
    expect(await left()).toEqual(['s3', 'f3', 's4', 'live', 'q']);
    expect(existsSync(made.s1!.out)).toBe(false);
    expect(existsSync(made.s3!.out)).toBe(true);
    expect(await store.events.list({ runId: made.s1!.id })).toEqual([]);
    // Nothing more to do the second time.
    expect((await prune(store, { now: clock.now() })).runs).toBe(0);
  });

  it('retain_failures counts failures apart: failures kept longer than successes', async () => {
    const { store, clock, left } = await world({ retain_runs: 1, retain_failures: 2 });
    const r = await prune(store, { now: clock.now() });
    expect(r.by_count).toBe(4);
    expect(await left()).toEqual(['f2', 'f3', 's4', 'live', 'q']);
  });

  it('retain_failures alone prunes only failures', async () => {
    const { store, clock, left } = await world({ retain_failures: 1 });
    await prune(store, { now: clock.now() });
    expect(await left()).toEqual(['s1', 's2', 's3', 'f3', 's4', 'live', 'q']);
  });

  it('counts and age together: a dry run counts a run once', async () => {
    const { store, clock } = await world({ retain_runs: 3 });
    clock.advance(10 * 86_400_000);
    const dry = await prune(store, { now: clock.now(), olderThanMs: 86_400_000, dryRun: true });
    // 4 by count, then by age the other final runs (s3, f3, s4 and q; all forced, so none is kept as a
    // task's newest scheduled run); the running one stays.
    expect(dry).toMatchObject({ by_count: 4, runs: 8 });
  });

  it('the daemon\'s retention timer applies the counts without --retain-days', async () => {
    const { store, clock, left } = await world({ retain_runs: 2 });
    const timer = new RetentionTimer(store, clock, {});
    const r = await timer.runOnce();
    expect(r?.by_count).toBe(5);
    expect(await left()).toEqual(['f3', 's4', 'live', 'q']);
  });
});
