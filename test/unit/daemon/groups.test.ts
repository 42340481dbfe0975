import { describe, expect, it } from 'vitest';
import { DefinitionCache } from '../../../src/daemon/definition-cache.js';
import { GroupEngine } from '../../../src/daemon/groups.js';
import { Scheduler } from '../../../src/daemon/scheduler.js';
import { emptyCalendars } from '../../../src/schedule/index.js';
import type { RunRow, Store } from '../../../src/store/index.js';
import { insertGroup, insertTask } from '../../helpers/defs.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0); // Monday 2026-06-01 06:00 UTC
const HOUR = 3_600_000;

async function setup(start = T0) {
  const { store, clock } = await tempStore(start);
  const defs = new DefinitionCache(store, 'UTC');
  const scheduler = new Scheduler(store, defs, clock, emptyCalendars, { warn: () => undefined });
  const engine = new GroupEngine(store, clock, defs);
  /** The daemon's pass: definitions read again, the slots due recorded, the new cycles advanced. */
  const tick = async () => {
    await defs.load();
    await scheduler.load();
    const { cycles } = await scheduler.tick();
    for (const c of cycles) engine.mark(c.id);
    await engine.advance();
  };
  return { store, clock, scheduler, engine, tick };
}

/** A task's latest run (by id). */
const member = async (store: Store, name: string): Promise<RunRow | undefined> => (await store.runs.list({ task: name })).sort((a, b) => b.id - a.id)[0];
const states = async (store: Store, names: string[]) => Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await member(store, n))?.state ?? '-'])));

/** Play an agent: accept and start a triggered run (RUNNING), telling the engine nothing. */
async function startRun(store: Store, r: { id: number }) {
  await store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1 } });
  await store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING' });
}

/** Play an agent: accept, start and end a triggered member run. */
async function finish(store: Store, engine: GroupEngine, name: string, ok: boolean) {
  const r = (await member(store, name))!;
  expect(r.state).toBe('TRIGGER');
  await startRun(store, r);
  await store.runs.transition(ok ? { runId: r.id, event: 'run.succeeded', to: 'SUCCESS' } : { runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'exit_code', exit_code: 1 } });
  engine.markRun(r);
  await engine.advance();
}

/** A group's latest cycle's state. */
const groupState = async (store: Store, name: string) => (await store.groupRuns.recent(name, 'default', 1))[0]?.state;

/** How many runs are in a state. */
const count = async (store: Store, state: 'TRIGGER') => (await store.runs.inStates([state])).length;

