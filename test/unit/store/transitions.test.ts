import { describe, expect, it } from 'vitest';
import { EasyTaskError } from '../../../src/core/errors.js';
import { RUN_STATES, TRANSITIONS, type RunState, type TransitionEvent } from '../../../src/core/states.js';
import type { Store } from '../../../src/store/index.js';
import { tempStore } from '../../helpers/home.js';

const EVENTS = Object.keys(TRANSITIONS) as TransitionEvent[];

function runIn(store: Store, state: RunState, slot: number): number {
  const run = store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot, max_attempts: 1, queue: 'localhost' })!;
  store.db.prepare('UPDATE runs SET state = ? WHERE id = ?').run(state, run.id);
  return run.id;
}

const allowed: [TransitionEvent, RunState, RunState][] = EVENTS.flatMap((ev) =>
  TRANSITIONS[ev].from.flatMap((from) => TRANSITIONS[ev].to.filter((to) => !(ev === 'run.status_modified' && from === to)).map((to) => [ev, from, to] as [TransitionEvent, RunState, RunState])),
);
const refused: [TransitionEvent, RunState, RunState][] = EVENTS.flatMap((ev) =>
  RUN_STATES.filter((from) => !TRANSITIONS[ev].from.includes(from)).map((from) => [ev, from, TRANSITIONS[ev].to[0]!] as [TransitionEvent, RunState, RunState]),
);

describe('run transitions through the store', () => {
  it('creates one run per (task, slot): a second create for the slot is refused', () => {
    const { store } = tempStore();
    const a = store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1000, max_attempts: 1, queue: 'localhost' });
    const b = store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1000, max_attempts: 1, queue: 'localhost' });
    expect(a?.state).toBe('ACTIVE');
    expect(b).toBeUndefined();
    expect(store.events.list().map((e) => e.type)).toEqual(['run.created']);
  });

  it.each(allowed)('%s moves %s to %s and appends its event in the same transaction', (event, from, to) => {
    const { store } = tempStore();
    const id = runIn(store, from, 1);
    const before = store.events.lastSeq();
    const next = store.runs.transition({ runId: id, event, to, data: { note: 'x' } });
    expect(next.state).toBe(to);
    expect(store.runs.get(id)!.state).toBe(to);
    const evs = store.events.list({ afterSeq: before });
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ type: event, run_id: id, data: { from, to, note: 'x' } });
  });

  it.each(refused)('%s is refused from %s with a clear error and nothing written', (event, from, to) => {
    const { store } = tempStore();
    const id = runIn(store, from, 1);
    const before = store.events.lastSeq();
    let err: unknown;
    try {
      store.runs.transition({ runId: id, event, to });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EasyTaskError);
    expect((err as EasyTaskError).code).toBe('ILLEGAL_TRANSITION');
    expect((err as Error).message).toBe(`run ${id} (t) is ${from}: ${event} cannot leave ${from} (allowed from: ${TRANSITIONS[event].from.join(', ')})`);
    expect(store.runs.get(id)!.state).toBe(from);
    expect(store.events.lastSeq()).toBe(before);
  });

  it('refuses a target state the event cannot enter', () => {
    const { store } = tempStore();
    const id = runIn(store, 'RUNNING', 1);
    expect(() => store.runs.transition({ runId: id, event: 'run.succeeded', to: 'FAILED' })).toThrow(
      `run ${id} (t) is RUNNING: run.succeeded cannot enter FAILED (allowed: SUCCESS)`,
    );
  });

  it('refuses modify-status to the state the run already has', () => {
    const { store } = tempStore();
    const id = runIn(store, 'SUCCESS', 1);
    expect(() => store.runs.transition({ runId: id, event: 'run.status_modified', to: 'SUCCESS' })).toThrow(`run ${id} (t) is SUCCESS: run is already SUCCESS`);
  });

  it('refuses a stale version, so two writers cannot both move a run', () => {
    const { store } = tempStore();
    const id = runIn(store, 'ACTIVE', 1);
    const v = store.runs.get(id)!.version;
    store.runs.transition({ runId: id, event: 'run.triggered', to: 'TRIGGER', expectVersion: v });
    expect(() => store.runs.transition({ runId: id, event: 'run.skipped', to: 'SKIPPED', expectVersion: v })).toThrow(/changed meanwhile/);
  });

  it('rolls back the state change when the event cannot be written', () => {
    const { store } = tempStore();
    const id = runIn(store, 'ACTIVE', 1);
    store.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'run.triggered' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => store.runs.transition({ runId: id, event: 'run.triggered', to: 'TRIGGER' })).toThrow('disk full');
    expect(store.runs.get(id)!.state).toBe('ACTIVE');
  });

  it('records the reason and patched columns with the state', () => {
    const { store, clock } = tempStore();
    const id = runIn(store, 'RUNNING', 1);
    const r = store.runs.transition({ runId: id, event: 'run.failed', to: 'FAILED', patch: { reason: 'timeout', ended_at: clock.now(), exit_code: null } });
    expect(r).toMatchObject({ state: 'FAILED', reason: 'timeout', ended_at: clock.now() });
    expect(store.events.list().at(-1)!.data).toEqual({ from: 'RUNNING', to: 'FAILED', reason: 'timeout' });
  });
});
