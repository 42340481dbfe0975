// Whether the daemon is up, read from its lock row (heartbeat) and a pid check.
import { degradedState, liveOf, readDaemon } from '../../daemon/lock.js';
import { CAUSE_TEXT } from '../../daemon/store-health.js';
import type { Store } from '../../store/index.js';
import { queueCoverage } from '../../daemon/queue-coverage.js';
import { HEARTBEAT_STALE_MS, type DaemonInfo } from '../model/types.js';

/** Runs waiting in TRIGGER for queues no online agent serves (none while no agent is online: then nothing runs at all). */
async function unservedWaiting(store: Store): Promise<{ queue: string; runs: number }[]> {
  const c = await queueCoverage(store);
  if (!c.anyOnline) return [];
  const waiting = new Map<string, number>();
  for (const r of await store.runs.inStates(['TRIGGER'])) if (!c.served.has(r.queue)) waiting.set(r.queue, (waiting.get(r.queue) ?? 0) + 1);
  return [...waiting].sort(([a], [b]) => (a < b ? -1 : 1)).map(([queue, runs]) => ({ queue, runs }));
}

export async function daemonInfo(store: Store, now: number): Promise<DaemonInfo> {
  const row = await readDaemon(store);
  const live = liveOf(row, now);
  const d = degradedState(store, live, now);
  const unserved = await unservedWaiting(store);
  return {
    unserved,
    degraded: d ? { cause: d.cause, text: CAUSE_TEXT[d.cause], since: d.since, code: d.code } : null,
    stale: live !== undefined && now - live.heartbeat_at > HEARTBEAT_STALE_MS,
    up: live !== undefined,
    pid: live?.pid ?? row?.pid ?? null,
    host: row?.host ?? null,
    startedAt: live?.started_at ?? null,
    heartbeatAt: row?.heartbeat_at ?? null,
  };
}

/** Same as far as the screen goes: a fresh heartbeat moving on is no change; while stale, each one counts. */
export const sameDaemon = (a: DaemonInfo | null, b: DaemonInfo): boolean =>
  a !== null && a.up === b.up && a.pid === b.pid && a.startedAt === b.startedAt && a.stale === b.stale && a.degraded?.cause === b.degraded?.cause && a.degraded?.since === b.degraded?.since && JSON.stringify(a.unserved ?? []) === JSON.stringify(b.unserved ?? []) && (!b.stale || a.heartbeatAt === b.heartbeatAt);
