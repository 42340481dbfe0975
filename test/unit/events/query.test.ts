import { describe, expect, it } from 'vitest';
import { readPage, typeMatcher } from '../../../src/events/query.js';
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

describe('readPage', () => {
  it('pages in seq order and moves past events the type filter drops', async () => {
    const { store } = await tempStore();
    for (let i = 1; i <= 25; i++) await store.events.append({ key: `k${i}`, type: i % 5 === 0 ? 'run.failed' : 'run.output', time: i, instance: 'default', task: 'a', run_id: 1, data: {} });
    const first = await readPage(store, { type: typeMatcher('run.failed') }, 0, 10);
    expect(first.events.map((e) => e.seq)).toEqual([5, 10]);
    expect(first).toMatchObject({ lastSeq: 10, more: true });
    const last = await readPage(store, { type: typeMatcher('run.failed') }, 20, 10);
    expect(last).toMatchObject({ lastSeq: 25, more: false });
  });

  it('combines --after, --since and --task', async () => {
    const { store } = await tempStore();
    for (let i = 1; i <= 6; i++) await store.events.append({ key: `k${i}`, type: 'task.updated', time: i * 100, instance: 'default', task: i % 2 ? 'odd' : 'even', data: {} });
    const page = await readPage(store, { sinceTime: 200, task: 'even' }, 2);
    expect(page.events.map((e) => e.seq)).toEqual([4, 6]);
  });
});
