// The definitions as the daemon last read them: read once per definition change (a task.* or
// group.* event), so the loop looks up tasks, zones and group members without asking the store.
import type { GroupDef, TaskDef } from '../core/task.js';
import type { RunRow, Store, StoredDefinition } from '../store/index.js';

export type TaskOfRun = { task: TaskDef; timezone: string };

const key = (instance: string, id: string | number) => `${instance}/${id}`;

export class DefinitionCache {
  private stored: readonly StoredDefinition[] = [];
  private readonly tasks = new Map<string, TaskOfRun>();
  private readonly groupsByName = new Map<string, GroupDef>();
  private readonly groupsById = new Map<string, GroupDef>();
  private readonly members = new Map<string, TaskDef[]>();

  constructor(
    private readonly store: Store,
    /** The zone of a task that names none and whose group names none. */
    private readonly machineZone: string,
  ) {}

  /** Read every definition again. */
  async load(): Promise<void> {
    const all = await this.store.defs.all();
    this.stored = all;
    this.tasks.clear();
    this.groupsByName.clear();
    this.groupsById.clear();
    this.members.clear();
    for (const s of all) {
      const d = s.definition;
      if (d.kind !== 'group') continue;
      this.groupsByName.set(key(d.def.instance, d.def.name), d.def);
      this.groupsById.set(key(d.def.instance, d.def.gid), d.def);
    }
    for (const s of all) {
      const d = s.definition;
      if (d.kind !== 'task') continue;
      this.tasks.set(key(d.def.instance, d.def.tid), { task: d.def, timezone: this.zoneOf(d.def) });
      if (d.def.task_group === undefined) continue;
      const k = key(d.def.instance, d.def.task_group);
      const list = this.members.get(k);
      if (list) list.push(d.def);
      else this.members.set(k, [d.def]);
    }
  }

  /** Every definition, tasks and groups, in the store's order (kind, instance, name). */
  get definitions(): readonly StoredDefinition[] {
    return this.stored;
  }

  /** The task's zone: its own, else its group's, else the machine's. */
  zoneOf(task: TaskDef): string {
    if (task.timezone) return task.timezone;
    if (task.task_group) {
      const g = this.groupsByName.get(key(task.instance, task.task_group));
      if (g) return g.timezone;
    }
    return this.machineZone;
  }

  /** The run's task as now defined (undefined once deleted). */
  taskOf(run: Pick<RunRow, 'task_id' | 'instance'>): TaskOfRun | undefined {
    return this.tasks.get(key(run.instance, run.task_id));
  }

  groupById(gid: number, instance: string): GroupDef | undefined {
    return this.groupsById.get(key(instance, gid));
  }

  /** A group's member tasks, by name. */
  membersOf(group: string, instance: string): readonly TaskDef[] {
    return this.members.get(key(instance, group)) ?? [];
  }
}
