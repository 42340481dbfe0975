// The next fire instant of a definition, for list and show (members use their group's schedule).
import { systemClock } from '../core/clock.js';
import { taskSchedule, type Definition, type ScheduleFields } from '../core/task.js';
import { homeCalendars } from '../daemon/calendars.js';
import { nextFire } from '../schedule/index.js';
import type { Store } from '../store/index.js';

export function scheduleOf(store: Store, d: Definition): ScheduleFields | undefined {
  if (d.kind === 'group') return d.def;
  if (!d.def.task_group) return taskSchedule(d.def);
  const g = store.defs.byName(d.def.task_group, d.def.instance)?.definition;
  return g?.kind === 'group' ? g.def : undefined;
}

export function nextFireOf(store: Store, now = systemClock.now()): (d: Definition) => number | undefined {
  let calendars: ReturnType<typeof homeCalendars>['calendars'] | undefined;
  return (d) => {
    const schedule = scheduleOf(store, d);
    if (!schedule) return undefined;
    calendars ??= homeCalendars(store.home, now).calendars;
    if (schedule.calendar && !calendars.has(schedule.calendar)) return undefined;
    return nextFire(schedule, calendars, now);
  };
}
