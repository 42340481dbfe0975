import { describe, expect, it } from 'vitest';
import { GroupEngine } from '../../../src/daemon/groups.js';
import { Scheduler } from '../../../src/daemon/scheduler.js';
import { emptyCalendars } from '../../../src/schedule/index.js';
import type { Store } from '../../../src/store/index.js';
import { insertGroup, insertTask } from '../../helpers/defs.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0); // Monday 2026-06-01 06:00 UTC
const HOUR = 3_600_000;

function setup(start = T0) {
  const { store, clock } = tempStore(start);
  const scheduler = new Scheduler(store, clock, emptyCalendars, { warn: () => undefined });
  const engine = new GroupEngine(store, clock);
  const tick = () => {
    scheduler.load();
    scheduler.tick();
    for (const id of scheduler.newGroupRuns.splice(0)) engine.mark(id);
    engine.advance();
  };
  return { store, clock, scheduler, engine, tick };
}

const member = (store: Store, name: string) =>
  store.db.prepare('SELECT * FROM runs WHERE task_name = ? ORDER BY id DESC LIMIT 1').get(name) as { id: number; state: string; reason: string | null; group_run_id: number } | undefined;
const states = (store: Store, names: string[]) => Object.fromEntries(names.map((n) => [n, member(store, n)?.state ?? '-']));

/** Play an agent: accept and start a triggered run (RUNNING), telling the engine nothing. */
function startRun(store: Store, r: { id: number }) {
  store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1 } });
  store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING' });
}

/** Play an agent: accept, start and end a triggered member run. */
function finish(store: Store, engine: GroupEngine, name: string, ok: boolean) {
  const r = member(store, name)!;
  expect(r.state).toBe('TRIGGER');
  startRun(store, r);
  store.runs.transition(ok ? { runId: r.id, event: 'run.succeeded', to: 'SUCCESS' } : { runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'exit_code', exit_code: 1 } });
  engine.markRun(r);
  engine.advance();
}

const groupState = (store: Store, name: string) =>
  (store.db.prepare('SELECT state FROM group_runs WHERE group_name = ? ORDER BY id DESC LIMIT 1').get(name) as { state: string } | undefined)?.state;

