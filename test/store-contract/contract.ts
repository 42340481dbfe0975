// What every store driver must do, whatever holds the data. Each operation is awaited, so a driver
// whose operations return promises runs the same file unchanged; a driver registers itself by
// calling storeContract() with a way to make an empty store (see sqlite.test.ts).
import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import type { Store } from '../../src/store/index.js';
import { insertTask } from '../helpers/defs.js';

export interface DriverUnderTest {
  store: Store;
  clock: FakeClock;
  /** The same data through a second connection (another process would see it so). */
  reopen(): Store;
}

const newRun = (slot: number, over: Partial<{ task_name: string; task_id: number }> = {}) => ({
  task_id: over.task_id ?? 1000001,
  task_name: over.task_name ?? 'a',
  instance: 'default',
  slot,
  max_attempts: 1,
  queue: 'localhost',
});

export function storeContract(driver: string, make: () => DriverUnderTest | Promise<DriverUnderTest>): void {
  describe(`store contract: ${driver}`, () => {
    it('one run per (task, instance, slot): a second create of the slot is refused and writes no event', async () => {
      const { store } = await make();
      const first = await store.runs.create(newRun(1_000));
      expect(first).toMatchObject({ state: 'ACTIVE', slot: 1_000 });
      const before = await store.events.lastSeq();
      expect(await store.runs.create(newRun(1_000))).toBeUndefined();
      expect(await store.events.lastSeq()).toBe(before);
      expect(await store.runs.create({ ...newRun(1_000), instance: 'green' })).toBeDefined(); // another instance
      expect((await store.events.list({ runId: first!.id })).map((e) => e.type)).toEqual(['run.created']);
    });

    it('a transition and its event are one unit: both written, or (refused) neither', async () => {
      const { store } = await make();
      const run = (await store.runs.create(newRun(2_000)))!;
      const moved = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: 5 } });
      expect(moved).toMatchObject({ state: 'TRIGGER', version: 1, triggered_at: 5 });
      const seq = await store.events.lastSeq();
      await expect(async () => store.runs.transition({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS' })).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
      await expect(async () => store.runs.transition({ runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: 0 })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.events.lastSeq()).toBe(seq);
      expect(await store.runs.get(run.id)).toMatchObject({ state: 'TRIGGER', version: 1 });
      const events = await store.events.list({ runId: run.id });
      expect(events.map((e) => [e.type, e.data.from, e.data.to])).toEqual([
        ['run.created', undefined, 'ACTIVE'],
        ['run.triggered', 'ACTIVE', 'TRIGGER'],
      ]);
    });

    it('events: a natural key is stored once, and seq only grows', async () => {
      const { store, clock } = await make();
      const e = { key: 'contract:1', type: 'daemon.started' as const, time: clock.now(), instance: 'default', data: { n: 1 } };
      const seq = await store.events.append(e);
      expect(seq).toBeGreaterThan(0);
      expect(await store.events.append({ ...e, data: { n: 2 } })).toBeUndefined();
      expect(await store.events.has('contract:1')).toBe(true);
      const next = await store.events.append({ ...e, key: 'contract:2' });
      expect(next).toBeGreaterThan(seq!);
      expect((await store.events.list({ afterSeq: seq! - 1 })).map((x) => [x.key, x.data])).toEqual([
        ['contract:1', { n: 1 }],
        ['contract:2', { n: 1 }],
      ]);
    });

    it('cursors: set, read back through another connection, listed by prefix', async () => {
      const d = await make();
      await d.store.cursors.set('sink:http://a', '7');
      await d.store.cursors.set('sink:http://b', '9');
      await d.store.cursors.set('alerts:cursor', '3');
      await d.store.cursors.set('sink:http://a', '8');
      const other = d.reopen();
      expect(await other.cursors.get('sink:http://a')).toBe('8');
      expect(await other.cursors.get('nothing')).toBeUndefined();
      expect(await other.cursors.list('sink:')).toEqual([
        { key: 'sink:http://a', value: '8' },
        { key: 'sink:http://b', value: '9' },
      ]);
    });

    it('definition effects: a deleted task skips its pending runs once, wherever they are applied from', async () => {
      const d = await make();
      const { store } = d;
      const t = insertTask(store, { name: 'gone', trigger_times: '08:00' });
      const pending = (await store.runs.create(newRun(3_000, { task_name: 'gone', task_id: t.tid })))!;
      const started = (await store.runs.create(newRun(4_000, { task_name: 'gone', task_id: t.tid })))!;
      await store.runs.transition({ runId: started.id, event: 'run.triggered', to: 'TRIGGER' });
      await store.runs.transition({ runId: started.id, event: 'run.accepted', to: 'STARTED' });
      const seq = await store.defs.remove((await store.defs.byName('gone', 'default'))!);
      // "A daemon holds the home": nothing changes.
      expect(await store.definitionEffects.apply(() => false)).toBeUndefined();
      expect((await store.runs.get(pending.id))!.state).toBe('ACTIVE');
      const applied = await d.reopen().definitionEffects.apply();
      expect(applied!.map((a) => [a.cause, a.reason, a.runs.map((r) => r.id)])).toEqual([[seq, 'deleted', [pending.id]]]);
      expect(await store.runs.get(pending.id)).toMatchObject({ state: 'SKIPPED', reason: 'deleted' });
      expect((await store.runs.get(started.id))!.state).toBe('STARTED'); // started: not skipped
      expect(await store.definitionEffects.apply()).toEqual([]); // applied once
      expect(await store.definitionEffects.skippedBy(seq - 1, seq)).toBe(1);
      expect(await store.definitionEffects.applied()).toBe(await store.events.lastSeq());
    });

    it('a new store starts its definition effects at the end of its log, and is fully migrated', async () => {
      const { store } = await make();
      expect(await store.definitionEffects.applied()).toBe(await store.events.lastSeq());
    });
  });
}
