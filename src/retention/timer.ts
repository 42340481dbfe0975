// The daemon's retention: once at start and then every hour, one pass at a time, the runs past a
// task's retain_runs / retain_failures and, with `daemon --retain-days N`, those older than N days.
import type { Clock, Timer } from '../core/clock.js';
import type { Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { formatBytes } from '../core/bytes.js';
import { prune, type PruneResult } from './prune.js';

export interface RetentionOptions {
  retainDays?: number;
  everyMs?: number;
  log?: (line: string) => void;
}

export class RetentionTimer {
  private timer: Timer | undefined;
  private pass: Promise<PruneResult | undefined> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: RetentionOptions,
  ) {}

  /** Once at start, then every everyMs; starting it again while it runs (every change) changes nothing. */
  start(): void {
    if (this.timer && !this.stopped) return;
    this.stopped = false;
    this.timer = this.clock.after(0, () => this.tick());
  }

  /** One pass now (also what the timer runs); resolves with what it removed, never rejects. */
  runOnce(): Promise<PruneResult | undefined> {
    const days = this.opts.retainDays;
    this.pass ??= prune(this.store, { olderThanMs: days === undefined ? undefined : days * 86_400_000, now: this.clock.now() })
      .then((r) => {
        if (r.runs + r.events + r.files > 0) {
          const why = [days === undefined ? '' : `older than ${days} day(s)`, r.by_count ? `${r.by_count} past retain_runs/retain_failures` : ''].filter(Boolean).join('; ');
          this.opts.log?.(`retention: removed ${r.runs} run(s), ${r.events} event(s), ${r.files} log file(s) (${formatBytes(r.log_bytes)}) ${why}`);
        }
        return r;
      })
      .catch((err: unknown) => {
        this.opts.log?.(`retention: prune failed: ${(err as Error).message}`);
        return undefined;
      })
      .finally(() => (this.pass = undefined));
    return this.pass;
  }

  private tick(): void {
    void this.runOnce().then(() => {
      if (!this.stopped) this.timer = this.clock.after(this.opts.everyMs ?? EVENT_DEFAULTS.retentionEveryMs, () => this.tick());
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.pass;
  }
}
