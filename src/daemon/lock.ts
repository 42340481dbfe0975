// One daemon per home: the daemon row names the owner; a live owner with a fresh heartbeat wins.
import { readFileSync, statfsSync } from 'node:fs';
import { systemClock, type Clock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { EasyTaskError } from '../core/errors.js';
import { sourceHost } from '../core/host.js';
import type { DaemonRow, Store } from '../store/index.js';
import type { Degraded, DegradedCause } from './store-health.js';

export type { DaemonRow };

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the pid belongs to a process that looks like ours (a reused pid is not). */
function looksLikeDaemon(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('easytask') && cmd.includes('daemon');
  } catch {
    return true; // no /proc: trust the pid check
  }
}

export function readDaemon(store: Store): Promise<DaemonRow | undefined> {
  return store.daemonLease.read();
}

/** A daemon row of another host is taken as live while its heartbeat is at most this old (its pid cannot be checked from here). */
export const REMOTE_LIVE_MS = 60_000;

/**
 * The lease row, when it names a daemon that is running: this process, a live process on this host
 * that looks like ours, or (the leader of a shared store on another host) one whose heartbeat is recent.
 */
export function liveOf(d: DaemonRow | undefined, now: number = systemClock.now()): DaemonRow | undefined {
  if (!d || d.stopped_at !== null) return undefined;
  if (d.host !== hostName()) return now - d.heartbeat_at <= REMOTE_LIVE_MS ? d : undefined;
  if (d.pid === process.pid) return d;
  return pidAlive(d.pid) && looksLikeDaemon(d.pid) ? d : undefined;
}

/** The running daemon for this home, if any. */
export async function liveDaemon(store: Store): Promise<DaemonRow | undefined> {
  return liveOf(await store.daemonLease.read());
}

/**
 * A live daemon whose heartbeat is older than this is not responding (hung, suspended or starved):
 * it beats every second and never puts a beat off past two intervals.
 */
export const NOT_RESPONDING_AFTER_MS = 10_000;

/** A heartbeat due this close before the loop wakes is written after that pass instead. */
export const BEAT_CLEAR_MS = 50;

/**
 * Whether a heartbeat due now is written now: not when the loop wakes within BEAT_CLEAR_MS (the
 * commit would delay the fires), unless the last one is two intervals old.
 */
export function beatNow(now: number, nextWakeAt: number | undefined, lastBeatAt: number): boolean {
  const ahead = nextWakeAt === undefined ? Infinity : nextWakeAt - now;
  return !(ahead >= 0 && ahead < BEAT_CLEAR_MS) || now - lastBeatAt >= 2 * DEFAULTS.heartbeatMs;
}

/** Whether a daemon row's heartbeat is recent enough at `now`. */
export const responding = (d: Pick<DaemonRow, 'heartbeat_at'>, now: number): boolean => now - d.heartbeat_at <= NOT_RESPONDING_AFTER_MS;

/** The host name the daemon serves as a queue and records on runs. */
export const hostName = sourceHost;

/** Take the home for this process, or fail naming the daemon that has it. Returns the previous row. */
export async function acquire(store: Store, clock: Clock, version: string): Promise<DaemonRow | undefined> {
  const r = await store.daemonLease.acquire({ pid: process.pid, host: hostName(), version }, clock.now(), (current) => {
    const live = liveOf(current);
    return live !== undefined && live.pid !== process.pid;
  });
  if (r.taken) return r.previous;
  const live = r.holder;
  throw new EasyTaskError('DAEMON_RUNNING', `a daemon is already running for this home (pid ${live.pid} on ${live.host}, started ${new Date(live.started_at).toISOString()})`, 1);
}

/** The heartbeat, with the daemon's degraded state (null: healthy). */
export function heartbeat(store: Store, clock: Clock, degraded: Degraded | null = null): Promise<void> {
  return store.daemonLease.beat(process.pid, clock.now(), degraded ? JSON.stringify(degraded) : null);
}

export function release(store: Store, clock: Clock): Promise<void> {
  return store.daemonLease.release(process.pid, clock.now());
}

/** A live daemon's degraded state as `status` and `watch` show it. */
export interface DegradedView {
  cause: DegradedCause;
  /** Epoch ms: the first failed write (or, when inferred, the last heartbeat the daemon could write). */
  since: number;
  code: string;
  message: string;
  /** True when read from the home's filesystem rather than from the daemon's own row (it could not write it). */
  inferred: boolean;
}

/** A heartbeat this old, on a filesystem this full, is taken for a daemon that cannot write (see degradedState). */
export const STALE_FOR_DISK_FULL_MS = 3 * DEFAULTS.heartbeatMs;
export const DISK_FULL_BELOW_BYTES = 1024 * 1024;

/** Bytes free on the filesystem holding `path` (for an unprivileged writer), or undefined when unknown. */
export function freeBytes(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Why a live daemon cannot write, if it cannot: the state its heartbeat row carries, or, when the
 * heartbeat itself has stopped (a full disk takes the heartbeat too) and the home's filesystem is
 * full, that. Undefined for a healthy (or stopped) daemon.
 */
export function degradedState(store: Store, live: DaemonRow | undefined, now: number): DegradedView | undefined {
  if (!live) return undefined;
  if (live.degraded) {
    try {
      const d = JSON.parse(live.degraded) as Degraded;
      return { cause: d.cause, since: d.since, code: d.code, message: d.message, inferred: false };
    } catch {
      // a row written by another version: fall through to what the filesystem says
    }
  }
  if (now - live.heartbeat_at <= STALE_FOR_DISK_FULL_MS) return undefined;
  const free = freeBytes(store.home);
  if (free === undefined || free >= DISK_FULL_BELOW_BYTES) return undefined;
  return {
    cause: 'disk_full', since: live.heartbeat_at, code: 'ENOSPC', inferred: true,
    message: `the home's filesystem has ${free} bytes free; the daemon has not written its heartbeat since`,
  };
}
