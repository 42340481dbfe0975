// The one loop every reader of the event log runs (console lines, alerts, sinks, events -f, the
// dashboard): read a page after the cursor in seq order, hand it to the consumer, and move the
// cursor past it only once the consumer has handled it.
import type { StoredEvent } from '../core/events.js';
import type { EventQuery, Store } from '../store/index.js';
import type { EventCursor } from './cursor.js';

/** What a consumer did with a batch. */
export type Handled =
  | {
      ok: true;
      /** Work the batch started that must finish before the cursor may durably pass it (alerts in flight). */
      pending?: Promise<unknown>;
      /** Nothing in the batch needs a durable mark: the save may wait (a crash only reads it again). */
      lazy?: boolean;
    }
  | {
      ok: false;
      /** Why, as a code the consumer chooses (e.g. DELIVERY, CLOSED, ABORTED). */
      code: string;
      message: string;
    };

/** A reader of the event log: receives batches in seq order, each after the last it handled. */
export interface LogConsumer {
  /** Refusing (ok: false) leaves the cursor where it was: the same events come again next time. */
  handle(events: readonly StoredEvent[]): Promise<Handled>;
}

/** Which events the store hands over (the cursor moves past the others unseen). */
export type LogQuery = Omit<EventQuery, 'afterSeq' | 'limit'>;

export interface ReaderOptions {
  /** Events per batch. */
  page: number;
  query?: LogQuery;
  /** Where a cursor that was never saved starts: after the whole log ('end'), or before it ('start', the default). */
  fresh?: 'start' | 'end';
  /** A lazy batch's save waits until the cursor is this many seqs past the last save (0, the default: never waits). */
  lazySaveEvery?: number;
}

export type ReadResult =
  | { ok: true; events: number }
  /** STORE: the log could not be read; CONSUMER: handle() threw; else the consumer's own code. */
  | { ok: false; code: string; message: string; events: number };

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const settled = (p: Promise<unknown> | undefined): Promise<void> | undefined => p?.then(() => undefined, () => undefined);

export class LogReader {
  private pos: number | undefined;
  /** The seq last handed to the cursor to save. */
  private marked = 0;
  /** Saves run in order, each after the work its batch left pending. */
  private saving: Promise<void> = Promise.resolve();
  private running: Promise<ReadResult> | undefined;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly consumer: LogConsumer,
    private readonly cursor: EventCursor,
    private readonly opts: ReaderOptions,
  ) {}

  /** The last seq handled; undefined before open(). */
  get position(): number | undefined {
    return this.pos;
  }

  /** Take the saved place, or the fresh one (saved at once when it is the end of the log). Rejects when the store fails. */
  async open(): Promise<void> {
    const saved = await this.cursor.load();
    if (saved !== undefined) {
      this.pos = this.marked = saved;
      return;
    }
    const at = this.opts.fresh === 'end' ? await this.store.events.lastSeq() : 0;
    this.pos = this.marked = at;
    if (this.opts.fresh === 'end') await this.save(at);
  }

  /**
   * Hand over every event committed so far, page by page, until caught up, refused, or `signal`
   * aborts. A call while a read is under way joins it, and that read looks once more before it ends.
   */
  read(signal?: AbortSignal): Promise<ReadResult> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.loop(signal).finally(() => (this.running = undefined));
    this.running = run;
    return run;
  }

  /** Wait for a read under way and the saves pending, then save the place if it is behind. */
  async flush(): Promise<void> {
    await this.running;
    await this.saving;
    if (this.pos !== undefined && this.pos !== this.marked) {
      this.marked = this.pos;
      await this.save(this.pos);
    }
  }

  private async loop(signal: AbortSignal | undefined): Promise<ReadResult> {
    let events = 0;
    for (;;) {
      this.again = false;
      const r = await this.drain(signal);
      events += r.events;
      if (!r.ok) return { ...r, events };
      if (!this.again || signal?.aborted) return { ok: true, events };
    }
  }

  private async drain(signal: AbortSignal | undefined): Promise<ReadResult> {
    let events = 0;
    if (this.pos === undefined) {
      try {
        await this.open();
      } catch (err) {
        return { ok: false, code: 'STORE', message: messageOf(err), events };
      }
    }
    while (!signal?.aborted) {
      let batch: StoredEvent[];
      try {
        batch = await this.store.events.list({ ...this.opts.query, afterSeq: this.pos, limit: this.opts.page });
      } catch (err) {
        return { ok: false, code: 'STORE', message: messageOf(err), events };
      }
      if (batch.length === 0) break;
      let h: Handled;
      try {
        h = await this.consumer.handle(batch);
      } catch (err) {
        return { ok: false, code: 'CONSUMER', message: messageOf(err), events };
      }
      if (!h.ok) return { ok: false, code: h.code, message: h.message, events };
      this.pos = batch.at(-1)!.seq;
      events += batch.length;
      this.mark(this.pos, h);
      if (batch.length < this.opts.page) break;
    }
    return { ok: true, events };
  }

  /** Queue the save of `seq` behind the saves before it and the work the batch left pending. */
  private mark(seq: number, h: Extract<Handled, { ok: true }>): void {
    if (h.lazy && !h.pending && seq - this.marked < (this.opts.lazySaveEvery ?? 0)) return;
    this.marked = seq;
    const pending = settled(h.pending);
    this.saving = this.saving.then(() => pending).then(() => this.save(seq));
  }

  /** A failed save only leaves the durable place behind: the next one carries it; at worst events are handled again. */
  private async save(seq: number): Promise<void> {
    try {
      await this.cursor.save(seq);
    } catch {
      // see above
    }
  }
}
