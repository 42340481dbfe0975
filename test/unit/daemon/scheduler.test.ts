import { describe, expect, it } from 'vitest';
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

function scheduler(store: Store, clock: Clock, calendars = emptyCalendars) {
  const warnings: string[] = [];
  const s = new Scheduler(store, clock, calendars, { warn: (m) => warnings.push(m) });
  s.load();
  return Object.assign(s, { warnings });
}

const runs = (store: Store) =>
  store.db.prepare('SELECT slot, state, reason, origin FROM runs ORDER BY slot, id').all() as { slot: number; state: string; reason: string | null }[];

describe('scheduler: due slots become runs', () => {
  it('creates the run at its instant, never before', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05' });
    const s = scheduler(store, clock);
    expect(s.nextDue()).toBe(T0 + 5 * MIN);
    clock.advance(5 * MIN - 1);
    expect(s.tick()).toEqual([]);
    clock.advance(1);
    const created = s.tick();
    expect(created.map((r) => r.slot)).toEqual([T0 + 5 * MIN]);
    expect(created[0]!.business_date).toBe('20260302');
    expect(s.nextDue()).toBe(T0 + 5 * MIN + 86_400_000);
  });

  it('a restarted scheduler never creates a slot twice', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05' });
    clock.advance(5 * MIN);
    scheduler(store, clock).tick();
    clock.advance(1000);
    const again = scheduler(store, clock);
    expect(again.tick()).toEqual([]);
    expect(runs(store)).toHaveLength(1);
  });

  it('ticks late by seconds still run the slot (not "missed")', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05' });
    const s = scheduler(store, clock);
    clock.advance(5 * MIN + 30_000);
    expect(s.tick()).toHaveLength(1);
  });

  const downtime: [string, string[]][] = [
    ['none', ['SKIPPED:missed', 'SKIPPED:missed', 'SKIPPED:missed']],
    ['latest', ['SKIPPED:missed', 'SKIPPED:missed', 'ACTIVE:null']],
    ['all', ['ACTIVE:null', 'ACTIVE:null', 'ACTIVE:null']],
  ];
  it.each(downtime)('catch_up %s decides which missed slots run after downtime', (policy, expected) => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:10-08:30-10', catch_up: policy as 'none' });
    clock.advance(60 * MIN); // the daemon was down from 08:00 to 09:00
    scheduler(store, clock).tick();
    expect(runs(store).map((r) => `${r.state}:${r.reason}`)).toEqual(expected);
  });

  it('a slot that is due now runs even when older ones were missed (catch_up none)', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:00-09:00-10', catch_up: 'none' });
    clock.advance(30 * MIN + 5000);
    scheduler(store, clock).tick();
    expect(runs(store).map((r) => `${new Date(r.slot).toISOString().slice(11, 16)} ${r.state}`)).toEqual(['08:10 SKIPPED', '08:20 SKIPPED', '08:30 ACTIVE']);
  });

  it('records a holiday as a SKIPPED run with reason holiday', () => {
    const { store, clock } = tempStore(T0);
    const cal = makeCalendar('TEST', 'test', 'test.json', [{ date: '2026-03-02', reason: 'Founders Day' }]);
    insertTask(store, { name: 'a', trigger_times: '08:05', calendar: 'TEST' });
    const s = scheduler(store, clock, new Map([['TEST', cal]]));
    clock.advance(5 * MIN);
    expect(s.tick()).toEqual([]);
    expect(runs(store)).toEqual([{ slot: T0 + 5 * MIN, state: 'SKIPPED', reason: 'holiday', origin: 'schedule' }]);
    const ev = store.events.list().filter((e) => e.type === 'run.skipped');
    expect(ev[0]!.data).toMatchObject({ reason: 'holiday', holiday: 'Founders Day', calendar: 'TEST' });
  });

  it('a wall clock that jumps back does not fire a slot twice; one that jumps forward does not stall', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:00-09:00-5', catch_up: 'all' });
    const s = scheduler(store, clock);
    clock.set(T0 + 5 * MIN);
    s.tick();
    clock.set(T0 + MIN); // manual change backwards
    expect(s.tick()).toEqual([]);
    expect(s.nextDue()).toBe(T0 + 10 * MIN);
    clock.set(T0 + 5 * MIN);
    expect(s.tick()).toEqual([]);
    clock.set(T0 + 20 * MIN); // suspend, then resume
    expect(s.tick().map((r) => (r.slot - T0) / MIN)).toEqual([10, 15, 20]);
    expect(runs(store).map((r) => (r.slot - T0) / MIN)).toEqual([5, 10, 15, 20]);
  });

  it('an edited task keeps its cursor: no catch-up, no duplicate', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:00-09:00-5' });
    const s = scheduler(store, clock);
    clock.advance(5 * MIN);
    s.tick();
    clock.advance(MIN);
    insertTask(store, { name: 'a', run_frequency: '08:00-09:00-5', cmd: 'echo changed' });
    s.load();
    expect(s.tick()).toEqual([]);
    expect(s.nextDue()).toBe(T0 + 10 * MIN);
  });

  it('drops disabled tasks and picks up new ones on reload', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05' });
    const s = scheduler(store, clock);
    expect(s.size).toBe(1);
    store.defs.setActive('a', false);
    insertTask(store, { name: 'b', trigger_times: '08:07' });
    s.load();
    expect(s.size).toBe(1);
    expect(s.nextDue()).toBe(T0 + 7 * MIN);
  });

  it('a task naming a calendar that is gone is reported, not fatal', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05', calendar: 'GONE' });
    insertTask(store, { name: 'b', trigger_times: '08:06' });
    const s = scheduler(store, clock);
    expect(s.warnings).toEqual(['a: calendar "GONE" does not exist; the task is not scheduled until it does']);
    clock.advance(6 * MIN);
    expect(s.tick().map((r) => r.task_name)).toEqual(['b']);
  });

  it('a task naming a calendar whose file is broken says so, once per task until the calendars are set again', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05', calendar: 'ACME' });
    insertTask(store, { name: 'b', trigger_times: '08:06', calendar: 'ACME' });
    const s = scheduler(store, clock);
    s.warnings.length = 0;
    const problem = "calendar file /h/calendars/ACME.json: not valid JSON (line 1, column 3: Expected property name or '}')";
    const broken = new Map([['ACME', { name: 'ACME', file: '/h/calendars/ACME.json', problem }]]);
    const lines = ['a', 'b'].map((t) => `${t}: calendar "ACME" cannot be used (its file is broken: ${problem}); the task is not scheduled until it is fixed`);
    s.setCalendars(emptyCalendars, broken);
    s.load();
    insertTask(store, { name: 'c', trigger_times: '08:07' });
    s.load();
    expect(s.warnings).toEqual(lines);
    expect(s.size).toBe(1);
    s.setCalendars(emptyCalendars, broken);
    expect(s.warnings).toEqual([...lines, ...lines]);
    s.setCalendars(new Map([['ACME', makeCalendar('ACME', 'fixed', '/h/calendars/ACME.json', [])]]));
    expect([s.warnings.length, s.size]).toEqual([4, 3]);
  });
});

