// The one reader loop of the event log, its cursors, and the console-lines consumer, against a real store.
import { describe, expect, it } from 'vitest';
import type { EventType, StoredEvent } from '../../../src/core/events.js';
import { ConsoleLines } from '../../../src/events/console-lines.js';
import { DurableCursor, MemoryCursor } from '../../../src/events/cursor.js';
import { LogReader, type Handled, type LogConsumer } from '../../../src/events/log-reader.js';
import { sinkCodec, parseSinkState, writeSinkState } from '../../../src/events/sink-state.js';
import type { Store } from '../../../src/store/index.js';
import { tempStore } from '../../helpers/home.js';

async function append(store: Store, from: number, to: number, type: (i: number) => EventType = () => 'task.updated'): Promise<void> {
  for (let i = from; i <= to; i++) await store.events.append({ key: `e${i}`, type: type(i), time: i, instance: 'default', task: 'a', run_id: i, data: { i } });
}

/** A consumer that records what it got and answers with what the test queues (ok by default). */
class Recorder implements LogConsumer {
  readonly batches: number[][] = [];
  readonly answers: Handled[] = [];
  handle(events: readonly StoredEvent[]): Promise<Handled> {
    this.batches.push(events.map((e) => e.seq));
    return Promise.resolve(this.answers.shift() ?? { ok: true });
  }
  get seqs(): number[] {
    return this.batches.flat();
  }
}

