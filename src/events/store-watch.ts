// Wakes a reader when another process commits to the store: PRAGMA data_version on a short
// interval, and a file watch on the WAL (and any other files) for a quicker wake-up.
import { watch, type FSWatcher } from 'chokidar';
import type { Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';

export interface StoreWatchOptions {
  pollMs?: number;
  /** Files whose changes also wake the reader (the WAL, an output file). */
  files?: string[];
}

export class StoreWatch {
  private version: number;
  private dirty = false;
  private closed = false;
  private waiters: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private watcher: FSWatcher | undefined;

  constructor(
    private readonly store: Store,
    opts: StoreWatchOptions = {},
  ) {
    this.version = store.dataVersion();
    this.timer = setInterval(() => this.poll(), opts.pollMs ?? EVENT_DEFAULTS.followPollMs);
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

  private poll(): void {
    const v = this.store.dataVersion();
    if (v === this.version) return;
    this.version = v;
    this.fire();
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
      let t: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(t);
        this.dirty = false;
        resolve();
      };
      this.waiters.push(done);
      if (maxWaitMs !== undefined) {
        t = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== done);
          resolve();
        }, maxWaitMs);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.fire();
    await this.watcher?.close();
  }
}
