// Prints the event log oldest first and, when following, every event committed afterwards:
// resumed with --after the last seq it printed, a follower misses nothing and repeats nothing.
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import type { StoredEvent } from '../core/events.js';
import { STORE_FILE, type Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { MemoryCursor } from './cursor.js';
import { LogReader, type Handled, type LogConsumer } from './log-reader.js';
import { queryOf, type EventFilter } from './query.js';
import { StoreWatch } from './store-watch.js';

export interface FollowOptions {
  filter: EventFilter;
  afterSeq: number;
  follow: boolean;
  /** Print a page; false when the reader has gone. */
  write: (events: StoredEvent[]) => Promise<boolean>;
  pollMs?: number;
  clock?: Clock;
}

export class EventFollower implements LogConsumer {
  private stopped = false;
  private watch: StoreWatch | undefined;
  private readonly reader: LogReader;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly opts: FollowOptions,
  ) {
    this.reader = new LogReader(store, this, new MemoryCursor(opts.afterSeq), { page: EVENT_DEFAULTS.pageSize, query: queryOf(opts.filter) });
  }

  /** Print the backlog, then follow until stop(); resolves with the last seq examined. */
  async run(): Promise<number> {
    // Watch before the first read: a commit that lands while the backlog prints still wakes us.
    if (this.opts.follow) this.watch = new StoreWatch(this.store, { pollMs: this.opts.pollMs, clock: this.opts.clock, files: [join(this.store.home, `${STORE_FILE}-wal`)] });
    try {
      await this.drain();
      while (this.watch && !this.stopped) {
        // Woken by a commit; the periodic re-read only bounds a wake-up the watch might miss.
        await this.watch.next(EVENT_DEFAULTS.followRecheckMs);
        if (this.stopped) break;
        await this.drain();
      }
    } finally {
      await this.watch?.close();
    }
    return this.reader.position ?? this.opts.afterSeq;
  }

  /** The events of a page that pass the type filter, printed in one write. */
  async handle(events: readonly StoredEvent[]): Promise<Handled> {
    const shown = this.opts.filter.type ? events.filter((e) => this.opts.filter.type!(e.type)) : [...events];
    if (shown.length && !(await this.opts.write(shown))) {
      this.stop();
      return { ok: false, code: 'CLOSED', message: 'the reader has gone' };
    }
    return { ok: true };
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    void this.watch?.close();
  }

  private async drain(): Promise<void> {
    const r = await this.reader.read(this.abort.signal);
    if (!r.ok && r.code !== 'CLOSED') throw new EasyTaskError(r.code === 'STORE' ? 'STORE' : 'INTERNAL', r.message);
  }
}
