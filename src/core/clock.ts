// Time enters the program here and only here, so tests can drive it with a fake clock.

export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, for durations only. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A clock that only moves when told to; for tests and simulations. */
export class FakeClock implements Clock {
  private mono = 0;
  constructor(private wall: number) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  /** Move both clocks forward. */
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** Jump the wall clock only (a manual clock change or a suspend). */
  set(wall: number): void {
    this.wall = wall;
  }
}
