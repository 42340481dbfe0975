import { describe, expect, it } from 'vitest';
import { DefinitionCache } from '../../../src/daemon/definition-cache.js';
import { Scheduler } from '../../../src/daemon/scheduler.js';
import { promoteDue } from '../../../src/daemon/trigger.js';
import { makeCalendar } from '../../../src/schedule/calendar.js';
import { emptyCalendars } from '../../../src/schedule/index.js';
import type { Clock } from '../../../src/core/clock.js';
import type { TaskDef } from '../../../src/core/task.js';
import type { Store } from '../../../src/store/index.js';
import { insertTask } from '../../helpers/defs.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0); // Monday 2026-03-02 08:00 UTC
const MIN = 60_000;

async function scheduler(store: Store, clock: Clock, calendars = emptyCalendars) {
  const warnings: string[] = [];
  const defs = new DefinitionCache(store, 'UTC');
  await defs.load();
  const s = new Scheduler(store, defs, clock, calendars, { warn: (m) => warnings.push(m) });
  await s.load();
  /** The definitions changed: read them again, then the schedule (as the daemon does). */
  const reload = async () => {
    await defs.load();
    await s.load();
  };
  return Object.assign(s, { warnings, reload });
}

/** Every run, oldest slot first. */
const runs = async (store: Store) =>
  (await store.runs.list()).reverse().map(({ slot, state, reason, origin }) => ({ slot, state, reason, origin }));

/** The only run in a state. */
const onlyIn = async (store: Store, state: 'TRIGGER' | 'ACTIVE') => {
  const [run, ...more] = await store.runs.inStates([state]);
  expect(more).toEqual([]);
  return run!;
};

