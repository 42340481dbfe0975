// The daemon's store health: which errors are store faults, the backoff, and one line per state change.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { backoffMs, classifyStoreError, RECOVERED_AFTER_MS, StoreHealth, type Degraded } from '../../../src/daemon/store-health.js';

const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
const locked = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('store health', () => {
  it('classifies a full disk, a locked store, and leaves other errors alone', () => {
    expect(classifyStoreError(full)).toMatchObject({ cause: 'disk_full', code: 'SQLITE_FULL' });
    expect(classifyStoreError(Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' }))).toMatchObject({ cause: 'disk_full', code: 'ENOSPC' });
    expect(classifyStoreError(locked)).toMatchObject({ cause: 'database_locked' });
    expect(classifyStoreError(new Error('database is locked'))).toMatchObject({ cause: 'database_locked', code: 'SQLITE_BUSY' });
    expect(classifyStoreError(new Error('run 3 moved meanwhile'))).toBeUndefined();
  });

  it('backs off 250 ms doubling to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffMs(n))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('logs once when the fault begins and once when it ends, however many writes fail', () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 1, 12));
    const lines: string[] = [];
    const began: Degraded[] = [];
    const ended: Degraded[] = [];
    const h = new StoreHealth(clock, { log: (l) => lines.push(l), onDegraded: (d) => began.push(d), onRecovered: (d) => ended.push(d) });
    const start = clock.now();
    let tries = 0;
    // 60 s of a pass that fails each time its backoff is over (and of writes failing in between).
    while (clock.now() - start < 60_000) {
      const wait = h.waitUntil();
      if (wait === undefined) {
        expect(h.failed('recording the slots due', full)).toBe(true);
        tries++;
      } else {
        expect(h.failed('writing the heartbeat', full)).toBe(true); // inside the window: not a second failure
      }
      clock.advance(50);
    }
    expect(tries).toBeLessThan(20); // 250 + 500 + … then every 5 s: not 60 000 / 50
    expect(lines).toEqual(['degraded: disk full (SQLITE_FULL: database or disk is full) while recording the slots due; the daemon retries with backoff up to 5s and says when the store takes writes again']);
    expect(began).toEqual([{ cause: 'disk_full', since: start, code: 'SQLITE_FULL', message: 'database or disk is full', while: 'recording the slots due' }]);
    expect(h.degraded?.cause).toBe('disk_full');
    // A write that slips through right after a failure is not a recovery yet.
    h.failed('recording the slots due', full);
    clock.advance(RECOVERED_AFTER_MS - 1);
    h.ok();
    expect(h.degraded).toBeDefined();
    expect(h.waitUntil()).toBeUndefined(); // but the pass need not wait any more
    clock.advance(1);
    h.ok();
    expect(h.degraded).toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^recovered: the store takes writes again after \d+(\.\d)?s \(disk full\)$/);
    expect(ended).toHaveLength(1);
    h.ok();
    expect(lines).toHaveLength(2);
  });

  it('says so again when the cause changes, keeping when it began', () => {
    const clock = new FakeClock(1_000_000);
    const lines: string[] = [];
    const h = new StoreHealth(clock, { log: (l) => lines.push(l) });
    h.failed('a', full);
    clock.advance(10_000);
    h.failed('b', locked);
    expect(lines).toHaveLength(2);
    expect(h.degraded).toMatchObject({ cause: 'database_locked', since: 1_000_000 });
    expect(h.failed('c', new Error('a bug'))).toBe(false);
  });
});
