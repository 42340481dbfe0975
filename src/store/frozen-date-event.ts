// The task.frozen / task.unfrozen event a freeze or release of a business date writes in its unit,
// whether or not it held runs: who asked and the note stay on record (easytask show, events).
import type { NewEvent } from '../core/events.js';
import type { FrozenTask } from './contract.js';

export function frozenDateEvent(task: FrozenTask, date: string, on: boolean, runs: number, data: Record<string, string>, now: number): NewEvent {
  const type = on ? 'task.frozen' : 'task.unfrozen';
  return {
    key: `${type}:${task.instance}/${task.tid}:${date}:${now}`,
    type,
    time: now,
    instance: task.instance,
    task: task.name,
    task_id: task.tid,
    data: { date, runs, ...data },
  };
}
