import { describe, expect, it } from 'vitest';
import { EasyTaskError } from '../../../src/core/errors.js';
import { RUN_STATES, TRANSITIONS, type RunState, type TransitionEvent } from '../../../src/core/states.js';
import type { Store } from '../../../src/store/index.js';
import { tempStore } from '../../helpers/home.js';

const EVENTS = Object.keys(TRANSITIONS) as TransitionEvent[];

/** The shortest walk of legal transitions from ACTIVE (where a run is created) to each state. */
const WALKS = (() => {
  const walks = new Map<RunState, [TransitionEvent, RunState][]>([['ACTIVE', []]]);
  for (const [from, walk] of walks) {
    for (const ev of EVENTS) {
      if (!TRANSITIONS[ev].from.includes(from)) continue;
      for (const to of TRANSITIONS[ev].to) if (!walks.has(to)) walks.set(to, [...walk, [ev, to]]);
    }
  }
  return walks;
})();

/** A run brought to `state` through the store, by legal transitions only. */
async function runIn(store: Store, state: RunState, slot: number): Promise<number> {
  const run = (await store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot, max_attempts: 1, queue: 'localhost' }))!;
  for (const [event, to] of WALKS.get(state)!) await store.runs.transition({ runId: run.id, event, to });
  return run.id;
}

const allowed: [TransitionEvent, RunState, RunState][] = EVENTS.flatMap((ev) =>
  TRANSITIONS[ev].from.flatMap((from) => TRANSITIONS[ev].to.filter((to) => !(ev === 'run.status_modified' && from === to)).map((to) => [ev, from, to] as [TransitionEvent, RunState, RunState])),
);
const refused: [TransitionEvent, RunState, RunState][] = EVENTS.flatMap((ev) =>
  RUN_STATES.filter((from) => !TRANSITIONS[ev].from.includes(from)).map((from) => [ev, from, TRANSITIONS[ev].to[0]!] as [TransitionEvent, RunState, RunState]),
);

describe('run transitions through the store', () => {
  it('creates one run per (task, slot): a second create for the slot is refused', async () => {
    const { store } = await tempStore();
    const a = await store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1000, max_attempts: 1, queue: 'localhost' });
    const b = await store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1000, max_attempts: 1, queue: 'localhost' });
    expect(a?.state).toBe('ACTIVE');
    expect(b).toBeUndefined();
    expect((await store.events.list()).map((e) => e.type)).toEqual(['run.created']);
  });

  it('reaches every state by legal transitions', () => {
    expect([...WALKS.keys()].sort()).toEqual([...RUN_STATES].sort());
  });

  it.each(allowed)('%s moves %s to %s and appends its event in the same transaction', async (event, from, to) => {
    const { store } = await tempStore();
    const id = await runIn(store, from, 1);
    const before = await store.events.lastSeq();
    const next = await store.runs.transition({ runId: id, event, to, data: { note: 'x' } });
    expect(next.state).toBe(to);
    expect((await store.runs.get(id))!.state).toBe(to);
    const evs = await store.events.list({ afterSeq: before });
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: event, run_id: id, data: { from, to, note: 'x' } });
  });

  it.each(refused)('%s is refused from %s with a clear error and nothing written', async (event, from, to) => {
    const { store } = await tempStore();
    const id = await runIn(store, from, 1);
    const before = await store.events.lastSeq();
    const err: unknown = await store.runs.transition({ runId: id, event, to }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EasyTaskError);
    expect((err as EasyTaskError).code).toBe('ILLEGAL_TRANSITION');
    expect((err as Error).message).toBe(`run ${id} (t) is ${from}: ${event} cannot leave ${from} (allowed from: ${TRANSITIONS[event].from.join(', ')})`);
    expect((await store.runs.get(id))!.state).toBe(from);
    expect(await store.events.lastSeq()).toBe(before);
  });

  it('refuses a target state the event cannot enter', async () => {
    const { store } = await tempStore();
    const id = await runIn(store, 'RUNNING', 1);
    await expect(store.runs.transition({ runId: id, event: 'run.succeeded', to: 'FAILED' })).rejects.toThrow(
      `run ${id} (t) is RUNNING: run.succeeded cannot enter FAILED (allowed: SUCCESS)`,
    );
  });

  it('refuses modify-status to the state the run already has', async () => {
    const { store } = await tempStore();
    const id = await runIn(store, 'SUCCESS', 1);
    await expect(store.runs.transition({ runId: id, event: 'run.status_modified', to: 'SUCCESS' })).rejects.toThrow(`run ${id} (t) is SUCCESS: run is already SUCCESS`);
  });

  it('refuses a stale version, so two writers cannot both move a run', async () => {
    const { store } = await tempStore();
    const id = await runIn(store, 'ACTIVE', 1);
    const v = (await store.runs.get(id))!.version;
    await store.runs.transition({ runId: id, event: 'run.triggered', to: 'TRIGGER', expectVersion: v });
    await expect(store.runs.transition({ runId: id, event: 'run.skipped', to: 'SKIPPED', expectVersion: v })).rejects.toThrow(/changed meanwhile/);
  });

  it('records the reason and patched columns with the state', async () => {
    const { store, clock } = await tempStore();
    const id = await runIn(store, 'RUNNING', 1);
    const r = await store.runs.transition({ runId: id, event: 'run.failed', to: 'FAILED', patch: { reason: 'timeout', ended_at: clock.now(), exit_code: null } });
    expect(r).toMatchObject({ state: 'FAILED', reason: 'timeout', ended_at: clock.now() });
    expect((await store.events.list()).at(-1)!.data).toEqual({ from: 'RUNNING', to: 'FAILED', reason: 'timeout' });
  });
});
