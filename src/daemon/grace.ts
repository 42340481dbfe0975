// The shutdown grace: how long running attempts get to finish, which a second signal cuts short.
import type { Clock } from '../core/clock.js';

export class Grace {
  private ended = false;
  private resolve: (() => void) | undefined;

  constructor(
    private readonly seconds: number,
    private readonly clock: Clock,
  ) {}

  /** The grace has run out or was cut short. */
  get over(): boolean {
    return this.ended;
  }

  /** Cut the grace short (a second signal), whether or not the wait has begun. False when it was over already. */
  end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.resolve?.();
    return true;
  }

  /** Resolves when the grace runs out or is cut short. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ended) return resolve();
      this.resolve = resolve;
      this.clock.after(this.seconds * 1000, () => this.end()).unref();
    });
  }
}
