// Time enters the program here and only here, so tests can drive it with a fake clock: the
// instant, durations, and every wait (timers and sleeps) alike.

/** A pending call made by Clock.after(). */
export interface Timer {
  /** Never call it (a no-op once it ran). */
  cancel(): void;
  /** Let the process exit while it is pending (a real timer only). */
  unref(): Timer;
}

export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds, for durations only. */
  monotonic(): number;
  /** Call `fn` once, `ms` monotonic milliseconds from now. */
  after(ms: number, fn: () => void): Timer;
}

/**
 * Wait `ms` on `clock`. Resolves true when the time passed, false at once when `signal` aborts
 * (before or during the wait): every wait can be cut short, e.g. by shutdown.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Call `fn` every `ms` until the returned timer is cancelled. */
export function every(clock: Clock, ms: number, fn: () => void): Timer {
  let current: Timer;
  let unref = false;
  let cancelled = false;
  const arm = (): void => {
    current = clock.after(ms, () => {
      if (cancelled) return;
      arm();
      fn();
    });
    if (unref) current.unref();
  };
  arm();
  const handle: Timer = {
    cancel: () => {
      cancelled = true;
      current.cancel();
    },
    unref: () => {
      unref = true;
      current.unref();
      return handle;
    },
  };
  return handle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, Math.max(0, ms));
    const handle: Timer = {
      cancel: () => clearTimeout(t),
      unref: () => {
        t.unref();
        return handle;
      },
    };
    return handle;
  },
};

interface Pending {
  at: number;
  order: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to; for tests and simulations. Its timers run in due order
 * as advance() passes their instant, each seeing the clock at that instant.
 */
export class FakeClock implements Clock {
  private mono = 0;
  private queue: Pending[] = [];
  private order = 0;
  constructor(private wall: number) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  after(ms: number, fn: () => void): Timer {
    const entry: Pending = { at: this.mono + Math.max(0, ms), order: this.order++, fn };
    this.queue.push(entry);
    const handle: Timer = {
      cancel: () => {
        this.queue = this.queue.filter((p) => p !== entry);
      },
      unref: () => handle,
    };
    return handle;
  }
  /** Timers not yet run. */
  get pendingTimers(): number {
    return this.queue.length;
  }
  /** Milliseconds until the next timer is due, or undefined with none pending. */
  nextTimerIn(): number | undefined {
    const next = this.nextDue();
    return next === undefined ? undefined : next.at - this.mono;
  }
  /** Move both clocks forward, running every timer that falls due on the way (and those they arm). */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (let next = this.nextDue(); next !== undefined && next.at <= end; next = this.nextDue()) {
      this.queue = this.queue.filter((p) => p !== next);
      this.move(next.at - this.mono);
      next.fn();
    }
    this.move(end - this.mono);
  }
  /**
   * advance() that lets promise callbacks run after each timer, so code that awaits a sleep and
   * then arms the next one is driven as it would be by real time.
   */
  async advanceAsync(ms: number): Promise<void> {
    const end = this.mono + ms;
    await settle();
    for (let next = this.nextDue(); next !== undefined && next.at <= end; next = this.nextDue()) {
      this.queue = this.queue.filter((p) => p !== next);
      this.move(next.at - this.mono);
      next.fn();
      await settle();
    }
    this.move(end - this.mono);
    await settle();
  }
  /** Jump the wall clock only (a manual clock change or a suspend); timers are monotonic and stay. */
  set(wall: number): void {
    this.wall = wall;
  }
  private move(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  private nextDue(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.queue) if (!best || p.at < best.at || (p.at === best.at && p.order < best.order)) best = p;
    return best;
  }
}

/** Let pending promise callbacks (and what they chain) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
