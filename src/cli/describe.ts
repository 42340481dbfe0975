// One summary per definition (state, schedule, next fire, last run), shared by list, show and watch.
import type { Definition } from '../core/task.js';
import type { RunRow, Store } from '../store/index.js';
import { queueServed, type Coverage } from '../daemon/queue-coverage.js';
import { delayOwner, randomDelayMs } from '../schedule/random-delay.js';

export interface DefinitionSummary {
  kind: 'task' | 'group';
  name: string;
  id: number;
  instance: string;
  state: 'ACTIVE' | 'IDLE';
  group: string | null;
  schedule: string;
  timezone: string | null;
  next: string | null;
  /** With random_delay (a standalone task or a group): the bound in seconds, and when the next slot's run is due. */
  random_delay?: number;
  next_due?: string | null;
  /** A task's run_on_host queue (null for a group). */
  queue: string | null;
  /** Whether an online agent serves the queue: null when unknown (no agent online at all, or a group). */
  queue_served: boolean | null;
  last_run: { id: number; state: string; slot: string; reason: string | null; exit_code: number | null } | null;
}

export function scheduleText(d: Definition): string {
  const def = d.def;
  if (d.kind === 'task' && d.def.task_group) return `in group ${d.def.task_group}${d.def.dependency ? ` after ${d.def.dependency}` : ''}`;
  const when = def.trigger_times ? `at ${def.trigger_times}` : def.run_frequency ? `every ${def.run_frequency}` : def.cron ? `cron ${def.cron}` : '';
  const days = def.ordinal_day ?? (def.day_of_week && def.day_of_week !== '1111111' ? `days ${def.day_of_week}` : '');
  const delay = def.random_delay ? `random delay up to ${def.random_delay}s` : '';
  return [when, days, def.calendar ? `except ${def.calendar}` : '', delay].filter(Boolean).join(', ');
}

/** A group's latest cycle, in the shape of a run. */
async function groupCycle(store: Store, name: string, instance: string) {
  const g = (await store.groupRuns.recent(name, instance, 1))[0];
  return g && { id: g.id, state: g.state as RunRow['state'], slot: g.slot, reason: g.reason as RunRow['reason'], exit_code: null };
}

export async function summarise(store: Store, d: Definition, nextFire?: (d: Definition) => number | undefined, coverage?: Coverage): Promise<DefinitionSummary> {
  const last: Pick<RunRow, 'id' | 'state' | 'slot' | 'reason' | 'exit_code'> | undefined =
    d.kind === 'task' ? await store.runs.latestForTask(d.def.name, d.def.instance) : await groupCycle(store, d.def.name, d.def.instance);
  const next = d.def.active && nextFire ? nextFire(d) : undefined;
  const delay = d.def.random_delay;
  const due = next === undefined ? null : new Date(next + randomDelayMs(delayOwner(d.def as { instance: string; name: string; task_group?: string }), next, delay)).toISOString();
  return {
    kind: d.kind,
    name: d.def.name,
    id: d.kind === 'task' ? d.def.tid : d.def.gid,
    instance: d.def.instance,
    state: d.def.active ? 'ACTIVE' : 'IDLE',
    group: d.kind === 'task' ? (d.def.task_group ?? null) : null,
    schedule: scheduleText(d),
    timezone: d.def.timezone ?? null,
    next: next === undefined ? null : new Date(next).toISOString(),
    ...(delay ? { random_delay: delay, next_due: due } : {}),
    queue: d.kind === 'task' ? d.def.run_on_host : null,
    queue_served: d.kind === 'task' && coverage ? queueServed(coverage, d.def.run_on_host) : null,
    last_run: last
      ? { id: last.id, state: last.state, slot: new Date(last.slot).toISOString(), reason: last.reason, exit_code: last.exit_code }
      : null,
  };
}
