// Throttles output progress reports so the daemon writes at most one run.output event per interval;
// the last report, made when the attempt ends, always carries the final counts.
import type { Clock, Timer } from '../core/clock.js';

export class ProgressThrottle {
  private last = Number.NEGATIVE_INFINITY;
  private timer: Timer | undefined;
  private stopped = false;
  /** Something changed since the last report. */
  private dirty = false;

  constructor(
    private readonly emit: () => void,
    private readonly intervalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Something changed: report now if the interval has passed, else once when it does. */
  poke(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.fireWhenDue();
  }

  // Timers may fire a little early against the monotonic clock, so check again when they do.
  private fireWhenDue(): void {
    const wait = this.last + this.intervalMs - this.clock.monotonic();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = this.clock.after(Math.ceil(wait), () => {
      this.timer = undefined;
      if (!this.stopped) this.fireWhenDue();
    });
  }

  /**
   * The output is complete: report what changed since the last report now (a chunk of stderr that
   * came just after the first stdout would otherwise never be reported), then stop.
   */
  flush(): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.dirty) this.fire();
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private fire(): void {
    if (this.stopped) return;
    this.last = this.clock.monotonic();
    this.dirty = false;
    this.emit();
  }
}
