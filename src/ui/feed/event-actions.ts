// New events turned into view-model actions; definition events carry no body, so the current one is read.
import { isDefinitionEventType, type DefinitionEventType, type StoredEvent } from '../../core/events.js';
import type { Store } from '../../store/index.js';
import type { WatchAction } from '../model/types.js';
import { groupInfo, taskInfo } from './convert.js';
import { nextFireOfTask, type NextFire } from './snapshot.js';

const isDefinitionEvent = (e: StoredEvent): e is StoredEvent & { type: DefinitionEventType } => isDefinitionEventType(e.type);

async function definitionActions(store: Store, nextFire: NextFire, e: StoredEvent & { type: DefinitionEventType }): Promise<WatchAction[]> {
  const name = e.type.startsWith('task.') ? e.task : e.group;
  if (!name) return [];
  switch (e.type) {
    case 'task.deleted':
      return [{ type: 'removed', kind: 'task', instance: e.instance, name }];
    case 'group.deleted':
      return [{ type: 'removed', kind: 'group', instance: e.instance, name }];
    case 'task.created':
    case 'task.updated':
    case 'task.enabled':
    case 'task.disabled':
    case 'group.created':
    case 'group.updated':
    case 'group.enabled':
    case 'group.disabled': {
      const d = (await store.defs.byName(name, e.instance))?.definition;
      if (!d) return []; // deleted since; its own event follows
      if (d.kind === 'group') return [{ type: 'group', group: groupInfo(d.def) }];
      return [{ type: 'task', task: taskInfo(d.def) }, { type: 'next', instance: d.def.instance, task: d.def.name, at: nextFireOfTask(nextFire, d.def) ?? null }];
    }
  }
}

/** A new run means its slot came: the task's next fire moved on. */
async function nextAfterRun(store: Store, nextFire: NextFire, e: StoredEvent): Promise<WatchAction[]> {
  if (e.type !== 'run.created' || !e.task) return [];
  const d = (await store.defs.byName(e.task, e.instance))?.definition;
  if (d?.kind !== 'task') return [];
  return [{ type: 'next', instance: e.instance, task: e.task, at: nextFireOfTask(nextFire, d.def) ?? null }];
}

export async function actionsFor(store: Store, nextFire: NextFire, events: readonly StoredEvent[]): Promise<WatchAction[]> {
  const out: WatchAction[] = [];
  for (const e of events) {
    if (isDefinitionEvent(e)) out.push(...(await definitionActions(store, nextFire, e)));
    out.push({ type: 'event', event: e });
    out.push(...(await nextAfterRun(store, nextFire, e)));
  }
  return out;
}
