// One daemon per home: the daemon row names the owner; a live owner with a fresh heartbeat wins.
import { sql } from '../store/statements.js';
import { readFileSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { EasyTaskError } from '../core/errors.js';
import { sourceHost } from '../events/host.js';
import type { Store } from '../store/index.js';

export interface DaemonRow {
  pid: number;
  host: string;
  version: string;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
}

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

export function readDaemon(store: Store): DaemonRow | undefined {
  return sql(store.db, 'SELECT * FROM daemon WHERE id = 1').get() as DaemonRow | undefined;
}

/** The running daemon for this home, if any. */
export function liveDaemon(store: Store): DaemonRow | undefined {
  const d = readDaemon(store);
  if (!d || d.stopped_at !== null) return undefined;
  if (d.pid === process.pid && d.host === hostName()) return d;
  return pidAlive(d.pid) && looksLikeDaemon(d.pid) ? d : undefined;
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
export function acquire(store: Store, clock: Clock, version: string): DaemonRow | undefined {
  return store.tx(() => {
    const prev = readDaemon(store);
    const live = liveDaemon(store);
    if (live && live.pid !== process.pid) {
      throw new EasyTaskError('DAEMON_RUNNING', `a daemon is already running for this home (pid ${live.pid} on ${live.host}, started ${new Date(live.started_at).toISOString()})`, 1);
    }
    const now = clock.now();
    sql(store.db, 
        `INSERT INTO daemon (id, pid, host, version, started_at, heartbeat_at, stopped_at) VALUES (1, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, version = excluded.version,
           started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL`,
      )
      .run(process.pid, hostName(), version, now, now);
    return prev;
  });
}

export function heartbeat(store: Store, clock: Clock): void {
  sql(store.db, 'UPDATE daemon SET heartbeat_at = ? WHERE id = 1 AND pid = ?').run(clock.now(), process.pid);
}

export function release(store: Store, clock: Clock): void {
  sql(store.db, 'UPDATE daemon SET stopped_at = ?, heartbeat_at = ? WHERE id = 1 AND pid = ?').run(clock.now(), clock.now(), process.pid);
}
