import { createHmac } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { EventType } from '../../src/core/events.js';
import { SIGNATURE_HEADER } from '../../src/events/http.js';
import { SinkDelivery, type SinkOptions } from '../../src/events/sink.js';
import { readSinkState } from '../../src/events/sink-state.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempStore } from '../helpers/home.js';
import { Receiver, type Received } from '../unit/events/helpers/receiver.js';

const TYPES: EventType[] = ['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.output', 'run.failed', 'task.updated', 'daemon.started'];
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function appendEvents(store: Store, from: number, to: number): Promise<void> {
  const events = Array.from({ length: to - from + 1 }, (_, k) => from + k).map((i) => ({
    key: `e${i}`, type: TYPES[i % TYPES.length]!, time: 1_770_000_000_000 + i, instance: 'default', task: 'job', run_id: i, attempt: 1, data: { i },
  }));
  await store.events.appendAll(events);
}

async function receiver(opts: ConstructorParameters<typeof Receiver>[0]): Promise<Receiver> {
  const r = await new Receiver(opts).start();
  cleanup.push(() => r.close());
  return r;
}

type TestSink = SinkDelivery & {
  /** Resolves once the receiver acknowledged `seq`, moving the sink's clock on meanwhile. */
  acked: (seq: number) => Promise<void>;
  /** Move the sink's clock on (its backoff and idle waits) while real I/O proceeds, until `p` settles. */
  drive: <T>(p: Promise<T>) => Promise<T>;
};

/** A sink with short delays on its own fake clock, whose acknowledgements a test can await. */
function sink(store: Store, url: string, extra: Partial<SinkOptions> = {}): TestSink {
  const clock = new FakeClock(1_770_000_000_000);
  const waiters: { seq: number; resolve: () => void }[] = [];
  const onAck = (cursor: number) => {
    for (const w of waiters.filter((x) => x.seq <= cursor)) w.resolve();
  };
  const s = new SinkDelivery(store, clock, { url, minBackoffMs: 5, maxBackoffMs: 40, idlePollMs: 30, host: 'test-host', onAck, ...extra }) as TestSink;
  s.drive = async (p) => {
    let done = false;
    const out = p.finally(() => (done = true));
    while (!done) {
      await clock.advanceAsync(5);
      await new Promise((r) => setTimeout(r, 2));
    }
    return out;
  };
  s.acked = (seq) => s.drive(s.cursor >= seq ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ seq, resolve })));
  cleanup.push(() => s.stop());
  return s;
}

