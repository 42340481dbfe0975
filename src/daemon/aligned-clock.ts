// Time on a shared store: every host takes the database's clock as its wall clock, so a host whose
// own clock is minutes off still fires on time, stamps events in step with the others, and measures
// leases as the database does. Durations and timers stay on the host's monotonic clock.
import type { Clock, Timer } from '../core/clock.js';

export class AlignedClock implements Clock {
  private offset = 0;

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  monotonic(): number {
    return this.base.monotonic();
  }

  after(ms: number, fn: () => void): Timer {
    return this.base.after(ms, fn);
  }

  /** How far the host's clock is behind the reference (negative: ahead), ms. */
  get offsetMs(): number {
    return this.offset;
  }

  /** Measure the reference (the database's clock) and follow it from now on; half the round trip is allowed for. */
  async align(reference: () => Promise<number>): Promise<number> {
    const t0 = this.base.monotonic();
    const ref = await reference();
    const rtt = this.base.monotonic() - t0;
    this.offset = Math.round(ref + rtt / 2 - this.base.now());
    return this.offset;
  }
}
