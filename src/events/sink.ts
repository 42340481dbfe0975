// `daemon --sink URL`: POSTs every event as CloudEvents, in seq order, from a durable cursor; at least
// once, surviving restarts and a receiver that is down, on its own timers so the daemon never waits.
import type { Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import type { Store } from '../store/index.js';
import { toCloudEvent } from './cloudevents.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { sourceHost } from './host.js';
import { backoffMs, post, type FetchLike, type PostResult } from './http.js';
import { readSinkState, writeSinkState, type SinkState } from './sink-state.js';

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

export class SinkDelivery {
  private state: SinkState;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeSleep: (() => void) | undefined;
  private wanted = false;
  private inflight: AbortController | undefined;
  private readonly host: string;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: SinkOptions,
  ) {
    this.state = readSinkState(store, opts.url);
    this.host = opts.host ?? sourceHost();
  }

  /** The last seq the receiver acknowledged. */
  get cursor(): number {
    return this.state.cursor;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.state = readSinkState(this.store, this.opts.url);
    this.loop = this.run();
  }

  /** New events were committed: deliver them now instead of at the next idle poll. */
  notify(): void {
    this.wanted = true;
    this.wakeSleep?.();
  }

  /** Stop after aborting any request in flight (its events are sent again next time). */
  async stop(): Promise<void> {
    this.running = false;
    this.inflight?.abort();
    this.wakeSleep?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.step();
      } catch (err) {
        // The store was busy or failed: never let it escape into the daemon; try again later.
        await this.sleep(this.failed({ ok: false, error: `store: ${(err as Error).message}` }), false);
      }
    }
  }

  private async step(): Promise<void> {
    const events = this.store.events.list({ afterSeq: this.state.cursor, limit: Math.max(1, this.opts.batch ?? EVENT_DEFAULTS.sinkBatch) });
    if (events.length === 0) return this.sleep(this.opts.idlePollMs ?? EVENT_DEFAULTS.sinkIdlePollMs, true);
    const result = await this.deliver(events);
    if (!this.running) return;
    if (result.ok) this.acknowledged(events);
    else await this.sleep(this.failed(result), false);
  }

  private deliver(events: StoredEvent[]): Promise<PostResult> {
    const batch = (this.opts.batch ?? EVENT_DEFAULTS.sinkBatch) > 1;
    const ces = events.map((e) => toCloudEvent(e, this.host));
    this.inflight = new AbortController();
    return post({
      url: this.opts.url,
      body: JSON.stringify(batch ? ces : ces[0]),
      contentType: batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
      secret: this.opts.secret,
      timeoutMs: this.opts.timeoutMs ?? EVENT_DEFAULTS.sinkTimeoutMs,
      fetchImpl: this.opts.fetchImpl,
      signal: this.inflight.signal,
    }).finally(() => (this.inflight = undefined));
  }

  private acknowledged(events: StoredEvent[]): void {
    if (this.state.failures > 0) this.opts.log?.(`sink ${this.opts.url}: delivering again after ${this.state.failures} failed attempt(s)`);
    this.state = { ...this.state, cursor: events.at(-1)!.seq, delivered: this.state.delivered + events.length, last_ok_at: this.clock.now(), failures: 0 };
    this.save();
    this.opts.onAck?.(this.state.cursor);
  }

  /** Record the failure; returns how long to wait before trying again. */
  private failed(result: Extract<PostResult, { ok: false }>): number {
    const failures = this.state.failures + 1;
    const delay = backoffMs(failures, this.opts.minBackoffMs ?? EVENT_DEFAULTS.sinkMinBackoffMs, this.opts.maxBackoffMs ?? EVENT_DEFAULTS.sinkMaxBackoffMs);
    if (failures === 1) this.opts.log?.(`sink ${this.opts.url}: delivery failed (${result.error}); retrying with backoff up to ${this.opts.maxBackoffMs ?? EVENT_DEFAULTS.sinkMaxBackoffMs} ms`);
    this.state = { ...this.state, failures, last_error: result.error, last_error_at: this.clock.now() };
    this.save();
    return delay;
  }

  private save(): void {
    try {
      writeSinkState(this.store, this.opts.url, this.state);
    } catch (err) {
      // A busy store only delays the cursor: the next save carries it; at worst events are resent.
      this.opts.log?.(`sink ${this.opts.url}: cannot save its cursor: ${(err as Error).message}`);
    }
  }

  /** Wait `ms`; notify() cuts an idle wait short, stop() cuts any wait short. */
  private sleep(ms: number, idle: boolean): Promise<void> {
    if (idle && this.wanted) {
      this.wanted = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeSleep = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeSleep = () => {
        if (!idle && this.running) return;
        this.wanted = false;
        finish();
      };
    });
  }
}
