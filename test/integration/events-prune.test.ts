import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import { prune } from '../../src/events/prune.js';
import { RetentionTimer } from '../../src/events/retention.js';
import type { Store } from '../../src/store/index.js';
import { tempHome, tempStore } from '../helpers/home.js';

const DAY = 86_400_000;

interface Made {
  id: number;
  out: string;
}

/** A run that ran and ended (or is still RUNNING), with one attempt row and an output file of `bytes`. */
function run(store: Store, clock: FakeClock, task: string, end: 'SUCCESS' | 'FAILED' | 'RUNNING', out: string, bytes: number, origin: 'force' | 'schedule' = 'force'): Made {
  clock.advance(1000);
  const r = store.runs.create({ task_id: 1, task_name: task, instance: 'default', slot: clock.now(), max_attempts: 1, queue: 'localhost', origin })!;
  const path = out.replace('<id>', String(r.id));
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, 'x'.repeat(bytes));
  store.runs.transition({ runId: r.id, event: 'run.triggered', to: 'TRIGGER' });
  store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1, started_at: clock.now() } });
  store.db.prepare('INSERT INTO attempts (run_id, n, started_at) VALUES (?, 1, ?)').run(r.id, clock.now());
  store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING', patch: { pid: 10, stdout_path: path, stderr_path: null } });
  if (end === 'SUCCESS') store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } });
  if (end === 'FAILED') store.runs.transition({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 1, ended_at: clock.now() } });
  return { id: r.id, out: path };
}

function world() {
  const { store, clock, home } = tempStore();
  const logs = join(home, 'logs');
  const outside = join(tempHome(), 'outside.out');
  store.events.append({ key: 'old-def', type: 'task.created', time: clock.now(), instance: 'default', task: 'a', data: {} });
  const a = run(store, clock, 'a', 'SUCCESS', join(logs, 'a', '<id>.out'), 1000);
  const b = run(store, clock, 'b', 'FAILED', join(logs, 'shared.log'), 10);
  const d = run(store, clock, 'd', 'SUCCESS', outside, 20);
  const e = run(store, clock, 'e', 'RUNNING', join(logs, 'e', '<id>.out'), 30);
  clock.advance(40 * DAY);
  const c = run(store, clock, 'b', 'SUCCESS', join(logs, 'shared.log'), 10);
  const f = run(store, clock, 'a', 'SUCCESS', join(logs, 'a', '<id>.out'), 40);
  store.events.append({ key: 'new-daemon', type: 'daemon.started', time: clock.now(), instance: 'default', data: {} });
  return { store, clock, logs, a, b, c, d, e, f };
}

describe('prune', () => {
  it('removes old final runs with their attempts, events and own log files; keeps live runs, shared and outside files', async () => {
    const { store, clock, logs, a, b, c, d, e, f } = world();
    const eventsOf = (id: number) => store.events.list({ runId: id }).length;
    const oldRunEvents = eventsOf(a.id) + eventsOf(b.id) + eventsOf(d.id);
    const opts = { olderThanMs: 30 * DAY, now: clock.now() };

    const dry = await prune(store, { ...opts, dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, runs: 3, attempts: 3, events: oldRunEvents + 1, files: 1, log_bytes: 1000, db_bytes: 0 });
    expect(store.runs.list().length).toBe(6);
    expect(existsSync(a.out)).toBe(true);

    const r = await prune(store, opts);
    expect(r).toMatchObject({ dry_run: false, runs: 3, attempts: 3, events: oldRunEvents + 1, files: 1, log_bytes: 1000 });
    expect(r.cutoff).toBe(new Date(clock.now() - 30 * DAY).toISOString());
    expect(r.db_bytes).toBeGreaterThanOrEqual(0);
    expect(store.runs.list().map((x) => x.id).sort()).toEqual([c.id, e.id, f.id].sort());
    expect(store.db.prepare('SELECT run_id FROM attempts ORDER BY run_id').all()).toEqual([{ run_id: e.id }, { run_id: c.id }, { run_id: f.id }].sort((x, y) => x.run_id - y.run_id));
    expect([a, b, d].map((x) => eventsOf(x.id))).toEqual([0, 0, 0]);
    expect(eventsOf(e.id)).toBe(4);
    expect(store.events.list().filter((x) => x.run_id == null).map((x) => x.key)).toEqual(['new-daemon']);
    expect(existsSync(a.out)).toBe(false);
    expect(existsSync(f.out)).toBe(true);
    expect(existsSync(join(logs, 'shared.log'))).toBe(true);
    expect(existsSync(d.out)).toBe(true);
    expect(existsSync(e.out)).toBe(true);

    expect(await prune(store, opts)).toMatchObject({ runs: 0, attempts: 0, events: 0, files: 0, log_bytes: 0 });
  });

  it('removes a per-task log folder once it is empty, and works in small batches', async () => {
    const { store, clock, home } = tempStore();
    const logs = join(home, 'logs');
    for (let i = 0; i < 7; i++) run(store, clock, 'gone', 'SUCCESS', join(logs, 'gone', '<id>.out'), 5);
    clock.advance(2 * DAY);
    const r = await prune(store, { olderThanMs: DAY, now: clock.now(), batch: 2 });
    expect(r).toMatchObject({ runs: 7, files: 7, log_bytes: 35 });
    expect(existsSync(join(logs, 'gone'))).toBe(false);
    expect(existsSync(logs)).toBe(true);
  });
});

describe('prune keeps what the scheduler resumes from', () => {
  it("keeps each task's newest scheduled run, however old, so a restart never re-runs its slot", async () => {
    const { store, clock, home } = tempStore();
    const logs = join(home, 'logs');
    const old = run(store, clock, 'monthly', 'SUCCESS', join(logs, 'm', '<id>.out'), 5, 'schedule');
    const newest = run(store, clock, 'monthly', 'SUCCESS', join(logs, 'm', '<id>.out'), 5, 'schedule');
    clock.advance(60 * DAY);
    const r = await prune(store, { olderThanMs: DAY, now: clock.now() });
    expect(r.runs).toBe(1);
    expect(store.runs.get(old.id)).toBeUndefined();
    expect(store.runs.get(newest.id)?.state).toBe('SUCCESS');
  });
});

describe('RetentionTimer', () => {
  it('prunes at start and says what it removed', async () => {
    const { store, clock, a } = world();
    const lines: string[] = [];
    const t = new RetentionTimer(store, clock, { retainDays: 30, everyMs: 60_000, log: (l) => lines.push(l) });
    t.start();
    const r = await t.runOnce();
    await t.stop();
    expect(store.runs.get(a.id)).toBeUndefined();
    expect(r?.runs).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^retention: removed 3 run\(s\), \d+ event\(s\), 1 log file\(s\) \(1000 B\) older than 30 day\(s\)$/);
  });
});