describe('scheduler: due slots become runs', () => {
  it('creates the run at its instant, never before', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', trigger_times: '08:05' });
    const s = await scheduler(store, clock);
    expect(s.nextDue()).toBe(T0 + 5 * MIN);
    clock.advance(5 * MIN - 1);
    expect(await s.tick()).toEqual({ runs: [], cycles: [] });
    clock.advance(1);
    const created = (await s.tick()).runs;
    expect(created.map((r) => r.slot)).toEqual([T0 + 5 * MIN]);
    expect(created[0]!.business_date).toBe('20260302');
    expect(s.nextDue()).toBe(T0 + 5 * MIN + 86_400_000);
  });

  it('a restarted scheduler never creates a slot twice', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', trigger_times: '08:05' });
    clock.advance(5 * MIN);
    await (await scheduler(store, clock)).tick();
    clock.advance(1000);
    const again = await scheduler(store, clock);
    expect(await again.tick()).toEqual({ runs: [], cycles: [] });
    expect(await runs(store)).toHaveLength(1);
  });

  it('ticks late by seconds still run the slot (not "missed")', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', trigger_times: '08:05' });
    const s = await scheduler(store, clock);
    clock.advance(5 * MIN + 30_000);
    expect((await s.tick()).runs).toHaveLength(1);
  });

  const downtime: [string, string[]][] = [
    ['none', ['SKIPPED:missed', 'SKIPPED:missed', 'SKIPPED:missed']],
    ['latest', ['SKIPPED:missed', 'SKIPPED:missed', 'ACTIVE:null']],
    ['all', ['ACTIVE:null', 'ACTIVE:null', 'ACTIVE:null']],
  ];
  it.each(downtime)('catch_up %s decides which missed slots run after downtime', async (policy, expected) => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:10-08:30-10', catch_up: policy as 'none' });
    clock.advance(60 * MIN); // the daemon was down from 08:00 to 09:00
    await (await scheduler(store, clock)).tick();
    expect((await runs(store)).map((r) => `${r.state}:${r.reason}`)).toEqual(expected);
  });

  it('a slot that is due now runs even when older ones were missed (catch_up none)', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:00-09:00-10', catch_up: 'none' });
    clock.advance(30 * MIN + 5000);
    await (await scheduler(store, clock)).tick();
    expect((await runs(store)).map((r) => `${new Date(r.slot).toISOString().slice(11, 16)} ${r.state}`)).toEqual(['08:10 SKIPPED', '08:20 SKIPPED', '08:30 ACTIVE']);
  });

  it('records a holiday as a SKIPPED run with reason holiday', async () => {
    const { store, clock } = await tempStore(T0);
    const cal = makeCalendar('TEST', 'test', 'test.json', [{ date: '2026-03-02', reason: 'Founders Day' }]);
    await insertTask(store, { name: 'a', trigger_times: '08:05', calendar: 'TEST' });
    const s = await scheduler(store, clock, new Map([['TEST', cal]]));
    clock.advance(5 * MIN);
    expect(await s.tick()).toEqual({ runs: [], cycles: [] });
    expect(await runs(store)).toEqual([{ slot: T0 + 5 * MIN, state: 'SKIPPED', reason: 'holiday', origin: 'schedule' }]);
    const ev = (await store.events.list()).filter((e) => e.type === 'run.skipped');
    expect(ev[0]!.data).toMatchObject({ reason: 'holiday', holiday: 'Founders Day', calendar: 'TEST' });
  });

  it('a wall clock that jumps back does not fire a slot twice; one that jumps forward does not stall', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:00-09:00-5', catch_up: 'all' });
    const s = await scheduler(store, clock);
    clock.set(T0 + 5 * MIN);
    await s.tick();
    clock.set(T0 + MIN); // manual change backwards
    expect(await s.tick()).toEqual({ runs: [], cycles: [] });
    expect(s.nextDue()).toBe(T0 + 10 * MIN);
    clock.set(T0 + 5 * MIN);
    expect(await s.tick()).toEqual({ runs: [], cycles: [] });
    clock.set(T0 + 20 * MIN); // suspend, then resume
    expect((await s.tick()).runs.map((r) => (r.slot - T0) / MIN)).toEqual([10, 15, 20]);
    expect((await runs(store)).map((r) => (r.slot - T0) / MIN)).toEqual([5, 10, 15, 20]);
  });

  it('an edited task keeps its cursor: no catch-up, no duplicate', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:00-09:00-5' });
    const s = await scheduler(store, clock);
    clock.advance(5 * MIN);
    await s.tick();
    clock.advance(MIN);
    await insertTask(store, { name: 'a', run_frequency: '08:00-09:00-5', cmd: 'echo changed' });
    await s.reload();
    expect(await s.tick()).toEqual({ runs: [], cycles: [] });
    expect(s.nextDue()).toBe(T0 + 10 * MIN);
  });

  it('drops disabled tasks and picks up new ones on reload', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', trigger_times: '08:05' });
    const s = await scheduler(store, clock);
    expect(s.size).toBe(1);
    await store.defs.setActive('a', false);
    await insertTask(store, { name: 'b', trigger_times: '08:07' });
    await s.reload();
    expect(s.size).toBe(1);
    expect(s.nextDue()).toBe(T0 + 7 * MIN);
  });

  it('a task naming a calendar that is gone is reported, not fatal', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', trigger_times: '08:05', calendar: 'GONE' });
    await insertTask(store, { name: 'b', trigger_times: '08:06' });
    const s = await scheduler(store, clock);
    expect(s.warnings).toEqual(['a: calendar "GONE" does not exist; the task is not scheduled until it does']);
    clock.advance(6 * MIN);
    expect((await s.tick()).runs.map((r) => r.task_name)).toEqual(['b']);
  });

  it('a task naming a calendar whose file is broken says so, once per task until the calendars are set again', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', trigger_times: '08:05', calendar: 'ACME' });
    await insertTask(store, { name: 'b', trigger_times: '08:06', calendar: 'ACME' });
    const s = await scheduler(store, clock);
    s.warnings.length = 0;
    const problem = "calendar file /h/calendars/ACME.json: not valid JSON (line 1, column 3: Expected property name or '}')";
    const broken = new Map([['ACME', { name: 'ACME', file: '/h/calendars/ACME.json', problem }]]);
    const lines = ['a', 'b'].map((t) => `${t}: calendar "ACME" cannot be used (its file is broken: ${problem}); the task is not scheduled until it is fixed`);
    await s.setCalendars(emptyCalendars, broken);
    await s.load();
    await insertTask(store, { name: 'c', trigger_times: '08:07' });
    await s.reload();
    expect(s.warnings).toEqual(lines);
    expect(s.size).toBe(1);
    await s.setCalendars(emptyCalendars, broken);
    expect(s.warnings).toEqual([...lines, ...lines]);
    await s.setCalendars(new Map([['ACME', makeCalendar('ACME', 'fixed', '/h/calendars/ACME.json', [])]]));
    expect([s.warnings.length, s.size]).toEqual([4, 3]);
  });
});

