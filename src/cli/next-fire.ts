// The next fire instant of a definition, for list and show (members use their group's schedule).
import { systemClock } from '../core/clock.js';
import { taskSchedule, type Definition, type ScheduleFields } from '../core/task.js';
import { homeCalendars } from '../daemon/calendars.js';
import { nextFire } from '../schedule/index.js';
import type { Store } from '../store/index.js';

/** The schedule a definition fires on, given a way to find a group: a member's is its group's. */
function scheduleWith(d: Definition, groupOf: (name: string, instance: string) => Definition | undefined): ScheduleFields | undefined {
  if (d.kind === 'group') return d.def;
  if (!d.def.task_group) return taskSchedule(d.def);
  const g = groupOf(d.def.task_group, d.def.instance);
  return g?.kind === 'group' ? g.def : undefined;
}

export async function scheduleOf(store: Store, d: Definition): Promise<ScheduleFields | undefined> {
  const group = d.kind === 'task' && d.def.task_group ? (await store.defs.byName(d.def.task_group, d.def.instance))?.definition : undefined;
  return scheduleWith(d, () => group);
}

/** The next fire of each definition after `now`, with the groups as they are stored now (read once). */
export async function nextFireOf(store: Store, now = systemClock.now()): Promise<(d: Definition) => number | undefined> {
  const groups = new Map((await store.defs.all('group')).map((s) => [`${s.definition.def.instance}/${s.definition.def.name}`, s.definition]));
  let calendars: ReturnType<typeof homeCalendars>['calendars'] | undefined;
  return (d) => {
    const schedule = scheduleWith(d, (name, instance) => groups.get(`${instance}/${name}`));
    if (!schedule) return undefined;
    calendars ??= homeCalendars(store.home, now).calendars;
    if (schedule.calendar && !calendars.has(schedule.calendar)) return undefined;
    return nextFire(schedule, calendars, now);
  };
}