describe('group cycles advance on member transitions', () => {
  it('a diamond runs in dependency order and the cycle succeeds', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    insertTask(store, { name: 'c', task_group: 'g', dependency: '(S:a)', timezone: undefined });
    insertTask(store, { name: 'd', task_group: 'g', dependency: 'S:b and S:c', timezone: undefined });
    clock.advance(HOUR);
    tick();
    expect(groupState(store, 'g')).toBe('RUNNING');
    expect(states(store, ['a', 'b', 'c', 'd'])).toEqual({ a: 'TRIGGER', b: 'ACTIVE', c: 'ACTIVE', d: 'ACTIVE' });
    finish(store, engine, 'a', true);
    expect(states(store, ['b', 'c', 'd'])).toEqual({ b: 'TRIGGER', c: 'TRIGGER', d: 'ACTIVE' });
    finish(store, engine, 'b', true);
    expect(states(store, ['d'])).toEqual({ d: 'ACTIVE' });
    finish(store, engine, 'c', true);
    finish(store, engine, 'd', true);
    expect(groupState(store, 'g')).toBe('SUCCESS');
    const types = store.events.list().filter((e) => e.type.startsWith('group_run.')).map((e) => e.type);
    expect(types).toEqual(['group_run.created', 'group_run.started', 'group_run.succeeded']);
  });

  it('an or-branch runs when either side succeeds; not (F:x) runs after x succeeded', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    for (const [name, dependency] of [['a', undefined], ['b', undefined], ['either', 'S:a or S:b'], ['unless', 'not (F:b)']] as const) {
      insertTask(store, { name, task_group: 'g', dependency, timezone: undefined });
    }
    clock.advance(HOUR);
    tick();
    finish(store, engine, 'a', false);
    expect(states(store, ['either', 'unless'])).toEqual({ either: 'ACTIVE', unless: 'ACTIVE' });
    finish(store, engine, 'b', true);
    expect(states(store, ['either', 'unless'])).toEqual({ either: 'TRIGGER', unless: 'TRIGGER' });
  });

  it('a failure skips its dependants (reason dependency) and the cycle fails', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    insertTask(store, { name: 'c', task_group: 'g', dependency: 'S:b', timezone: undefined });
    insertTask(store, { name: 'cleanup', task_group: 'g', dependency: 'F:a', timezone: undefined });
    clock.advance(HOUR);
    tick();
    finish(store, engine, 'a', false);
    expect(member(store, 'b')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(member(store, 'c')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(states(store, ['cleanup'])).toEqual({ cleanup: 'TRIGGER' });
    finish(store, engine, 'cleanup', true);
    expect(groupState(store, 'g')).toBe('FAILED');
  });

  it('a branch that was not taken counts as success: the cycle succeeds', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'on-failure', task_group: 'g', dependency: 'F:a', timezone: undefined });
    clock.advance(HOUR);
    tick();
    finish(store, engine, 'a', true);
    expect(member(store, 'on-failure')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(groupState(store, 'g')).toBe('SUCCESS');
  });

  it('modify-status of a failed member to SUCCESS releases its dependants and reopens the cycle', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    insertTask(store, { name: 'c', task_group: 'g', dependency: 'S:b', timezone: undefined });
    clock.advance(HOUR);
    tick();
    finish(store, engine, 'a', false);
    expect(groupState(store, 'g')).toBe('FAILED');
    const a = member(store, 'a')!;
    const released = store.tx(() => {
      store.runs.transitionInTx({ runId: a.id, event: 'run.status_modified', to: 'SUCCESS' });
      return engine.release(a.group_run_id);
    });
    expect(released).toHaveLength(2);
    engine.advance();
    expect(groupState(store, 'g')).toBe('RUNNING');
    expect(states(store, ['b', 'c'])).toEqual({ b: 'TRIGGER', c: 'ACTIVE' });
    finish(store, engine, 'b', true);
    finish(store, engine, 'c', true);
    expect(groupState(store, 'g')).toBe('SUCCESS');
  });

  it('inactive members get no run and count as IDLE; a disabled group starts no cycle', () => {
    const { store, clock, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertGroup(store, { name: 'off', trigger_times: '07:00', active: false });
    insertTask(store, { name: 'idle', task_group: 'g', timezone: undefined, active: false });
    insertTask(store, { name: 'when-idle', task_group: 'g', dependency: 'I:idle', timezone: undefined });
    insertTask(store, { name: 'held', task_group: 'off', timezone: undefined });
    clock.advance(HOUR);
    tick();
    expect(states(store, ['idle', 'when-idle', 'held'])).toEqual({ idle: '-', 'when-idle': 'TRIGGER', held: '-' });
    expect(groupState(store, 'off')).toBeUndefined();
  });

  it('a group depending on another waits for it on the same business date, across time zones', () => {
    // downstream fires 10:00 London (09:00 UTC); upstream fires 09:00 Los Angeles (16:00 UTC), same date
    const { store, clock, engine, tick } = setup(Date.UTC(2026, 5, 1, 8, 0, 0));
    insertGroup(store, { name: 'upstream', trigger_times: '09:00', timezone: 'America/Los_Angeles' });
    insertGroup(store, { name: 'downstream', trigger_times: '10:00', timezone: 'Europe/London', dependency: 'S:upstream' });
    insertTask(store, { name: 'u1', task_group: 'upstream', timezone: undefined });
    insertTask(store, { name: 'd1', task_group: 'downstream', timezone: undefined });
    clock.set(Date.UTC(2026, 5, 1, 9, 0, 0));
    tick();
    expect(groupState(store, 'downstream')).toBe('ACTIVE'); // its time came; it waits
    expect(member(store, 'd1')).toBeUndefined();
    clock.set(Date.UTC(2026, 5, 1, 16, 0, 0));
    tick();
    expect(groupState(store, 'upstream')).toBe('RUNNING');
    expect(groupState(store, 'downstream')).toBe('ACTIVE');
    finish(store, engine, 'u1', true);
    expect(groupState(store, 'upstream')).toBe('SUCCESS');
    expect(groupState(store, 'downstream')).toBe('RUNNING');
    expect(states(store, ['d1'])).toEqual({ d1: 'TRIGGER' });
    const down = store.db.prepare("SELECT business_date FROM group_runs WHERE group_name = 'downstream'").get() as { business_date: string };
    expect(down.business_date).toBe('20260601');
  });

  it('a downstream group whose upstream failed is skipped (dependency)', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'up', trigger_times: '07:00' });
    insertGroup(store, { name: 'down', trigger_times: '07:00', dependency: 'S:up' });
    insertTask(store, { name: 'u1', task_group: 'up', timezone: undefined });
    insertTask(store, { name: 'd1', task_group: 'down', timezone: undefined });
    clock.advance(HOUR);
    tick();
    finish(store, engine, 'u1', false);
    expect(groupState(store, 'down')).toBe('SKIPPED');
  });

  it('R:x holds while x runs: the member triggers when x starts, not when x ends', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'server', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'probe', task_group: 'g', dependency: 'R:server', timezone: undefined });
    insertTask(store, { name: 'after', task_group: 'g', dependency: 'S:server', timezone: undefined });
    clock.advance(HOUR);
    tick();
    const r = member(store, 'server')!;
    startRun(store, r);
    // Only a start someone's expression asks about wakes the engine.
    expect(engine.markLive({ ...r, task_name: 'server' })).toBe(true);
    expect(engine.markLive({ ...member(store, 'probe')!, task_name: 'probe' })).toBe(false);
    engine.advance();
    expect(states(store, ['probe', 'after'])).toEqual({ probe: 'TRIGGER', after: 'ACTIVE' });
    store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
    engine.markRun(r);
    engine.advance();
    expect(states(store, ['probe', 'after'])).toEqual({ probe: 'TRIGGER', after: 'TRIGGER' });
  });

  it('an upstream the agent moved since the engine last looked is read again before a dependant decides', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'b', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'c', task_group: 'g', dependency: 'S:b and Z:a', timezone: undefined });
    clock.advance(HOUR);
    tick();
    const a = member(store, 'a')!;
    // The agent claims and starts a, and the engine is not told (as if the notification were lost).
    startRun(store, a);
    finish(store, engine, 'b', true);
    // Z:a no longer holds (a is running) and may never again: c waits, then is skipped when a ends.
    expect(states(store, ['c'])).toEqual({ c: 'ACTIVE' });
    store.runs.transition({ runId: a.id, event: 'run.succeeded', to: 'SUCCESS' });
    engine.markRun(a);
    engine.advance();
    expect(member(store, 'c')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(groupState(store, 'g')).toBe('SUCCESS');
  });

  it('a member another process skipped meanwhile is read again, without an error', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    clock.advance(HOUR);
    tick();
    // As `easytask disable b` does from its own connection (in one process here: no data_version change).
    const b = member(store, 'b')!;
    store.runs.transition({ runId: b.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'disabled' } });
    expect(() => finish(store, engine, 'a', true)).not.toThrow();
    engine.advance();
    expect(member(store, 'b')).toMatchObject({ state: 'SKIPPED', reason: 'disabled' });
    expect(groupState(store, 'g')).toBe('SUCCESS');
  });

  it('a cycle that needs no trigger is not held back by another cycle using the whole budget', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'wide', trigger_times: '07:00' });
    insertTask(store, { name: 'root', task_group: 'wide', timezone: undefined });
    for (let i = 0; i < 3; i++) insertTask(store, { name: `leaf${i}`, task_group: 'wide', dependency: 'S:root', timezone: undefined });
    insertGroup(store, { name: 'small', trigger_times: '07:00' });
    insertTask(store, { name: 'only', task_group: 'small', timezone: undefined });
    clock.advance(HOUR);
    tick();
    const root = member(store, 'root')!;
    const only = member(store, 'only')!;
    for (const r of [root, only]) {
      startRun(store, r);
      store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
    }
    engine.markRun(root); // the wide cycle is looked at first and takes the budget of 1
    engine.markRun(only);
    expect(engine.advance(1)).toBe(true);
    expect(groupState(store, 'small')).toBe('SUCCESS');
    expect((store.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'TRIGGER'").get() as { n: number }).n).toBe(1);
  });

  it('a wide fan-out triggers at most the budget per call and finishes on later calls', () => {
    const { store, clock, engine, tick } = setup();
    insertGroup(store, { name: 'g', trigger_times: '07:00' });
    insertTask(store, { name: 'root', task_group: 'g', timezone: undefined });
    for (let i = 0; i < 5; i++) insertTask(store, { name: `leaf${i}`, task_group: 'g', dependency: 'S:root', timezone: undefined });
    clock.advance(HOUR);
    tick();
    const r = member(store, 'root')!;
    startRun(store, r);
    store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
    engine.markRun(r);
    const triggered = () => (store.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'TRIGGER'").get() as { n: number }).n;
    expect(engine.advance(2)).toBe(true);
    expect(triggered()).toBe(2);
    expect(engine.advance(2)).toBe(true);
    expect(triggered()).toBe(4);
    expect(engine.advance(2)).toBe(false);
    expect(triggered()).toBe(5);
  });
});
