// easytask runs: run history with its filters.
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { systemClock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import { isRunState, type RunState } from '../../core/states.js';
import { machineZone } from '../../definitions/apply.js';
import { formatDuration } from '../../events/format.js';
import type { RunRow, Store } from '../../store/index.js';
import { action, intOption, out, printJson, table, withStore } from '../context.js';

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
  duration_ms: number | null;
  /** The slot in the task's time zone, e.g. 2026-03-01 07:00:00 EST (runs only; absent from runView). */
  slot_local?: string;
  timezone?: string;
}

export function runView(r: RunRow): RunView {
  return {
    id: r.id, task: r.task_name, task_id: r.task_id, instance: r.instance, slot: iso(r.slot)!, business_date: r.business_date,
    origin: r.origin, state: r.state, reason: r.reason, attempt: r.attempt, max_attempts: r.max_attempts, exit_code: r.exit_code,
    pid: r.pid, host: r.host, started_at: iso(r.started_at), ended_at: iso(r.ended_at),
    duration_ms: r.started_at !== null && r.ended_at !== null ? r.ended_at - r.started_at : null,
  };
}

/** The time zone a run's task is scheduled in: its own, its group's, else the machine's. */
function zoneResolver(store: Store): (r: RunRow) => string {
  const cache = new Map<string, string>();
  const fallback = machineZone();
  return (r) => {
    const k = `${r.instance}/${r.task_id}`;
    let zone = cache.get(k);
    if (zone === undefined) {
      const d = store.defs.byExtId('task', r.task_id, r.instance)?.definition;
      const group = d?.kind === 'task' && d.def.task_group ? store.defs.byName(d.def.task_group, r.instance)?.definition : undefined;
      zone = (d?.kind === 'task' ? d.def.timezone : undefined) ?? (group?.kind === 'group' ? group.def.timezone : undefined) ?? fallback;
      cache.set(k, zone);
    }
    return zone;
  };
}

function withLocalSlot(r: RunRow, zone: string): RunView {
  const local = DateTime.fromMillis(r.slot, { zone });
  return { ...runView(r), slot_local: local.isValid ? local.toFormat('yyyy-MM-dd HH:mm:ss ZZZZ') : iso(r.slot)!, timezone: zone };
}

export function registerRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('run history, newest first: task, slot, state, reason, attempts, exit code, duration, host')
    .option('--task <name>', 'only this task')
    .option('--state <state>', 'only runs in this state (e.g. FAILED)')
    .option('--since <when>', 'only slots since a duration ago (24h, 7d) or an ISO time')
    .option('-n, --limit <n>', 'at most this many runs', intOption('--limit', 1, 1_000_000), 50)
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, o: { task?: string; state?: string; since?: string; limit: number; json?: boolean }) {
      const state = o.state?.toUpperCase();
      if (state !== undefined && !isRunState(state)) throw new EasyTaskError('BAD_INPUT', `--state must be one of ACTIVE, TRIGGER, STARTED, RUNNING, RESTARTING, SUCCESS, FAILED, TERMINATED, REJECTED, FROZEN, SKIPPED; got "${o.state}"`, 2);
      const since = o.since === undefined ? undefined : parseSince(o.since, systemClock.now());
      const runs = await withStore(this, (store) => {
        const zoneOf = zoneResolver(store);
        return store.runs.list({ task: o.task, state: state as RunState | undefined, sinceSlot: since, limit: o.limit }).map((r) => withLocalSlot(r, zoneOf(r)));
      });
      if (o.json) return printJson(runs);
      if (runs.length === 0) return out('No runs match.');
      const dur = (ms: number | null) => (ms === null ? '-' : formatDuration(ms));
      out(table(['RUN', 'TASK', 'SLOT (UTC)', 'SLOT (LOCAL)', 'STATE', 'REASON', 'ATTEMPTS', 'EXIT', 'DURATION', 'HOST'],
        runs.map((r) => [String(r.id), r.task, r.slot.replace('T', ' ').replace('.000Z', 'Z'), r.slot_local ?? '-', r.state, r.reason ?? '-', `${r.attempt}/${r.max_attempts}`, r.exit_code === null ? '-' : String(r.exit_code), dur(r.duration_ms), r.host ?? '-'])));
    }));
}
