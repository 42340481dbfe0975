import { describe, expect, it } from 'vitest';
import { forEachPage, readPage, typeMatcher } from '../../../src/events/query.js';
import { tempStore } from '../../helpers/home.js';

describe('typeMatcher', () => {
  it('matches globs and comma-separated lists of them', () => {
    const m = typeMatcher('run.*,daemon.started');
    expect(['run.failed', 'run.output', 'daemon.started'].every(m)).toBe(true);
    expect(['daemon.stopped', 'task.created', 'group_run.started'].some(m)).toBe(false);
    expect(typeMatcher('*.failed')('group_run.failed')).toBe(true);
    expect(typeMatcher('*.failed')('run.failed.x')).toBe(false);
    expect(typeMatcher('run.f?iled')('run.failed')).toBe(true);
  });

  it('refuses a glob that matches no known type, naming the types (exit 2)', () => {
    expect(() => typeMatcher('runs.*')).toThrow(/matches no event type; types are run\.created/);
    expect(() => typeMatcher(' , ')).toThrow(/needs a glob/);
  });
});

describe('readPage / forEachPage', () => {
  it('pages in seq order and moves past events the type filter drops', () => {
    const { store } = tempStore();
    for (let i = 1; i <= 25; i++) store.events.append({ key: `k${i}`, type: i % 5 === 0 ? 'run.failed' : 'run.output', time: i, instance: 'default', task: 'a', run_id: 1, data: {} });
    const first = readPage(store, { type: typeMatcher('run.failed') }, 0, 10);
    expect(first.events.map((e) => e.seq)).toEqual([5, 10]);
    expect(first).toMatchObject({ lastSeq: 10, more: true });
    const seen: number[] = [];
    const last = forEachPage(store, { type: typeMatcher('run.failed') }, 0, (events) => void seen.push(...events.map((e) => e.seq)));
    return last.then((n) => {
      expect(seen).toEqual([5, 10, 15, 20, 25]);
      expect(n).toBe(25);
    });
  });

  it('combines --after, --since and --task', async () => {
    const { store } = tempStore();
    for (let i = 1; i <= 6; i++) store.events.append({ key: `k${i}`, type: 'task.updated', time: i * 100, instance: 'default', task: i % 2 ? 'odd' : 'even', data: {} });
    const seen: number[] = [];
    await forEachPage(store, { sinceTime: 200, task: 'even' }, 2, (events) => void seen.push(...events.map((e) => e.seq)));
    expect(seen).toEqual([4, 6]);
  });
});
