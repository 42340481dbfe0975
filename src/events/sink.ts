// `daemon --sink URL`: POSTs every event as CloudEvents, in seq order, from a durable cursor; at least
// once, surviving restarts and a receiver that is down, on its own timers so the daemon never waits.
import { sleep, type Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import type { Store } from '../store/index.js';
import { toCloudEvent } from './cloudevents.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { sourceHost } from '../core/host.js';
import { DurableCursor, type EventCursor } from './cursor.js';
import { backoffMs, post, type FetchLike, type PostResult } from './http.js';
import { LogReader, type Handled, type LogConsumer, type ReadResult } from './log-reader.js';
import { readSinkState, sinkCodec, sinkKey, writeSinkState, type SinkState } from './sink-state.js';

export interface SinkOptions {
  url: string;
  /** Adds X-EasyTask-Signature: sha256=<hex HMAC of the body>. */
  secret?: string;
  /** Events per POST; 1 (default) sends application/cloudevents+json, more sends a JSON array batch. */
  batch?: number;
  fetchImpl?: FetchLike;
  timeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  idlePollMs?: number;
  host?: string;
  /** One line when deliveries start failing and one when they recover. */
  log?: (line: string) => void;
  /** Called after the receiver acknowledged everything up to `cursor` and it was saved. */
  onAck?: (cursor: number) => void;
}

export class SinkDelivery implements LogConsumer {
  /** The counters `status` shows; `cursor` follows what the receiver acknowledged. */
  private state: SinkState = { cursor: 0, delivered: 0, last_ok_at: null, last_error: null, last_error_at: null, failures: 0 };
  private loaded = false;
  private readonly reader: LogReader;
  private loop: Promise<void> | undefined;
  /** Aborts every wait and the request in flight. */
  private stopping: AbortController | undefined;
  /** Cuts the idle wait short (notify). */
  private wake: AbortController | undefined;
  private wanted = false;
  private readonly host: string;
  private readonly batch: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: SinkOptions,
  ) {
    this.host = opts.host ?? sourceHost();
    this.batch = Math.max(1, opts.batch ?? EVENT_DEFAULTS.sinkBatch);
    const durable = new DurableCursor(store, sinkKey(opts.url), sinkCodec(() => this.state));
    const cursor: EventCursor = { load: () => durable.load(), save: (seq) => this.saveCursor(durable, seq) };
    this.reader = new LogReader(store, this, cursor, { page: this.batch });
  }

  /** The last seq the receiver acknowledged. */
  get cursor(): number {
    return this.reader.position ?? this.state.cursor;
  }

  start(): void {
    if (this.stopping && !this.stopping.signal.aborted) return;
    this.stopping = new AbortController();
    this.loop = this.run(this.stopping.signal);
  }

  /** New events were committed: deliver them now instead of at the next idle poll. */
  notify(): void {
    this.wanted = true;
    this.wake?.abort();
  }

  /** Stop after aborting any request in flight (its events are sent again next time). */
  async stop(): Promise<void> {
    this.stopping?.abort();
    this.wake?.abort();
    await this.loop;
    await this.reader.flush();
  }

  /** One POST per batch; a refusal leaves the cursor where it was. */
  async handle(events: readonly StoredEvent[]): Promise<Handled> {
    const result = await this.deliver(events);
    if (!result.ok) return { ok: false, code: this.stopping?.signal.aborted ? 'ABORTED' : 'DELIVERY', message: result.error };
    if (this.state.failures > 0) this.opts.log?.(`sink ${this.opts.url}: delivering again after ${this.state.failures} failed attempt(s)`);
    this.state = { ...this.state, cursor: events.at(-1)!.seq, delivered: this.state.delivered + events.length, last_ok_at: this.clock.now(), failures: 0 };
    return { ok: true };
  }

  private async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const r = await this.pass(stop);
      if (stop.aborted) return;
      if (r.ok) await this.idle(stop);
      // The receiver or the store failed: never let it escape into the daemon; try again later.
      else await sleep(this.clock, await this.failed(r.code === 'DELIVERY' ? r.message : `store: ${r.message}`), stop);
    }
  }

  private async pass(stop: AbortSignal): Promise<ReadResult> {
    if (!this.loaded) {
      try {
        this.state = await readSinkState(this.store, this.opts.url);
        this.loaded = true;
      } catch (err) {
        return { ok: false, code: 'STORE', message: (err as Error).message, events: 0 };
      }
    }
    return this.reader.read(stop);
  }

  private deliver(events: readonly StoredEvent[]): Promise<PostResult> {
    const ces = events.map((e) => toCloudEvent(e, this.host));
    const batch = this.batch > 1;
    return post({
      url: this.opts.url,
      body: JSON.stringify(batch ? ces : ces[0]),
      contentType: batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
      secret: this.opts.secret,
      timeoutMs: this.opts.timeoutMs ?? EVENT_DEFAULTS.sinkTimeoutMs,
      fetchImpl: this.opts.fetchImpl,
      signal: this.stopping?.signal,
    });
  }

  /** Record the failure; returns how long to wait before trying again. */
  private async failed(error: string): Promise<number> {
    const failures = this.state.failures + 1;
    const max = this.opts.maxBackoffMs ?? EVENT_DEFAULTS.sinkMaxBackoffMs;
    if (failures === 1) this.opts.log?.(`sink ${this.opts.url}: delivery failed (${error}); retrying with backoff up to ${max} ms`);
    this.state = { ...this.state, cursor: this.cursor, failures, last_error: error, last_error_at: this.clock.now() };
    try {
      await writeSinkState(this.store, this.opts.url, this.state);
    } catch (err) {
      this.opts.log?.(`sink ${this.opts.url}: cannot save its state: ${(err as Error).message}`);
    }
    return backoffMs(failures, this.opts.minBackoffMs ?? EVENT_DEFAULTS.sinkMinBackoffMs, max);
  }

  private async saveCursor(durable: DurableCursor, seq: number): Promise<void> {
    try {
      await durable.save(seq);
    } catch (err) {
      // A busy store only delays the cursor: the next save carries it; at worst events are resent.
      this.opts.log?.(`sink ${this.opts.url}: cannot save its cursor: ${(err as Error).message}`);
    }
    this.opts.onAck?.(seq);
  }

  /** Wait for new events: notify() cuts the wait short, stop() too. */
  private async idle(stop: AbortSignal): Promise<void> {
    if (this.wanted || stop.aborted) {
      this.wanted = false;
      return;
    }
    const wake = (this.wake = new AbortController());
    await sleep(this.clock, this.opts.idlePollMs ?? EVENT_DEFAULTS.sinkIdlePollMs, wake.signal);
    this.wake = undefined;
    this.wanted = false;
  }
}