describe('promoting due runs: frozen dates and overlap', () => {
  function setup(overlap: 'skip' | 'queue' | 'allow') {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:00-09:00-1', overlap });
    const s = scheduler(store, clock);
    const policy = { taskOf: () => ({ overlap }) as TaskDef };
    clock.advance(MIN);
    s.tick();
    const first = promoteDue(store, clock, policy);
    clock.advance(MIN);
    s.tick();
    const second = promoteDue(store, clock, policy);
    return { store, clock, first, second, policy };
  }

  it('overlap skip: a slot that comes while the previous run is live is SKIPPED (overlap)', () => {
    const { store, first, second } = setup('skip');
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(0);
    expect(runs(store).map((r) => `${r.state}:${r.reason}`)).toEqual(['TRIGGER:null', 'SKIPPED:overlap']);
  });

  it('overlap queue: it waits ACTIVE and triggers when the live run ends', () => {
    const { store, clock, second, policy } = setup('queue');
    expect(second).toHaveLength(0);
    const [a, b] = store.db.prepare('SELECT id, state FROM runs ORDER BY id').all() as { id: number; state: string }[];
    expect(b!.state).toBe('ACTIVE');
    store.runs.transition({ runId: a!.id, event: 'run.terminated', to: 'TERMINATED' });
    expect(promoteDue(store, clock, policy).map((r) => r.id)).toEqual([b!.id]);
  });

  it('overlap allow: both trigger', () => {
    const { first, second } = setup('allow');
    expect(first.length + second.length).toBe(2);
  });

  it('a frozen date holds the run FROZEN', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', trigger_times: '08:05' });
    store.db.prepare("INSERT INTO frozen_dates VALUES ('a', 'default', '20260302')").run();
    const s = scheduler(store, clock);
    clock.advance(5 * MIN);
    s.tick();
    expect(promoteDue(store, clock, { taskOf: () => undefined })).toEqual([]);
    expect(runs(store).map((r) => r.state)).toEqual(['FROZEN']);
  });
});

