// Run rows as the CLI shows them: ISO times, the slot in the task's own zone, --since parsing.
import { DateTime } from 'luxon';
import { EasyTaskError } from '../core/errors.js';
import type { RunState } from '../core/states.js';
import { machineZone } from '../definitions/apply.js';
import type { RunRow, Store } from '../store/index.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** "24h", "30m", "7d", "90s" or an ISO 8601 instant → epoch ms. */
export function parseSince(text: string, now: number): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (m) return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const t = DateTime.fromISO(text, { zone: 'utc' });
  if (t.isValid) return t.toMillis();
  throw new EasyTaskError('BAD_INPUT', `--since must be a duration like 24h, 30m, 7d or an ISO 8601 time, got "${text}"`, 2);
}

export interface RunView {
  id: number;
  task: string;
  task_id: number;
  instance: string;
  slot: string;
  business_date: string | null;
  origin: string;
  state: RunState;
  reason: string | null;
  attempt: number;
  max_attempts: number;
  exit_code: number | null;
  pid: number | null;
  host: string | null;
  started_at: string | null;
  ended_at: string | null;
  /** How long the last attempt's process ran, from its start to its end; null until the run has ended. */
  duration_ms: number | null;
  /** The last attempt's output that could not be written (disk full…): stream, path, code, message, bytes_lost; null when none. */
  output_error: { stream: string; path: string; code: string; message: string; bytes_lost: number }[] | null;
  /** The slot in the task's time zone, e.g. 2026-03-01 07:00:00 EST (runs only; absent from runView). */
  slot_local?: string;
  timezone?: string;
}

/** runView's duration: the last attempt's process run time, from the attempts table (see lastAttemptDurations). */
export function runView(r: RunRow, durationMs: number | null = null): RunView {
  return {
    id: r.id, task: r.task_name, task_id: r.task_id, instance: r.instance, slot: iso(r.slot)!, business_date: r.business_date,
    origin: r.origin, state: r.state, reason: r.reason, attempt: r.attempt, max_attempts: r.max_attempts, exit_code: r.exit_code,
    pid: r.pid, host: r.host, started_at: iso(r.started_at), ended_at: iso(r.ended_at),
    duration_ms: durationMs,
    output_error: r.output_error ? (JSON.parse(r.output_error) as RunView['output_error']) : null,
  };
}

/** `stdout not written in full: ENOSPC (no space left on device), 8 bytes lost` for each stream that lost output. */
export function outputErrorText(v: Pick<RunView, 'output_error'>): string[] {
  return (v.output_error ?? []).map((e) => `${e.stream} not written in full to ${e.path}: ${e.code} (${e.message}), ${e.bytes_lost} bytes lost`);
}

/** For each ended run, how long its last attempt's process ran (see RunStore.lastAttemptMs), keyed by run id. */
export async function lastAttemptDurations(store: Store, runs: readonly RunRow[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const r of runs) {
    const ms = await store.runs.lastAttemptMs(r);
    if (ms !== null) out.set(r.id, ms);
  }
  return out;
}

/** The time zone a run's task is scheduled in: its own, its group's, else the machine's. */
export function zoneResolver(store: Store): (r: RunRow) => Promise<string> {
  const cache = new Map<string, string>();
  const fallback = machineZone();
  return async (r) => {
    const k = `${r.instance}/${r.task_id}`;
    let zone = cache.get(k);
    if (zone === undefined) {
      const d = (await store.defs.byExtId('task', r.task_id, r.instance))?.definition;
      const group = d?.kind === 'task' && d.def.task_group ? (await store.defs.byName(d.def.task_group, r.instance))?.definition : undefined;
      zone = (d?.kind === 'task' ? d.def.timezone : undefined) ?? (group?.kind === 'group' ? group.def.timezone : undefined) ?? fallback;
      cache.set(k, zone);
    }
    return zone;
  };
}

export function withLocalSlot(r: RunRow, zone: string, durationMs: number | null = null): RunView {
  const local = DateTime.fromMillis(r.slot, { zone });
  return { ...runView(r, durationMs), slot_local: local.isValid ? local.toFormat('yyyy-MM-dd HH:mm:ss ZZZZ') : iso(r.slot)!, timezone: zone };
}

