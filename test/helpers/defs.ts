// Inserting definitions straight through the store, for tests that do not need the CLI.
import type { GroupDef, TaskDef } from '../../src/core/task.js';
import type { Store } from '../../src/store/index.js';

export function task(overrides: Partial<TaskDef> & { name: string }): Omit<TaskDef, 'tid'> & { tid?: number } {
  return {
    task_owner: 'test',
    cmd: 'true',
    run_on_host: 'localhost',
    active: true,
    instance: 'default',
    timezone: 'UTC',
    day_of_week: '1111111',
    retry_attempts: 0,
    retry_delay: 0,
    catch_up: 'latest',
    overlap: 'skip',
    ...overrides,
  };
}

export async function insertTask(store: Store, overrides: Partial<TaskDef> & { name: string }): Promise<TaskDef> {
  const out = await store.defs.apply({ write: [{ kind: 'task', def: task(overrides) }], replace: true });
  return out.written[0]!.definition.def as TaskDef;
}

export async function insertGroup(store: Store, g: Partial<GroupDef> & { name: string }): Promise<GroupDef> {
  const def = { description: undefined, active: true, instance: 'default', timezone: 'UTC', day_of_week: '1111111', catch_up: 'latest', ...g } as Omit<GroupDef, 'gid'>;
  return (await store.defs.apply({ write: [{ kind: 'group', def }], replace: true })).written[0]!.definition.def as GroupDef;
}
