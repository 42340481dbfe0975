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

export function insertTask(store: Store, overrides: Partial<TaskDef> & { name: string }): TaskDef {
  const out = store.tx(() => store.defs.write({ kind: 'task', def: task(overrides) }, { replace: true }));
  return out.definition.def as TaskDef;
}

export function insertGroup(store: Store, g: Partial<GroupDef> & { name: string }): GroupDef {
  const def = { description: undefined, active: true, instance: 'default', timezone: 'UTC', day_of_week: '1111111', catch_up: 'latest', ...g } as Omit<GroupDef, 'gid'>;
  return store.tx(() => store.defs.write({ kind: 'group', def }, { replace: true })).definition.def as GroupDef;
}