describe('LogReader', () => {
  it('hands over batches in seq order after the cursor, and moves it only past what was handled', async () => {
    const { store } = await tempStore();
    await append(store, 1, 7);
    const c = new Recorder();
    const cursor = new MemoryCursor(2);
    const reader = new LogReader(store, c, cursor, { page: 3 });
    c.answers.push({ ok: true }, { ok: false, code: 'DELIVERY', message: 'HTTP 503' });
    expect(await reader.read()).toEqual({ ok: false, code: 'DELIVERY', message: 'HTTP 503', events: 3 });
    expect(c.batches).toEqual([[3, 4, 5], [6, 7]]);
    expect(reader.position).toBe(5);
    expect(await reader.read()).toEqual({ ok: true, events: 2 }); // the refused batch again, whole
    expect(c.batches.at(-1)).toEqual([6, 7]);
    await reader.flush();
    expect(await cursor.load()).toBe(7);
    expect(await reader.read()).toEqual({ ok: true, events: 0 });
  });

  it('reads only the types asked for; the cursor moves past the rest unseen', async () => {
    const { store } = await tempStore();
    await append(store, 1, 10, (i) => (i % 4 === 0 ? 'run.failed' : 'run.output'));
    const c = new Recorder();
    const reader = new LogReader(store, c, new MemoryCursor(), { page: 100, query: { types: ['run.failed'] } });
    await reader.read();
    expect(c.seqs).toEqual([4, 8]);
    expect(reader.position).toBe(8);
  });

  it('a read asked for while one is under way joins it: nothing is handed over twice, nothing is missed', async () => {
    const { store } = await tempStore();
    await append(store, 1, 3);
    const seen: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow: LogConsumer = {
      handle: async (events) => {
        seen.push(...events.map((e) => e.seq));
        await gate;
        return { ok: true };
      },
    };
    const reader = new LogReader(store, slow, new MemoryCursor(), { page: 10 });
    const first = reader.read();
    await new Promise((r) => setImmediate(r));
    await append(store, 4, 5);
    const second = reader.read();
    release();
    expect(await first).toEqual({ ok: true, events: 5 });
    expect(await second).toEqual({ ok: true, events: 5 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('stops between pages when the signal aborts', async () => {
    const { store } = await tempStore();
    await append(store, 1, 6);
    const abort = new AbortController();
    const c = new Recorder();
    const reader = new LogReader(store, { handle: (events) => (abort.abort(), c.handle(events)) }, new MemoryCursor(), { page: 2 });
    expect(await reader.read(abort.signal)).toEqual({ ok: true, events: 2 });
    expect(c.seqs).toEqual([1, 2]);
  });

  it('gives a store failure as data with a code', async () => {
    const broken = { events: { list: () => Promise.reject(new Error('database is locked')), lastSeq: () => Promise.resolve(0) } } as unknown as Store;
    const reader = new LogReader(broken, new Recorder(), new MemoryCursor(0), { page: 10 });
    expect(await reader.read()).toEqual({ ok: false, code: 'STORE', message: 'database is locked', events: 0 });
  });

  it('a durable cursor starts a fresh reader at the end of the log (saved at once) and resumes a saved one', async () => {
    const { store } = await tempStore();
    await append(store, 1, 4);
    const c = new Recorder();
    const first = new LogReader(store, c, new DurableCursor(store, 'alerts:cursor'), { page: 10, fresh: 'end' });
    await first.open();
    expect(await store.cursors.get('alerts:cursor')).toBe('4');
    await append(store, 5, 6);
    await first.read();
    await first.flush();
    expect(c.seqs).toEqual([5, 6]);
    await append(store, 7, 7);
    const again = new Recorder();
    await new LogReader(store, again, new DurableCursor(store, 'alerts:cursor'), { page: 10, fresh: 'end' }).read();
    expect(again.seqs).toEqual([7]);
  });

  it('saves after the work a batch left pending, in order; a lazy batch waits for the next save or flush', async () => {
    const { store } = await tempStore();
    await append(store, 1, 5);
    const cursor = new DurableCursor(store, 'k');
    let finish: () => void = () => undefined;
    const work = new Promise<void>((r) => (finish = r));
    const answers: Handled[] = [{ ok: true, pending: work }, { ok: true, lazy: true }, { ok: true, lazy: true }];
    const reader = new LogReader(store, { handle: () => Promise.resolve(answers.shift()!) }, cursor, { page: 2, lazySaveEvery: 100 });
    await reader.read();
    expect(reader.position).toBe(5);
    await new Promise((r) => setImmediate(r));
    expect(await cursor.load()).toBeUndefined(); // the first batch's work is still running
    finish();
    await new Promise((r) => setImmediate(r));
    expect(await cursor.load()).toBe(2); // the lazy batches after it wait
    await reader.flush();
    expect(await cursor.load()).toBe(5);
  });

  it("reads a sink's cursor inside its state record, and writes the record back whole", async () => {
    const { store } = await tempStore();
    await writeSinkState(store, 'http://x/hook', { cursor: 3, delivered: 3, last_ok_at: 1, last_error: null, last_error_at: null, failures: 0 });
    const state = { cursor: 3, delivered: 9, last_ok_at: 2, last_error: null, last_error_at: null, failures: 0 };
    const cursor = new DurableCursor(store, 'sink:http://x/hook', sinkCodec(() => state));
    expect(await cursor.load()).toBe(3);
    await cursor.save(8);
    expect(parseSinkState(await store.cursors.get('sink:http://x/hook'))).toEqual({ ...state, cursor: 8 });
  });
});

describe('ConsoleLines', () => {
  it('prints what was committed after it started, run.output aside, one write per page', async () => {
    const { store } = await tempStore();
    await append(store, 1, 2);
    const writes: string[] = [];
    const lines = new ConsoleLines(store, (text) => writes.push(text));
    await lines.start();
    await lines.check();
    expect(writes).toEqual([]);
    await append(store, 3, 1205, (i) => (i % 2 ? 'run.output' : 'task.updated'));
    await lines.check();
    expect(writes).toHaveLength(2); // 1203 events: a page of 1000, then the rest
    const all = writes.flatMap((w) => w.split('\n'));
    expect(all).toHaveLength(601);
    expect(all[0]).toMatch(/^#4 \S+ task\.updated task a run 4 i 4$/);
    expect(all.every((l) => !l.includes('run.output'))).toBe(true);
  });
});
