import { describe, expect, it } from 'vitest';
import { tempStore } from '../../helpers/home.js';

describe('event log', () => {
  it('assigns increasing sequence numbers and ignores a re-append of the same natural key', async () => {
    const { store } = await tempStore();
    const e = { key: 'run:1:v1', type: 'run.triggered' as const, time: 5, instance: 'default', run_id: 1, data: { from: 'ACTIVE', to: 'TRIGGER' } };
    const first = await store.events.append(e);
    const again = await store.events.append({ ...e, time: 6 });
    const second = await store.events.append({ ...e, key: 'run:1:v2' });
    expect(first).toBe(1);
    expect(again).toBeUndefined();
    expect(second).toBe(2);
    const all = await store.events.list();
    expect(all.map((x) => [x.seq, x.key, x.time])).toEqual([
      [1, 'run:1:v1', 5],
      [2, 'run:1:v2', 5],
    ]);
    expect(all[0]!.data).toEqual({ from: 'ACTIVE', to: 'TRIGGER' });
  });

  it('reads after a sequence number, by task and since a time', async () => {
    const { store } = await tempStore();
    for (let i = 1; i <= 5; i++) await store.events.append({ key: `k${i}`, type: 'task.created', time: i * 10, instance: 'default', task: i % 2 ? 'odd' : 'even', data: {} });
    expect((await store.events.list({ afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
    expect((await store.events.list({ task: 'even' })).map((e) => e.seq)).toEqual([2, 4]);
    expect((await store.events.list({ sinceTime: 30 })).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(await store.events.lastSeq()).toBe(5);
  });

  it('appendAll writes several as one unit, each once; countSince counts by type from a time on', async () => {
    const { store } = await tempStore();
    const ev = (key: string, type: 'run.triggered' | 'run.failed', time: number) => ({ key, type, time, instance: 'default', data: {} });
    expect(await store.events.appendAll([ev('a', 'run.triggered', 10), ev('b', 'run.failed', 20), ev('a', 'run.triggered', 30)])).toEqual([1, 2, undefined]);
    await store.events.append(ev('c', 'run.triggered', 40));
    expect(await store.events.countSince(['run.triggered', 'run.failed', 'run.succeeded'], 20)).toEqual({ 'run.triggered': 1, 'run.failed': 1, 'run.succeeded': 0 });
  });
});
