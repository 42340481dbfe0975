// The task definition behind a run, with the zone it fires in: read once per change of the definitions,
// since runs look their task up on every step of the loop.
import type { TaskDef } from '../core/task.js';
import type { RunRow, Store } from '../store/index.js';

export type TaskOfRun = { task: TaskDef; timezone: string };

export class TaskLookup {
  private readonly tasks = new Map<string, TaskOfRun | undefined>();

  constructor(
    private readonly store: Store,
    /** The zone of a task that names none and whose group names none. */
    private readonly machineZone: string,
  ) {}

  /** The task's zone: its own, else its group's, else the machine's. */
  zoneOf(task: TaskDef): string {
    if (task.timezone) return task.timezone;
    if (task.task_group) {
      const g = this.store.defs.byName(task.task_group, task.instance)?.definition;
      if (g?.kind === 'group') return g.def.timezone;
    }
    return this.machineZone;
  }

  /** The run's task as now defined (undefined once deleted). */
  taskOf(run: RunRow): TaskOfRun | undefined {
    const key = `${run.instance}/${run.task_id}`;
    if (this.tasks.has(key)) return this.tasks.get(key);
    const d = this.store.defs.byExtId('task', run.task_id, run.instance)?.definition;
    const found = d?.kind === 'task' ? { task: d.def, timezone: this.zoneOf(d.def) } : undefined;
    this.tasks.set(key, found);
    return found;
  }

  /** The definitions changed: forget what was read. */
  clear(): void {
    this.tasks.clear();
  }
}
