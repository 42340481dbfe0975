// The daemon's heartbeat: a commit every second, steered away from fire instants, carrying the
// degraded state, and tried on the store-health backoff while the store refuses writes.
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/index.js';
import { beatNow, heartbeat } from './lock.js';
import type { Degraded, StoreHealth } from './store-health.js';

export class Heartbeat {
  /** A beat was put off for a pass: write it with that pass's report. */
  owed = false;
  private lastAt: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly health: StoreHealth,
    /** When the loop wakes next (a beat just before it would delay the pass). */
    private readonly nextWakeAt: () => number | undefined,
  ) {
    this.lastAt = clock.now();
  }

  /**
   * The heartbeat is a commit. One that falls just before a fire instant would delay the pass (and
   * on a busy store, wait for it): then it is written with that pass's report, a few tens of
   * milliseconds later. It is never put off past two intervals.
   */
  /** True when the beat was written (not put off, not backing off). */
  async beat(): Promise<boolean> {
    const now = this.clock.now();
    if (!beatNow(now, this.nextWakeAt(), this.lastAt)) {
      this.owed = true;
      return false;
    }
    // While the store refuses writes, the heartbeat is tried on the backoff's schedule, not every second.
    if (this.health.waitUntil(now) !== undefined) return false;
    this.owed = false;
    this.lastAt = now;
    try {
      await heartbeat(this.store, this.clock, this.health.degraded ?? null);
    } catch (err) {
      if (this.health.failed('writing the heartbeat', err)) return false;
      throw err;
    }
    this.health.ok();
    return true;
  }

  /** The store began refusing writes: say so in the row now if it can be written (else the first beat it takes does). */
  async degraded(d: Degraded): Promise<void> {
    try {
      await heartbeat(this.store, this.clock, d);
    } catch {
      // written by the first heartbeat the store takes
    }
  }
}
