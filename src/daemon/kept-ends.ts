// Attempt ends the store refused (disk full, database locked): kept in memory and written as soon
// as it takes them, with backoff, for as long as the agent lives; at shutdown left to crash recovery.
import type { Clock, Timer } from '../core/clock.js';
import type { Settlement } from './attempt-verdict.js';
import { backoffMs } from './store-health.js';

/** A kept end is tried again after 1 s, then 2 s, 4 s, and every 5 s (and whenever the daemon sees the store back). */
const END_RETRY_MIN_MS = 1000;
const END_RETRY_MAX_MS = 5000;

export interface KeptEnd<E> {
  entry: E;
  how: Settlement;
  /** When the attempt ended (its first try to record it): the run's ended_at, however late it is written. */
  at: number;
  tries: number;
  timer?: Timer;
  /** A write of it is under way (a timer and the daemon may both try). */
  writing?: boolean;
}

export interface KeptEndsOptions<E> {
  clock: Clock;
  /** Write the end; rejects when the store still refuses it. */
  write(k: KeptEnd<E>): Promise<void>;
  /** The store refused a write (a fault is said once, by whoever watches the store's health). */
  refused(runId: number, err: unknown): void;
  /** It went through at last. */
  written(k: KeptEnd<E>): void;
}

export class KeptEnds<E extends { run: { id: number } }> {
  private readonly kept = new Map<number, KeptEnd<E>>();

  constructor(private readonly o: KeptEndsOptions<E>) {}

  get size(): number {
    return this.kept.size;
  }

  has(runId: number): boolean {
    return this.kept.has(runId);
  }

  /** Keep an end whose first write failed, and arm its retry. */
  keep(entry: E, how: Settlement): void {
    const k: KeptEnd<E> = { entry, how, at: this.o.clock.now(), tries: 1 };
    this.kept.set(entry.run.id, k);
    this.arm(k);
  }

  /** Try every kept end now; true when none is left. */
  async writeAll(): Promise<boolean> {
    for (const k of [...this.kept.values()]) await this.tryWrite(k);
    return this.kept.size === 0;
  }

  /** One last try at each; returns the entries the store still refused, dropped from the keep. */
  async release(): Promise<E[]> {
    const left: E[] = [];
    for (const k of [...this.kept.values()]) {
      if (await this.tryWrite(k)) continue;
      k.timer?.cancel();
      this.kept.delete(k.entry.run.id);
      left.push(k.entry);
    }
    return left;
  }

  private arm(k: KeptEnd<E>): void {
    k.timer?.cancel();
    k.timer = this.o.clock.after(backoffMs(k.tries, END_RETRY_MIN_MS, END_RETRY_MAX_MS), () => void this.tryWrite(k)).unref();
  }

  /** One more try; true when it is written (or no longer kept). */
  private async tryWrite(k: KeptEnd<E>): Promise<boolean> {
    k.timer?.cancel();
    k.timer = undefined;
    const id = k.entry.run.id;
    if (this.kept.get(id) !== k || k.writing) return this.kept.get(id) !== k;
    k.writing = true;
    try {
      await this.o.write(k);
    } catch (err) {
      k.writing = false;
      k.tries++;
      this.o.refused(id, err);
      this.arm(k);
      return false;
    }
    this.kept.delete(id);
    this.o.written(k);
    return true;
  }
}