describe('promoting due runs: frozen dates and overlap', () => {
  async function setup(overlap: 'skip' | 'queue' | 'allow') {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:00-09:00-1', overlap });
    const s = await scheduler(store, clock);
    const policy = { taskOf: () => ({ overlap }) as TaskDef };
    clock.advance(MIN);
    await s.tick();
    const first = await promoteDue(store, clock, policy);
    clock.advance(MIN);
    await s.tick();
    const second = await promoteDue(store, clock, policy);
    return { store, clock, first, second, policy };
  }

  it('overlap skip: a slot that comes while the previous run is live is SKIPPED (overlap)', async () => {
    const { store, first, second } = await setup('skip');
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
    expect((await runs(store)).map((r) => `${r.state}:${r.reason}`)).toEqual(['TRIGGER:null', 'SKIPPED:overlap']);
  });

  it('overlap queue: it waits ACTIVE and triggers when the live run ends', async () => {
    const { store, clock, second, policy } = await setup('queue');
    expect(second).toHaveLength(0);
    const [a, b] = (await store.runs.list()).sort((x, y) => x.id - y.id);
    expect(b!.state).toBe('ACTIVE');
    await store.runs.transition({ runId: a!.id, event: 'run.terminated', to: 'TERMINATED' });
    expect((await promoteDue(store, clock, policy)).map((r) => r.id)).toEqual([b!.id]);
  });

  it('overlap allow: both trigger', async () => {
    const { first, second } = await setup('allow');
    expect(first.length + second.length).toBe(2);
  });

  it('a frozen date holds the run FROZEN', async () => {
    const { store, clock } = await tempStore(T0);
    const a = await insertTask(store, { name: 'a', trigger_times: '08:05' });
    await store.frozenDates.freeze({ tid: a.tid, name: 'a', instance: 'default' }, '20260302');
    const s = await scheduler(store, clock);
    clock.advance(5 * MIN);
    await s.tick();
    expect(await promoteDue(store, clock, { taskOf: () => undefined })).toEqual([]);
    expect((await runs(store)).map((r) => r.state)).toEqual(['FROZEN']);
  });
});

describe('catch-up runs and overlap', () => {
  it('catch_up all with overlap skip runs every missed slot, one after another', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:10-08:30-10', catch_up: 'all', overlap: 'skip' });
    clock.advance(60 * MIN);
    await (await scheduler(store, clock)).tick();
    const policy = { taskOf: () => ({ overlap: 'skip' }) as TaskDef };
    expect(await promoteDue(store, clock, policy)).toHaveLength(1);
    expect((await runs(store)).map((r) => r.state)).toEqual(['TRIGGER', 'ACTIVE', 'ACTIVE']);
    const first = await onlyIn(store, 'TRIGGER');
    await store.runs.transition({ runId: first.id, event: 'run.terminated', to: 'TERMINATED' });
    expect(await promoteDue(store, clock, policy)).toHaveLength(1);
    expect((await runs(store)).map((r) => r.state)).toEqual(['TERMINATED', 'TRIGGER', 'ACTIVE']);
  });

  it('catch_up all with overlap skip: the slot due now waits for the caught-up runs instead of being SKIPPED, then skip applies again', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:10-09:30-10', catch_up: 'all', overlap: 'skip' });
    const s = await scheduler(store, clock);
    clock.advance(30 * MIN); // down until 08:30: 08:10 and 08:20 were missed, 08:30 is due now
    await s.tick();
    const policy = { taskOf: () => ({ overlap: 'skip' }) as TaskDef };
    const states = async () => (await runs(store)).map((r) => `${new Date(r.slot).toISOString().slice(11, 16)} ${r.state}${r.reason ? `:${r.reason}` : ''}`);
    const endLive = async () => {
      const live = await onlyIn(store, 'TRIGGER');
      await store.runs.transition({ runId: live.id, event: 'run.terminated', to: 'TERMINATED' });
    };
    await promoteDue(store, clock, policy);
    expect(await states()).toEqual(['08:10 TRIGGER', '08:20 ACTIVE', '08:30 ACTIVE']);
    await endLive();
    await promoteDue(store, clock, policy);
    expect(await states()).toEqual(['08:10 TERMINATED', '08:20 TRIGGER', '08:30 ACTIVE']);
    clock.advance(5 * MIN);
    await endLive();
    await promoteDue(store, clock, policy);
    expect(await states()).toEqual(['08:10 TERMINATED', '08:20 TERMINATED', '08:30 TRIGGER']);
    // The backlog is done: a slot that comes while the on-time run is live is skipped, as overlap skip says.
    clock.advance(5 * MIN);
    await s.tick();
    await promoteDue(store, clock, policy);
    expect((await states()).at(-1)).toBe('08:40 SKIPPED:overlap');
  });

  it('catch_up latest: a slot that comes while the caught-up run is live waits for it', async () => {
    const { store, clock } = await tempStore(T0);
    await insertTask(store, { name: 'a', run_frequency: '08:10-09:30-10', catch_up: 'latest', overlap: 'skip' });
    const s = await scheduler(store, clock);
    clock.advance(25 * MIN); // down until 08:25: 08:20 is caught up
    await s.tick();
    const policy = { taskOf: () => ({ overlap: 'skip' }) as TaskDef };
    await promoteDue(store, clock, policy);
    clock.advance(5 * MIN);
    await s.tick();
    await promoteDue(store, clock, policy);
    expect((await runs(store)).map((r) => `${r.state}:${r.reason}`)).toEqual(['SKIPPED:missed', 'TRIGGER:null', 'ACTIVE:null']);
  });
});
