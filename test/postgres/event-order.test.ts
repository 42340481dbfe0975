// The event log on PostgreSQL with several writers at once: a follower that reads `seq > cursor` sees
// every event exactly once and in order, although a sequence could commit out of order; event data
// keeps its key order as written.
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { NewEvent } from '../../src/core/events.js';
import type { Store } from '../../src/store/index.js';
import { PgStore } from '../../src/store/postgres/store.js';
import { tempHome } from '../helpers/home.js';
import { freshDatabase } from '../helpers/postgres.js';

const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function open(url: string): Promise<Store> {
  const s = await PgStore.open(url, tempHome(), new FakeClock(Date.UTC(2026, 2, 1, 12)));
  opened.push(s);
  return s;
}

const ev = (key: string, data: Record<string, unknown> = {}): NewEvent => ({ key, type: 'daemon.started', time: 1, instance: 'default', data });

it('keeps the key order of event data as written', async () => {
  const store = await open(await freshDatabase());
  await store.events.append(ev('order', { zeta: 1, alpha: 2, mid: { y: 1, b: 2 } }));
  const [e] = await store.events.list();
  expect(Object.keys(e!.data)).toEqual(['zeta', 'alpha', 'mid']);
  expect(Object.keys(e!.data.mid as object)).toEqual(['y', 'b']);
});

it('4 writers × 200 events in batches: a follower reading by seq sees each once, in order, none skipped', async () => {
  const url = await freshDatabase();
  const writers = await Promise.all([1, 2, 3, 4].map(() => open(url)));
  const follower = await open(url);
  let done = false;
  const seen: number[] = [];
  const follow = (async () => {
    let cursor = 0;
    for (;;) {
      const finished = done; // read once more after the writers are done
      const page = await follower.events.list({ afterSeq: cursor, limit: 50 });
      for (const e of page) seen.push(e.seq);
      if (page.length) cursor = page.at(-1)!.seq;
      else if (finished) return;
    }
  })();
  await Promise.all(
    writers.map(async (w, wi) => {
      for (let i = 0; i < 200; ) {
        const n = 1 + ((i * 7 + wi) % 5); // batches of 1 to 5 events, each batch one unit
        await w.events.appendAll(Array.from({ length: Math.min(n, 200 - i) }, (_, k) => ev(`w${wi}:${i + k}`)));
        i += n;
      }
    }),
  );
  done = true;
  await follow;
  const all = (await follower.events.list()).map((e) => e.seq);
  expect(all).toHaveLength(800);
  expect(seen).toEqual(all); // every event once, in seq order
  expect(new Set(seen).size).toBe(800);
});
