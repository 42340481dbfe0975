// The store's current state as one batch of view-model actions: definitions, latest runs, today, the event tail.
import type { Definition, TaskDef } from '../../core/task.js';
import { TAIL_MAX, type DaemonInfo, type WatchAction } from '../model/types.js';
import type { Store } from '../../store/index.js';
import { groupInfo, runInfo, taskInfo } from './convert.js';
import { daemonInfo } from './daemon-status.js';
import { loadToday } from './today.js';

export type NextFire = (d: Definition) => number | undefined;
/** The schedule engine's next fire after `now` (cli/next-fire's nextFireOf). */
export type NextFireAt = (now: number) => NextFire | Promise<NextFire>;

export interface Snapshot {
  action: WatchAction;
  lastSeq: number;
  daemon: DaemonInfo;
}

/** The next fire of an active task (members follow their group's schedule); none when it cannot be worked out. */
export function nextFireOfTask(nextFire: NextFire, t: TaskDef): number | undefined {
  if (!t.active) return undefined;
  try {
    return nextFire({ kind: 'task', def: t });
  } catch {
    return undefined; // a broken calendar or schedule is reported by list/validate; the row just shows no next fire
  }
}

/** Definitions in insertion order (groups first so members land under them), each with its latest run and next fire. */
async function definitionActions(store: Store, nextFire: NextFire): Promise<WatchAction[]> {
  const defs = (await store.defs.all()).sort((a, b) => (a.definition.kind === b.definition.kind ? a.id - b.id : a.definition.kind === 'group' ? -1 : 1));
  const tasks = defs.flatMap(({ definition: d }) => (d.kind === 'task' ? [d.def] : []));
  // One read for every task's latest run: a thousand tasks must not cost a thousand round trips.
  const latest = await store.runs.latestOfTasks(tasks.map((t) => ({ task: t.name, instance: t.instance })));
  const latestOf = new Map(tasks.map((t, i) => [t, latest[i]]));
  const out: WatchAction[] = [];
  for (const { definition: d } of defs) {
    if (d.kind === 'group') {
      out.push({ type: 'group', group: groupInfo(d.def) });
      continue;
    }
    const t = d.def;
    out.push({ type: 'task', task: taskInfo(t) });
    const last = latestOf.get(t);
    if (last) out.push({ type: 'run', instance: t.instance, task: t.name, run: runInfo(last.run, last.attemptStartedAt) });
    const at = nextFireOfTask(nextFire, t);
    if (at !== undefined) out.push({ type: 'next', instance: t.instance, task: t.name, at });
  }
  return out;
}

/**
 * The seq is read first: whatever the rest reflects of later commits, the events after that seq
 * bring it about again in order, so the view ends where the log does.
 */
export async function loadSnapshot(store: Store, now: number, nextFire: NextFire): Promise<Snapshot> {
  const lastSeq = await store.events.lastSeq();
  const [events, definitions, today, daemon] = await Promise.all([
    store.events.list({ afterSeq: Math.max(0, lastSeq - TAIL_MAX * 4) }),
    definitionActions(store, nextFire),
    loadToday(store, now),
    daemonInfo(store, now),
  ]);
  const recent = events.filter((e) => e.seq <= lastSeq && e.type !== 'run.output').slice(-TAIL_MAX);
  const actions: WatchAction[] = [...definitions, { type: 'today', today }, { type: 'daemon', daemon }, { type: 'tick', now }];
  return { action: { type: 'batch', actions: [...actions, { type: 'tail', events: recent, lastSeq }] }, lastSeq, daemon };
}
