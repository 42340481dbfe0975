// Wakes a reader when another process commits to the store: the store's change token on a short
// interval, and a file watch on the WAL (and any other files) for a quicker wake-up.
import { watch, type FSWatcher } from 'chokidar';
import { every, systemClock, type Clock, type Timer } from '../core/clock.js';
import type { Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';

export interface StoreWatchOptions {
  pollMs?: number;
  /** Files whose changes also wake the reader (the WAL, an output file). */
  files?: string[];
  clock?: Clock;
}

export class StoreWatch {
  private token: number | undefined;
  private dirty = false;
  private closed = false;
  private polling = false;
  private waiters: (() => void)[] = [];
  private readonly timer: Timer;
  private readonly clock: Clock;
  private watcher: FSWatcher | undefined;

  constructor(
    private readonly store: Store,
    opts: StoreWatchOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    // Asked before the caller's first read, so a commit that lands while it reads still wakes it.
    this.polling = true;
    void store.changeToken().then(
      (t) => (this.token = t),
      () => undefined,
    ).finally(() => (this.polling = false));
    this.timer = every(this.clock, opts.pollMs ?? EVENT_DEFAULTS.followPollMs, () => void this.poll());
    if (opts.files?.length) {
      this.watcher = watch(opts.files, { ignoreInitial: true, persistent: false }).on('all', () => this.fire());
      this.watcher.on('error', () => undefined);
    }
  }

  /** Watch one more file (an output file that appeared later). */
  add(file: string): void {
    if (this.closed) return;
    if (this.watcher) this.watcher.add(file);
    else this.watcher = watch(file, { ignoreInitial: true, persistent: false }).on('all', () => this.fire()).on('error', () => undefined);
  }

  /** One look at the change token; a look still under way is not doubled. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const t = await this.store.changeToken();
      if (t === this.token) return;
      const first = this.token === undefined;
      this.token = t;
      if (!first) this.fire();
    } catch {
      // A busy or closing store: the next look tries again.
    } finally {
      this.polling = false;
    }
  }

  private fire(): void {
    this.dirty = true;
    const ws = this.waiters.splice(0);
    for (const w of ws) w();
  }

  /**
   * Resolves at the next change (at once if one came since the last call), when `maxWaitMs`
   * passes, or when closed. A change is never lost between two calls.
   */
  next(maxWaitMs?: number): Promise<void> {
    if (this.dirty || this.closed) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let t: Timer | undefined;
      const done = () => {
        t?.cancel();
        this.dirty = false;
        resolve();
      };
      this.waiters.push(done);
      if (maxWaitMs !== undefined) {
        t = this.clock.after(maxWaitMs, () => {
          this.waiters = this.waiters.filter((w) => w !== done);
          resolve();
        });
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer.cancel();
    this.fire();
    await this.watcher?.close();
  }
}