describe('group cycles advance on member transitions', () => {
  it('a diamond runs in dependency order and the cycle succeeds', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    await insertTask(store, { name: 'c', task_group: 'g', dependency: '(S:a)', timezone: undefined });
    await insertTask(store, { name: 'd', task_group: 'g', dependency: 'S:b and S:c', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    expect(await groupState(store, 'g')).toBe('RUNNING');
    expect(await states(store, ['a', 'b', 'c', 'd'])).toEqual({ a: 'TRIGGER', b: 'ACTIVE', c: 'ACTIVE', d: 'ACTIVE' });
    await finish(store, engine, 'a', true);
    expect(await states(store, ['b', 'c', 'd'])).toEqual({ b: 'TRIGGER', c: 'TRIGGER', d: 'ACTIVE' });
    await finish(store, engine, 'b', true);
    expect(await states(store, ['d'])).toEqual({ d: 'ACTIVE' });
    await finish(store, engine, 'c', true);
    await finish(store, engine, 'd', true);
    expect(await groupState(store, 'g')).toBe('SUCCESS');
    const types = (await store.events.list()).filter((e) => e.type.startsWith('group_run.')).map((e) => e.type);
    expect(types).toEqual(['group_run.created', 'group_run.started', 'group_run.succeeded']);
  });

  it('an or-branch runs when either side succeeds; not (F:x) runs after x succeeded', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    for (const [name, dependency] of [['a', undefined], ['b', undefined], ['either', 'S:a or S:b'], ['unless', 'not (F:b)']] as const) {
      await insertTask(store, { name, task_group: 'g', dependency, timezone: undefined });
    }
    clock.advance(HOUR);
    await tick();
    await finish(store, engine, 'a', false);
    expect(await states(store, ['either', 'unless'])).toEqual({ either: 'ACTIVE', unless: 'ACTIVE' });
    await finish(store, engine, 'b', true);
    expect(await states(store, ['either', 'unless'])).toEqual({ either: 'TRIGGER', unless: 'TRIGGER' });
  });

  it('a failure skips its dependants (reason dependency) and the cycle fails', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    await insertTask(store, { name: 'c', task_group: 'g', dependency: 'S:b', timezone: undefined });
    await insertTask(store, { name: 'cleanup', task_group: 'g', dependency: 'F:a', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    await finish(store, engine, 'a', false);
    expect(await member(store, 'b')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(await member(store, 'c')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(await states(store, ['cleanup'])).toEqual({ cleanup: 'TRIGGER' });
    await finish(store, engine, 'cleanup', true);
    expect(await groupState(store, 'g')).toBe('FAILED');
  });

  it('a branch that was not taken counts as success: the cycle succeeds', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'on-failure', task_group: 'g', dependency: 'F:a', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    await finish(store, engine, 'a', true);
    expect(await member(store, 'on-failure')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(await groupState(store, 'g')).toBe('SUCCESS');
  });

  it('modify-status of a failed member to SUCCESS releases its dependants and reopens the cycle', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    await insertTask(store, { name: 'c', task_group: 'g', dependency: 'S:b', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    await finish(store, engine, 'a', false);
    expect(await groupState(store, 'g')).toBe('FAILED');
    const a = (await member(store, 'a'))!;
    // As modify-status does: the engine plans the release, the store carries it out with the change, the cycle is read again.
    const plan = (await engine.releasePlan(a.group_run_id!, a.id, 'SUCCESS'))!;
    await store.runs.modifyStatus({ runId: a.id, to: 'SUCCESS', expectVersion: a.version, release: plan });
    engine.mark(a.group_run_id!);
    expect(plan.runs).toHaveLength(2);
    await engine.advance();
    expect(await groupState(store, 'g')).toBe('RUNNING');
    expect(await states(store, ['b', 'c'])).toEqual({ b: 'TRIGGER', c: 'ACTIVE' });
    await finish(store, engine, 'b', true);
    await finish(store, engine, 'c', true);
    expect(await groupState(store, 'g')).toBe('SUCCESS');
  });

  it('inactive members get no run and count as IDLE; a disabled group starts no cycle', async () => {
    const { store, clock, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertGroup(store, { name: 'off', trigger_times: '07:00', active: false });
    await insertTask(store, { name: 'idle', task_group: 'g', timezone: undefined, active: false });
    await insertTask(store, { name: 'when-idle', task_group: 'g', dependency: 'I:idle', timezone: undefined });
    await insertTask(store, { name: 'held', task_group: 'off', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    expect(await states(store, ['idle', 'when-idle', 'held'])).toEqual({ idle: '-', 'when-idle': 'TRIGGER', held: '-' });
    expect(await groupState(store, 'off')).toBeUndefined();
  });

  it('a group depending on another waits for it on the same business date, across time zones', async () => {
    // downstream fires 10:00 London (09:00 UTC); upstream fires 09:00 Los Angeles (16:00 UTC), same date
    const { store, clock, engine, tick } = await setup(Date.UTC(2026, 5, 1, 8, 0, 0));
    await insertGroup(store, { name: 'upstream', trigger_times: '09:00', timezone: 'America/Los_Angeles' });
    await insertGroup(store, { name: 'downstream', trigger_times: '10:00', timezone: 'Europe/London', dependency: 'S:upstream' });
    await insertTask(store, { name: 'u1', task_group: 'upstream', timezone: undefined });
    await insertTask(store, { name: 'd1', task_group: 'downstream', timezone: undefined });
    clock.set(Date.UTC(2026, 5, 1, 9, 0, 0));
    await tick();
    expect(await groupState(store, 'downstream')).toBe('ACTIVE'); // its time came; it waits
    expect(await member(store, 'd1')).toBeUndefined();
    clock.set(Date.UTC(2026, 5, 1, 16, 0, 0));
    await tick();
    expect(await groupState(store, 'upstream')).toBe('RUNNING');
    expect(await groupState(store, 'downstream')).toBe('ACTIVE');
    await finish(store, engine, 'u1', true);
    expect(await groupState(store, 'upstream')).toBe('SUCCESS');
    expect(await groupState(store, 'downstream')).toBe('RUNNING');
    expect(await states(store, ['d1'])).toEqual({ d1: 'TRIGGER' });
    const [down, ...more] = await store.groupRuns.recent('downstream', 'default', 10);
    expect(more).toEqual([]);
    expect(down!.business_date).toBe('20260601');
  });

  it('a downstream group whose upstream failed is skipped (dependency)', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'up', trigger_times: '07:00' });
    await insertGroup(store, { name: 'down', trigger_times: '07:00', dependency: 'S:up' });
    await insertTask(store, { name: 'u1', task_group: 'up', timezone: undefined });
    await insertTask(store, { name: 'd1', task_group: 'down', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    await finish(store, engine, 'u1', false);
    expect(await groupState(store, 'down')).toBe('SKIPPED');
  });

  it('R:x holds while x runs: the member triggers when x starts, not when x ends', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'server', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'probe', task_group: 'g', dependency: 'R:server', timezone: undefined });
    await insertTask(store, { name: 'after', task_group: 'g', dependency: 'S:server', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    const r = (await member(store, 'server'))!;
    await startRun(store, r);
    // Only a start someone's expression asks about wakes the engine.
    expect(engine.markLive({ ...r, task_name: 'server' })).toBe(true);
    expect(engine.markLive({ ...(await member(store, 'probe'))!, task_name: 'probe' })).toBe(false);
    await engine.advance();
    expect(await states(store, ['probe', 'after'])).toEqual({ probe: 'TRIGGER', after: 'ACTIVE' });
    await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
    engine.markRun(r);
    await engine.advance();
    expect(await states(store, ['probe', 'after'])).toEqual({ probe: 'TRIGGER', after: 'TRIGGER' });
  });

  it('an upstream the agent moved since the engine last looked is read again before a dependant decides', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'b', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'c', task_group: 'g', dependency: 'S:b and Z:a', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    const a = (await member(store, 'a'))!;
    // The agent claims and starts a, and the engine is not told (as if the notification were lost).
    await startRun(store, a);
    await finish(store, engine, 'b', true);
    // Z:a no longer holds (a is running) and may never again: c waits, then is skipped when a ends.
    expect(await states(store, ['c'])).toEqual({ c: 'ACTIVE' });
    await store.runs.transition({ runId: a.id, event: 'run.succeeded', to: 'SUCCESS' });
    engine.markRun(a);
    await engine.advance();
    expect(await member(store, 'c')).toMatchObject({ state: 'SKIPPED', reason: 'dependency' });
    expect(await groupState(store, 'g')).toBe('SUCCESS');
  });

  it('a member another process skipped meanwhile is read again, without an error', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'a', task_group: 'g', timezone: undefined });
    await insertTask(store, { name: 'b', task_group: 'g', dependency: 'S:a', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    // As `easytask disable b` does from its own connection (in one process here: no data_version change).
    const b = (await member(store, 'b'))!;
    await store.runs.transition({ runId: b.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'disabled' } });
    await expect(finish(store, engine, 'a', true)).resolves.toBeUndefined();
    await engine.advance();
    expect(await member(store, 'b')).toMatchObject({ state: 'SKIPPED', reason: 'disabled' });
    expect(await groupState(store, 'g')).toBe('SUCCESS');
  });

  it('a cycle that needs no trigger is not held back by another cycle using the whole budget', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'wide', trigger_times: '07:00' });
    await insertTask(store, { name: 'root', task_group: 'wide', timezone: undefined });
    for (let i = 0; i < 3; i++) await insertTask(store, { name: `leaf${i}`, task_group: 'wide', dependency: 'S:root', timezone: undefined });
    await insertGroup(store, { name: 'small', trigger_times: '07:00' });
    await insertTask(store, { name: 'only', task_group: 'small', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    const root = (await member(store, 'root'))!;
    const only = (await member(store, 'only'))!;
    for (const r of [root, only]) {
      await startRun(store, r);
      await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
    }
    engine.markRun(root); // the wide cycle is looked at first and takes the budget of 1
    engine.markRun(only);
    expect(await engine.advance(1)).toBe(true);
    expect(await groupState(store, 'small')).toBe('SUCCESS');
    expect(await count(store, 'TRIGGER')).toBe(1);
  });

  it('a wide fan-out triggers at most the budget per call and finishes on later calls', async () => {
    const { store, clock, engine, tick } = await setup();
    await insertGroup(store, { name: 'g', trigger_times: '07:00' });
    await insertTask(store, { name: 'root', task_group: 'g', timezone: undefined });
    for (let i = 0; i < 5; i++) await insertTask(store, { name: `leaf${i}`, task_group: 'g', dependency: 'S:root', timezone: undefined });
    clock.advance(HOUR);
    await tick();
    const r = (await member(store, 'root'))!;
    await startRun(store, r);
    await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
    engine.markRun(r);
    const triggered = () => count(store, 'TRIGGER');
    expect(await engine.advance(2)).toBe(true);
    expect(await triggered()).toBe(2);
    expect(await engine.advance(2)).toBe(true);
    expect(await triggered()).toBe(4);
    expect(await engine.advance(2)).toBe(false);
    expect(await triggered()).toBe(5);
  });
});
