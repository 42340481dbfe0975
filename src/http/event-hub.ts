// One reader of the event log for the HTTP server: it feeds the metrics and every Server-Sent Events
// stream. It reads after each daemon pass (the daemon calls check()), and every POLL_MS while a
// stream is open, so a change committed by another process reaches the streams within that.
import { every, type Clock, type Timer } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import { MemoryCursor } from '../events/cursor.js';
import { LogReader, type Handled, type LogConsumer } from '../events/log-reader.js';
import type { Store } from '../store/index.js';
import type { DaemonMetrics } from './metrics.js';

const PAGE = 1000;
const POLL_MS = 50;

export type Subscriber = (events: readonly StoredEvent[]) => void;

export class EventHub implements LogConsumer {
  private readonly reader: LogReader;
  private readonly subscribers = new Set<Subscriber>();
  private poll: Timer | undefined;

  constructor(
    store: Store,
    private readonly clock: Clock,
    private readonly metrics: DaemonMetrics,
  ) {
    this.reader = new LogReader(store, this, new MemoryCursor(), { page: PAGE, fresh: 'end' });
  }

  /** Start after the last event committed, then count what the store holds (events in between may count twice, never go missing). */
  async start(): Promise<void> {
    await this.reader.open();
    await this.metrics.baseline();
  }

  /** Read what was committed since the last look; never rejects. */
  async check(): Promise<void> {
    await this.reader.read();
  }

  /** Receive every batch read from now on; returns the unsubscribe. */
  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn);
    this.poll ??= every(this.clock, POLL_MS, () => void this.check());
    return () => {
      this.subscribers.delete(fn);
      if (this.subscribers.size === 0) {
        this.poll?.cancel();
        this.poll = undefined;
      }
    };
  }

  get streams(): number {
    return this.subscribers.size;
  }

  stop(): void {
    this.poll?.cancel();
    this.poll = undefined;
  }

  handle(events: readonly StoredEvent[]): Promise<Handled> {
    this.metrics.observe(events);
    for (const s of this.subscribers) s(events);
    return Promise.resolve({ ok: true, lazy: true });
  }
}