/** The CloudEvents ids carried by a request, single or batch. */
function idsOf(r: Received): number[] {
  const body = JSON.parse(r.body) as { id: string } | { id: string }[];
  return (Array.isArray(body) ? body : [body]).map((e) => Number(e.id));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const acceptedIds = (rx: Receiver) => rx.accepted.flatMap(idsOf);

describe('SinkDelivery', () => {
  it('delivers every event in order despite refusals and a restart, each signed, as valid CloudEvents', async () => {
    const { store, home } = await tempStore();
    await appendEvents(store, 1, 20);
    const rx = await receiver({ refuse: 3 });
    const first = sink(store, rx.url, { secret: 'topsecret' });
    first.start();
    await first.acked(20);
    await first.stop();
    expect(await readSinkState(store, rx.url)).toMatchObject({ cursor: 20, delivered: 20, failures: 0, last_error: 'HTTP 503 Service Unavailable' });

    // The daemon restarts: a new connection, more events meanwhile, and the receiver down again.
    await appendEvents(store, 21, 35);
    rx.refuseNext(2);
    const reopened = await openStore(home, new FakeClock(1_770_000_100_000));
    cleanup.push(() => reopened.close());
    const second = sink(reopened, rx.url, { secret: 'topsecret' });
    second.start();
    await appendEvents(reopened, 36, 40);
    second.notify();
    await second.acked(40);
    await second.stop();

    expect(acceptedIds(rx)).toEqual(range(1, 40));
    // The refused requests were retries of the event that was then accepted.
    expect(rx.requests.filter((r) => r.status !== 200).flatMap(idsOf)).toEqual([1, 1, 1, 21, 21]);
    for (const r of rx.requests) {
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(r.headers[SIGNATURE_HEADER.toLowerCase()]).toBe('sha256=' + createHmac('sha256', 'topsecret').update(r.body).digest('hex'));
      const ce = HTTP.toEvent({ headers: r.headers, body: r.body }) as CloudEvent;
      expect(ce.validate()).toBe(true);
      expect(ce.source).toBe('easytask://test-host/default');
    }
  });

  it('batches as application/cloudevents-batch+json, in order, without gaps', async () => {
    const { store } = await tempStore();
    await appendEvents(store, 1, 30);
    const rx = await receiver({ refuse: 1 });
    const s = sink(store, rx.url, { batch: 7 });
    s.start();
    await s.acked(30);
    await s.stop();
    expect(rx.accepted.map((r) => idsOf(r).length)).toEqual([7, 7, 7, 7, 2]);
    expect(acceptedIds(rx)).toEqual(range(1, 30));
    for (const r of rx.accepted) {
      expect(r.headers['content-type']).toBe('application/cloudevents-batch+json');
      expect(r.headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
      const ces = HTTP.toEvent({ headers: r.headers, body: r.body }) as CloudEvent[];
      expect(ces.every((c) => c.validate() && c.type.startsWith('io.easytask.'))).toBe(true);
    }
  });

  it('stops promptly while a request hangs, and resends only that unacknowledged event next time', async () => {
    const { store } = await tempStore();
    await appendEvents(store, 1, 3);
    const rx = await receiver({ hang: true });
    const s = sink(store, rx.url, { timeoutMs: 60_000 });
    s.start();
    await rx.until(() => rx.requests.length === 1);
    // The caller is never blocked: the store stays writable while the request hangs.
    await appendEvents(store, 4, 5);
    const t0 = performance.now();
    await s.stop();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect((await readSinkState(store, rx.url)).cursor).toBe(0);

    rx.setHang(false);
    const again = sink(store, rx.url);
    again.start();
    await again.acked(5);
    expect(rx.requests.filter((r) => r.status === 0).flatMap(idsOf)).toEqual([1]);
    expect(acceptedIds(rx)).toEqual(range(1, 5));
  });

  it('records failures durably while the receiver is down, then catches up', async () => {
    const { store } = await tempStore();
    await appendEvents(store, 1, 2);
    const rx = await receiver({ refuse: 4 });
    const s = sink(store, rx.url);
    s.start();
    await s.drive(rx.until(() => rx.requests.length >= 3));
    const down = await readSinkState(store, rx.url);
    expect(down.failures).toBeGreaterThanOrEqual(2);
    expect(down.cursor).toBe(0);
    expect(down.last_error).toBe('HTTP 503 Service Unavailable');
    await s.acked(2);
    await s.stop();
    expect(await readSinkState(store, rx.url)).toMatchObject({ cursor: 2, failures: 0, delivered: 2 });
  });

  it('looks for new events every idlePollMs on its clock, and at once when notified', async () => {
    const { store } = await tempStore();
    const rx = await receiver({});
    const clock = new FakeClock(1_770_000_000_000);
    const s = new SinkDelivery(store, clock, { url: rx.url, idlePollMs: 1000, host: 'test-host' });
    cleanup.push(() => s.stop());
    s.start();
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1)); // caught up: the idle wait
    await appendEvents(store, 1, 1);
    await clock.advanceAsync(999);
    await new Promise((r) => setTimeout(r, 50));
    expect(rx.requests).toHaveLength(0);
    await clock.advanceAsync(1);
    await rx.until(() => rx.accepted.length === 1);
    await vi.waitFor(() => expect(clock.pendingTimers).toBe(1));
    await appendEvents(store, 2, 2);
    s.notify();
    await rx.until(() => rx.accepted.length === 2);
    expect(acceptedIds(rx)).toEqual([1, 2]);
  });
});
