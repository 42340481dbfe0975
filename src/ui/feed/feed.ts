// Follows the store like a watch stream: one snapshot, then only new events, woken by PRAGMA data_version.
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/index.js';
import type { DaemonInfo, WatchAction } from '../model/types.js';
import { daemonInfo, sameDaemon } from './daemon-status.js';
import { actionsFor } from './event-actions.js';
import { loadSnapshot, type NextFireAt } from './snapshot.js';
import { loadToday, localDay } from './today.js';

export interface FeedOptions {
  store: Store;
  clock: Clock;
  nextFireAt: NextFireAt;
  /** Receives every change, in order. */
  dispatch: (action: WatchAction) => void;
  /** How often to look at data_version, ms (the one timer of the dashboard; default 50). */
  pollMs?: number;
  /** How often the clock and the daemon's heartbeat are refreshed, ms. */
  tickMs?: number;
  onError?: (err: Error) => void;
}

const PAGE = 2000;
/** data_version costs microseconds to read: poll often enough that a commit shows well inside 250 ms. */
const POLL_MS = 50;

export class Feed {
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = 0;
  private version = -1;
  private lastTick = -Infinity;
  private daemon: DaemonInfo | null = null;
  private dayEnd = 0;
  private readonly pollers = new Set<() => void>();

  constructor(private readonly o: FeedOptions) {}

  start(): void {
    const now = this.o.clock.now();
    this.version = this.o.store.dataVersion();
    const snap = loadSnapshot(this.o.store, now, this.o.nextFireAt(now));
    this.daemon = daemonInfo(this.o.store, now);
    this.lastSeq = snap.lastSeq;
    this.dayEnd = localDay(now).dayEnd;
    this.o.dispatch(snap.action);
    this.lastTick = this.o.clock.monotonic();
    this.timer = setInterval(() => this.poll(), this.o.pollMs ?? POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Run fn on every poll (log panes following a file); returns the unsubscribe. */
  onPoll(fn: () => void): () => void {
    this.pollers.add(fn);
    return () => this.pollers.delete(fn);
  }

  /** One wake-up: new events if another process committed, then the once-a-second tick. */
  poll(): void {
    try {
      const v = this.o.store.dataVersion();
      if (v !== this.version) {
        this.version = v;
        this.readEvents();
      }
      for (const fn of this.pollers) fn();
      if (this.o.clock.monotonic() - this.lastTick >= (this.o.tickMs ?? 1000)) this.tick();
    } catch (err) {
      this.o.onError?.(err as Error);
    }
  }

  private readEvents(): void {
    const nextFire = this.o.nextFireAt(this.o.clock.now());
    for (;;) {
      const events = this.o.store.events.list({ afterSeq: this.lastSeq, limit: PAGE });
      if (events.length === 0) return;
      this.lastSeq = events.at(-1)!.seq;
      this.o.dispatch({ type: 'batch', actions: actionsFor(this.o.store, nextFire, events) });
      if (events.length < PAGE) return;
    }
  }

  private tick(): void {
    this.lastTick = this.o.clock.monotonic();
    const now = this.o.clock.now();
    const actions: WatchAction[] = [{ type: 'tick', now }];
    const d = daemonInfo(this.o.store, now);
    if (!sameDaemon(this.daemon, d)) {
      actions.push({ type: 'daemon', daemon: d });
      this.daemon = d;
    }
    if (now >= this.dayEnd) {
      this.dayEnd = localDay(now).dayEnd;
      actions.push({ type: 'today', today: loadToday(this.o.store, now) });
    }
    this.o.dispatch({ type: 'batch', actions });
  }
}
