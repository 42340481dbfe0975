import { describe, expect, it } from 'vitest';
import { daemonSegs } from '../../../src/ui/components/Header.js';
import { HEARTBEAT_STALE_MS, type DaemonInfo } from '../../../src/ui/model/types.js';

const T0 = Date.UTC(2026, 11, 3, 12);
/** The daemon row as the feed reports it `age` ms after its last heartbeat. */
const daemon = (age: number): DaemonInfo => ({ up: true, pid: 4321, host: 'box', startedAt: T0 - 600_000, heartbeatAt: T0 - age, stale: age > HEARTBEAT_STALE_MS });
const text = (age: number) => daemonSegs(daemon(age), T0).map((s) => s.text).join('');
const firstColor = (age: number) => daemonSegs(daemon(age), T0)[0]!.color;

describe('the header names the daemon the way easytask status does', () => {
  it('up with a fresh heartbeat, late from 5 s, not responding past 10 s', () => {
    expect(text(2000)).toBe('● daemon up pid 4321 · up 10m · heartbeat < 5s ago');
    expect(firstColor(2000)).toBe('green');
    expect(text(7000)).toBe('● daemon up pid 4321 · up 10m · heartbeat 7s ago');
    expect(firstColor(7000)).toBe('yellow');
    expect(text(10_000)).toBe('● daemon up pid 4321 · up 10m · heartbeat 10s ago');
    expect(text(12_000)).toBe('● daemon not responding pid 4321 · up 10m · heartbeat 12s ago');
    expect(firstColor(12_000)).toBe('red');
  });
});
