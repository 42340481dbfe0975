// Follows the store like a watch stream: one snapshot, then only new events read by seq, woken by
// the store's change token.
import { every, type Clock, type Timer } from '../../core/clock.js';
import type { StoredEvent } from '../../core/events.js';
import { MemoryCursor } from '../../events/cursor.js';
import { LogReader, type Handled, type LogConsumer } from '../../events/log-reader.js';
import type { Store } from '../../store/index.js';
import type { DaemonInfo, WatchAction } from '../model/types.js';
import { daemonInfo, sameDaemon } from './daemon-status.js';
import { actionsFor } from './event-actions.js';
import { loadSnapshot, type NextFire, type NextFireAt } from './snapshot.js';
import { loadToday, localDay } from './today.js';

export interface FeedOptions {
  store: Store;
  clock: Clock;
  nextFireAt: NextFireAt;
  /** Receives every change, in order. */
  dispatch: (action: WatchAction) => void;
  /** How often to look at the change token, ms (the one timer of the dashboard; default 50). */
  pollMs?: number;
  /** How often the clock and the daemon's heartbeat are refreshed, ms. */
  tickMs?: number;
  onError?: (err: Error) => void;
}

const PAGE = 2000;
/** The change token costs microseconds to read: poll often enough that a commit shows well inside 250 ms. */
const POLL_MS = 50;

export class Feed implements LogConsumer {
  private timer: Timer | undefined;
  private reader: LogReader | undefined;
  private token = -1;
  private lastTick = -Infinity;
  private daemon: DaemonInfo | null = null;
  private dayEnd = 0;
  private readonly pollers = new Set<() => void>();
  private polling: Promise<void> | undefined;
  private again = false;
  /** The next-fire function of the read under way, made when its first batch comes. */
  private nextFire: NextFire | undefined;

  constructor(private readonly o: FeedOptions) {}

  /** Dispatch the snapshot and start polling. Rejects when the store cannot be read. */
  async start(): Promise<void> {
    const now = this.o.clock.now();
    this.token = await this.o.store.changeToken();
    const snap = await loadSnapshot(this.o.store, now, await this.o.nextFireAt(now));
    this.reader = new LogReader(this.o.store, this, new MemoryCursor(snap.lastSeq), { page: PAGE });
    this.daemon = snap.daemon;
    this.dayEnd = localDay(now).dayEnd;
    this.o.dispatch(snap.action);
    this.lastTick = this.o.clock.monotonic();
    this.timer = every(this.o.clock, this.o.pollMs ?? POLL_MS, () => void this.poll());
  }

  /** Stop polling; resolves once a poll under way has finished. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    await this.polling;
  }

  /** Run fn on every poll (log panes following a file); returns the unsubscribe. */
  onPoll(fn: () => void): () => void {
    this.pollers.add(fn);
    return () => this.pollers.delete(fn);
  }

  /**
   * One wake-up: new events if another process committed, then the once-a-second tick. A call while
   * one is under way joins it, and it looks once more before it ends. Never rejects (onError).
   */
  poll(): Promise<void> {
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    const run = this.pollLoop().finally(() => (this.polling = undefined));
    this.polling = run;
    return run;
  }

  /** New events, as view-model actions in one batch. */
  async handle(events: readonly StoredEvent[]): Promise<Handled> {
    this.nextFire ??= await this.o.nextFireAt(this.o.clock.now());
    this.o.dispatch({ type: 'batch', actions: await actionsFor(this.o.store, this.nextFire, events) });
    return { ok: true };
  }

  private async pollLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pollOnce();
      } catch (err) {
        this.o.onError?.(err as Error);
      }
    } while (this.again);
  }

  private async pollOnce(): Promise<void> {
    const t = await this.o.store.changeToken();
    if (t !== this.token) await this.readEvents(t);
    for (const fn of this.pollers) fn();
    if (this.o.clock.monotonic() - this.lastTick >= (this.o.tickMs ?? 1000)) await this.tick();
  }

  /** Read what is new; the token is taken only once it is read, so a failed read is tried again on the next poll. */
  private async readEvents(token: number): Promise<void> {
    if (!this.reader) return;
    this.nextFire = undefined;
    const r = await this.reader.read();
    if (!r.ok) throw new Error(`reading new events: ${r.message} (${r.code})`);
    this.token = token;
  }

  private async tick(): Promise<void> {
    this.lastTick = this.o.clock.monotonic();
    const now = this.o.clock.now();
    const actions: WatchAction[] = [{ type: 'tick', now }];
    const d = await daemonInfo(this.o.store, now);
    if (!sameDaemon(this.daemon, d)) {
      actions.push({ type: 'daemon', daemon: d });
      this.daemon = d;
    }
    if (now >= this.dayEnd) {
      actions.push({ type: 'today', today: await loadToday(this.o.store, now) });
      this.dayEnd = localDay(now).dayEnd;
    }
    this.o.dispatch({ type: 'batch', actions });
  }
}
