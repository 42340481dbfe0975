import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../src/store/index.js';
import { StoreWatch } from '../../../src/events/store-watch.js';
import { tempStore } from '../../helpers/home.js';

describe('StoreWatch', () => {
  it('wakes when another connection commits, and keeps a change that came between two waits', async () => {
    const { store, home } = tempStore();
    const writer = Store.open(home);
    const watch = new StoreWatch(store, { pollMs: 20, files: [join(home, 'easytask.db-wal')] });
    try {
      const woke = watch.next();
      writer.events.append({ key: 'a', type: 'task.created', time: 1, instance: 'default', data: {} });
      await woke;
      // A commit while nobody waits is remembered: the next wait returns at once.
      writer.events.append({ key: 'b', type: 'task.created', time: 2, instance: 'default', data: {} });
      await new Promise((r) => setTimeout(r, 80));
      const t0 = performance.now();
      await watch.next(5000);
      expect(performance.now() - t0).toBeLessThan(50);
    } finally {
      await watch.close();
      writer.close();
    }
  });

  it('returns after maxWaitMs when nothing changes, and at once once closed', async () => {
    const { store } = tempStore();
    const watch = new StoreWatch(store, { pollMs: 20 });
    const t0 = performance.now();
    await watch.next(60);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    await watch.close();
    await watch.next();
  });
});