describe('catch-up runs and overlap', () => {
  it('catch_up all with overlap skip runs every missed slot, one after another', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:10-08:30-10', catch_up: 'all', overlap: 'skip' });
    clock.advance(60 * MIN);
    scheduler(store, clock).tick();
    const policy = { taskOf: () => ({ overlap: 'skip' }) as TaskDef };
    expect(promoteDue(store, clock, policy)).toHaveLength(1);
    expect(runs(store).map((r) => r.state)).toEqual(['TRIGGER', 'ACTIVE', 'ACTIVE']);
    const first = store.db.prepare("SELECT id FROM runs WHERE state = 'TRIGGER'").get() as { id: number };
    store.runs.transition({ runId: first.id, event: 'run.terminated', to: 'TERMINATED' });
    expect(promoteDue(store, clock, policy)).toHaveLength(1);
    expect(runs(store).map((r) => r.state)).toEqual(['TERMINATED', 'TRIGGER', 'ACTIVE']);
  });

  it('catch_up all with overlap skip: the slot due now waits for the caught-up runs instead of being SKIPPED, then skip applies again', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:10-09:30-10', catch_up: 'all', overlap: 'skip' });
    const s = scheduler(store, clock);
    clock.advance(30 * MIN); // down until 08:30: 08:10 and 08:20 were missed, 08:30 is due now
    s.tick();
    const policy = { taskOf: () => ({ overlap: 'skip' }) as TaskDef };
    const states = () => runs(store).map((r) => `${new Date(r.slot).toISOString().slice(11, 16)} ${r.state}${r.reason ? `:${r.reason}` : ''}`);
    const endLive = () => {
      const live = store.db.prepare("SELECT id FROM runs WHERE state = 'TRIGGER'").get() as { id: number };
      store.runs.transition({ runId: live.id, event: 'run.terminated', to: 'TERMINATED' });
    };
    promoteDue(store, clock, policy);
    expect(states()).toEqual(['08:10 TRIGGER', '08:20 ACTIVE', '08:30 ACTIVE']);
    endLive();
    promoteDue(store, clock, policy);
    expect(states()).toEqual(['08:10 TERMINATED', '08:20 TRIGGER', '08:30 ACTIVE']);
    clock.advance(5 * MIN);
    endLive();
    promoteDue(store, clock, policy);
    expect(states()).toEqual(['08:10 TERMINATED', '08:20 TERMINATED', '08:30 TRIGGER']);
    // The backlog is done: a slot that comes while the on-time run is live is skipped, as overlap skip says.
    clock.advance(5 * MIN);
    s.tick();
    promoteDue(store, clock, policy);
    expect(states().at(-1)).toBe('08:40 SKIPPED:overlap');
  });

  it('catch_up latest: a slot that comes while the caught-up run is live waits for it', () => {
    const { store, clock } = tempStore(T0);
    insertTask(store, { name: 'a', run_frequency: '08:10-09:30-10', catch_up: 'latest', overlap: 'skip' });
    const s = scheduler(store, clock);
    clock.advance(25 * MIN); // down until 08:25: 08:20 is caught up
    s.tick();
    const policy = { taskOf: () => ({ overlap: 'skip' }) as TaskDef };
    promoteDue(store, clock, policy);
    clock.advance(5 * MIN);
    s.tick();
    promoteDue(store, clock, policy);
    expect(runs(store).map((r) => `${r.state}:${r.reason}`)).toEqual(['SKIPPED:missed', 'TRIGGER:null', 'ACTIVE:null']);
  });
});
