import { describe, expect, it } from 'vitest';
import { every, FakeClock, sleep, systemClock } from '../../../src/core/clock.js';

describe('FakeClock timers', () => {
  it('runs timers in due order as advance() passes them, each at its own instant', () => {
    const clock = new FakeClock(1_000);
    const seen: string[] = [];
    clock.after(30, () => seen.push(`b@${clock.now()}`));
    clock.after(10, () => seen.push(`a@${clock.now()}`));
    clock.after(30, () => seen.push(`c@${clock.now()}`)); // same instant: in the order armed
    clock.advance(29);
    expect(seen).toEqual(['a@1010']);
    clock.advance(1);
    expect(seen).toEqual(['a@1010', 'b@1030', 'c@1030']);
    expect(clock.now()).toBe(1_030);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs a timer armed by a timer when it falls inside the same advance()', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    clock.after(10, () => {
      seen.push(clock.now());
      clock.after(10, () => seen.push(clock.now()));
    });
    clock.advance(25);
    expect(seen).toEqual([10, 20]);
    expect(clock.now()).toBe(25);
  });

  it('cancel() keeps a timer from running; nextTimerIn() says what is due next', () => {
    const clock = new FakeClock(0);
    let ran = false;
    const t = clock.after(50, () => (ran = true));
    clock.after(80, () => undefined);
    expect(clock.nextTimerIn()).toBe(50);
    t.cancel();
    expect(clock.nextTimerIn()).toBe(80);
    clock.advance(100);
    expect(ran).toBe(false);
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('set() jumps the wall clock alone: timers are monotonic', () => {
    const clock = new FakeClock(0);
    let ran = false;
    clock.after(100, () => (ran = true));
    clock.set(10_000_000);
    expect(ran).toBe(false);
    clock.advance(100);
    expect(ran).toBe(true);
  });

  it('every() repeats until cancelled', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    const t = every(clock, 1_000, () => seen.push(clock.now()));
    clock.advance(3_500);
    t.cancel();
    clock.advance(5_000);
    expect(seen).toEqual([1_000, 2_000, 3_000]);
  });
});

describe('sleep', () => {
  it('resolves true once the fake time has passed', async () => {
    const clock = new FakeClock(0);
    let done: boolean | undefined;
    void sleep(clock, 1_000).then((v) => (done = v));
    await clock.advanceAsync(999);
    expect(done).toBeUndefined();
    await clock.advanceAsync(1);
    expect(done).toBe(true);
  });

  it('resolves false at once when aborted, and leaves no timer behind', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const slept = sleep(clock, 10_000, ac.signal);
    expect(clock.pendingTimers).toBe(1);
    ac.abort();
    expect(await slept).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    expect(await sleep(clock, 10_000, ac.signal)).toBe(false); // already aborted
  });

  it('a loop of sleeps is driven by advanceAsync as by real time', async () => {
    const clock = new FakeClock(0);
    const woke: number[] = [];
    const ac = new AbortController();
    const loop = (async () => {
      while (await sleep(clock, 250, ac.signal)) woke.push(clock.now());
    })();
    await clock.advanceAsync(1_000);
    ac.abort();
    await loop;
    expect(woke).toEqual([250, 500, 750, 1_000]);
  });

  it('works on the system clock too', async () => {
    const ac = new AbortController();
    const slept = sleep(systemClock, 60_000, ac.signal);
    ac.abort();
    expect(await slept).toBe(false);
    expect(await sleep(systemClock, 1)).toBe(true);
  });
});
