// Prints the event log oldest first and, when following, every event committed afterwards:
// resumed with --after the last seq it printed, a follower misses nothing and repeats nothing.
import { join } from 'node:path';
import type { StoredEvent } from '../core/events.js';
import { STORE_FILE, type Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { forEachPage, type EventFilter } from './query.js';
import { StoreWatch } from './store-watch.js';

export interface FollowOptions {
  filter: EventFilter;
  afterSeq: number;
  follow: boolean;
  /** Print a page; false when the reader has gone. */
  write: (events: StoredEvent[]) => Promise<boolean>;
  pollMs?: number;
}

export class EventFollower {
  private stopped = false;
  private watch: StoreWatch | undefined;

  constructor(
    private readonly store: Store,
    private readonly opts: FollowOptions,
  ) {}

  /** Print the backlog, then follow until stop(); resolves with the last seq examined. */
  async run(): Promise<number> {
    // Watch before the first read: a commit that lands while the backlog prints still wakes us.
    if (this.opts.follow) this.watch = new StoreWatch(this.store, { pollMs: this.opts.pollMs, files: [join(this.store.home, `${STORE_FILE}-wal`)] });
    let after = await this.drain(this.opts.afterSeq);
    if (!this.watch || this.stopped) {
      await this.watch?.close();
      return after;
    }
    try {
      while (!this.stopped) {
        // Woken by a commit; the periodic re-read only bounds a wake-up the watch might miss.
        await this.watch.next(EVENT_DEFAULTS.followRecheckMs);
        if (this.stopped) break;
        after = await this.drain(after);
      }
    } finally {
      await this.watch.close();
    }
    return after;
  }

  private drain(after: number): Promise<number> {
    return forEachPage(this.store, this.opts.filter, after, async (events) => {
      const ok = await this.opts.write(events);
      if (!ok) this.stopped = true;
      return ok && !this.stopped;
    });
  }

  stop(): void {
    this.stopped = true;
    void this.watch?.close();
  }
}
