import { describe, expect, it } from 'vitest';
import { tempStore } from '../../helpers/home.js';

describe('event log', () => {
  it('assigns increasing sequence numbers and ignores a re-append of the same natural key', () => {
    const { store } = tempStore();
    const e = { key: 'run:1:v1', type: 'run.triggered' as const, time: 5, instance: 'default', run_id: 1, data: { from: 'ACTIVE', to: 'TRIGGER' } };
    const first = store.events.append(e);
    const again = store.events.append({ ...e, time: 6 });
    const second = store.events.append({ ...e, key: 'run:1:v2' });
    expect(first).toBe(1);
    expect(again).toBeUndefined();
    expect(second).toBe(2);
    const all = store.events.list();
    expect(all.map((x) => [x.seq, x.key, x.time])).toEqual([
      [1, 'run:1:v1', 5],
      [2, 'run:1:v2', 5],
    ]);
    expect(all[0]!.data).toEqual({ from: 'ACTIVE', to: 'TRIGGER' });
  });

  it('reads after a sequence number, by task and since a time', () => {
    const { store } = tempStore();
    for (let i = 1; i <= 5; i++) store.events.append({ key: `k${i}`, type: 'task.created', time: i * 10, instance: 'default', task: i % 2 ? 'odd' : 'even', data: {} });
    expect(store.events.list({ afterSeq: 3 }).map((e) => e.seq)).toEqual([4, 5]);
    expect(store.events.list({ task: 'even' }).map((e) => e.seq)).toEqual([2, 4]);
    expect(store.events.list({ sinceTime: 30 }).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(store.events.lastSeq()).toBe(5);
  });
});
