import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { StoreWatch } from '../../../src/events/store-watch.js';
import { tempStore } from '../../helpers/home.js';

describe('StoreWatch', () => {
  it('wakes when another connection commits, and keeps a change that came between two waits', async () => {
    const { store, home } = await tempStore();
    const writer = await openStore(home);
    const watch = new StoreWatch(store, { pollMs: 20, files: [join(home, 'easytask.db-wal')] });
    try {
      const woke = watch.next();
      await writer.events.append({ key: 'a', type: 'task.created', time: 1, instance: 'default', data: {} });
      await woke;
      // A commit while nobody waits is remembered: the next wait returns at once.
      await writer.events.append({ key: 'b', type: 'task.created', time: 2, instance: 'default', data: {} });
      await new Promise((r) => setTimeout(r, 80));
      const t0 = performance.now();
      await watch.next(5000);
      expect(performance.now() - t0).toBeLessThan(50);
    } finally {
      await watch.close();
      await writer.close();
    }
  });

  it('returns after maxWaitMs when nothing changes, and at once once closed', async () => {
    const { store } = await tempStore();
    const watch = new StoreWatch(store, { pollMs: 20 });
    const t0 = performance.now();
    await watch.next(60);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    await watch.close();
    await watch.next();
  });

  it('polls and waits on the clock it is given', async () => {
    const { store, clock, home } = await tempStore();
    const writer = await openStore(home);
    const watch = new StoreWatch(store, { pollMs: 100, clock });
    try {
      let woke = false;
      void watch.next().then(() => (woke = true));
      await writer.events.append({ key: 'a', type: 'task.created', time: 1, instance: 'default', data: {} });
      await clock.advanceAsync(50);
      expect(woke).toBe(false); // the next look at the change token is due at 100 ms
      await clock.advanceAsync(50);
      expect(woke).toBe(true);
      let waited = false;
      void watch.next(1000).then(() => (waited = true));
      await clock.advanceAsync(999);
      expect(waited).toBe(false);
      await clock.advanceAsync(1);
      expect(waited).toBe(true);
    } finally {
      await watch.close();
      await writer.close();
    }
  });
});
