// The "when" side of the daemon: per-task cursors, due slots → runs (exactly one per slot), catch-up.
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import { taskSchedule, type GroupDef, type ScheduleFields, type TaskDef } from '../core/task.js';
import { nextFire, slotsBetweenWithHolidays, type BrokenCalendar, type CalendarSet, type Fire, type HolidaySlot } from '../schedule/index.js';
import { delayOwner, randomDelayMs } from '../schedule/random-delay.js';
import type { GroupRunRow, RunRow, SlotRecord, Store } from '../store/index.js';
import type { DefinitionCache } from './definition-cache.js';

/** Slots older than this at the moment they are noticed count as missed (downtime, suspend). */
export const MISSED_AFTER_MS = 60_000;
/** Most missed slots recorded per task after downtime; older ones are counted, not stored. */
export const MISSED_RECORD_LIMIT = 1000;

interface Entry {
  kind: 'task' | 'group';
  /** For a group entry, the group (its fields are those of a task entry that matter here). */
  task: TaskDef;
  group?: GroupDef;
  schedule: ScheduleFields;
  /** The last slot already turned into a run (or the moment the task became schedulable). */
  cursor: number;
  /** The next slot after the cursor, holidays included (they are recorded as SKIPPED at their instant). */
  next: number | undefined;
  /** The definition as last loaded, to notice edits. */
  body: string;
}

/** A schedule's slots, as text to compare (random_delay moves runs, not slots). */
const timing = (s: ScheduleFields): string => JSON.stringify({ ...s, random_delay: undefined });

/** When the run of a slot of this entry is due: the slot plus its random_delay offset. */
const dueOf = (e: Entry, slot: number): number => slot + randomDelayMs(delayOwner(e.task), slot, e.schedule.random_delay);
/** When the entry's next slot is due, if it has one. */
const nextDueOf = (e: Entry): number | undefined => (e.next === undefined ? undefined : dueOf(e, e.next));

export interface SchedulerLog {
  warn(message: string): void;
  /** The slots due could not be recorded at all: true when the caller reported it (a store fault, said once). */
  unrecorded?(err: unknown): boolean;
  /** Slots of a task that passed without a run and are not recorded (it was disabled across them): reported when it is scheduled again. */
  unscheduled?(task: TaskDef, timezone: string, slots: { count: number; first: number; last: number; since: number; until: number }): void;
}

const keyOf = (t: { name: string; instance: string }) => `${t.instance}/${t.name}`;

/** A group seen as the scheduler sees a task: a name, an instance, a catch-up policy, a schedule. */
function groupAsTask(g: GroupDef): TaskDef {
  return { tid: g.gid, name: g.name, instance: g.instance, catch_up: g.catch_up, active: g.active, random_delay: g.random_delay } as TaskDef;
}

export function businessDate(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toFormat('yyyyLLdd');
}

export class Scheduler {
  private entries = new Map<string, Entry>();
  /** Calendar files that cannot be used, by name, as of the last setCalendars. */
  private broken: ReadonlyMap<string, BrokenCalendar> = new Map();
  /** Task and calendar pairs already reported as unusable since the calendars were last set. */
  private reported = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly defs: DefinitionCache,
    private readonly clock: Clock,
    private calendars: CalendarSet,
    private readonly log: SchedulerLog,
  ) {}

  /** (Re)load the active standalone tasks and groups from the definitions read last; unchanged ones keep their cursor. */
  async load(): Promise<void> {
    const now = this.clock.now();
    const next = new Map<string, Entry>();
    for (const s of this.defs.definitions) {
      const d = s.definition;
      const task = d.kind === 'task' ? d.def : groupAsTask(d.def);
      const schedule = d.kind === 'task' ? taskSchedule(d.def) : d.def;
      if (!schedule || !task.active) continue;
      const body = JSON.stringify(d.def);
      const old = this.entries.get(keyOf(task));
      if (old && old.body === body) {
        next.set(keyOf(task), old);
        continue;
      }
      if (!this.schedulable(task, schedule)) continue;
      const last = old ? undefined : d.kind === 'task' ? await this.store.runs.lastScheduledSlot(task.tid, task.instance) : await this.store.groupRuns.lastScheduledSlot(d.def.gid, d.def.instance);
      // A new or re-enabled task starts from when it changed, or from its last run; an edit that
      // keeps the schedule keeps the cursor (a slot due meanwhile still fires); a new schedule starts now.
      // (random_delay is not part of it: slots waiting for their offset still run.)
      const sameSchedule = old && timing(old.schedule) === timing(schedule) && old.task.catch_up === task.catch_up;
      const cursor = old ? (sameSchedule ? old.cursor : Math.max(old.cursor, now)) : Math.max(last ?? s.updated_at, s.updated_at);
      const group = d.kind === 'group' ? d.def : undefined;
      if (!old && d.kind === 'task' && last !== undefined && cursor > last) this.reportGap(task, schedule, last, cursor);
      next.set(keyOf(task), { kind: d.kind, task, group, schedule, cursor, body, next: this.nextAfter(schedule, cursor) });
    }
    this.entries = next;
  }

  /**
   * A task whose calendar is missing or whose calendar file is broken cannot be scheduled; say so (once per
   * task and calendar until the calendars are set again) instead of failing the loop.
   */
  private schedulable(task: TaskDef, schedule: ScheduleFields): boolean {
    const name = schedule.calendar;
    if (name === undefined || this.calendars.has(name)) return true;
    const key = `${keyOf(task)}\u0000${name}`;
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    const broken = this.broken.get(name);
    this.log.warn(
      broken
        ? `${task.name}: calendar "${name}" cannot be used (its file is broken: ${broken.problem}); the task is not scheduled until it is fixed`
        : `${task.name}: calendar "${name}" does not exist; the task is not scheduled until it does`,
    );
    return false;
  }

  /** The slots in (last, cursor] of a task scheduled again: they passed while it was not scheduled and no run records them. */
  private reportGap(task: TaskDef, schedule: ScheduleFields, last: number, cursor: number): void {
    if (!this.log.unscheduled) return;
    const { fires, omitted } = slotsBetweenWithHolidays(schedule, this.calendars, last, cursor, MISSED_RECORD_LIMIT);
    if (fires.length === 0) return;
    const first = omitted > 0 ? (this.nextAfter(schedule, last) ?? fires[0]!.at) : fires[0]!.at;
    this.log.unscheduled(task, schedule.timezone, { count: fires.length + omitted, first, last: fires.at(-1)!.at, since: last, until: cursor });
  }

  /** The calendars in force, and the calendar files that cannot be used (to say why a task waits). */
  async setCalendars(calendars: CalendarSet, broken: ReadonlyMap<string, BrokenCalendar> = new Map()): Promise<void> {
    this.calendars = calendars;
    this.broken = broken;
    this.reported = new Set();
    await this.load(); // a task waiting for its calendar may be schedulable now
  }

  /** The calendars in force. */
  get calendarSet(): CalendarSet {
    return this.calendars;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The earliest instant at which tick() has work, if any. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const e of this.entries.values()) {
      const at = nextDueOf(e);
      if (at !== undefined && (min === undefined || at < min)) min = at;
    }
    return min;
  }

  /** The earliest fire of a task on one of these queues (a group's members may run anywhere: counted too). */
  nextDueOn(queues: ReadonlySet<string>): number | undefined {
    let min: number | undefined;
    for (const e of this.entries.values()) {
      const at = nextDueOf(e);
      if (at === undefined || (min !== undefined && at >= min)) continue;
      if (e.kind === 'group' || queues.has(e.task.run_on_host)) min = at;
    }
    return min;
  }

  /** The next slot of a task or group (its run is due later with random_delay: see nextDue). */
  nextFireOf(name: string, instance: string): number | undefined {
    return this.entries.get(`${instance}/${name}`)?.next;
  }

  /**
   * Turn every slot that has come into runs and group cycles, all written together (one commit however
   * many tasks share the instant); each task's slots are their own unit: one that is refused keeps its
   * cursor and is tried again, the others move on. Returns the task runs created ACTIVE and the cycles
   * created to start.
   */
  async tick(): Promise<{ runs: RunRow[]; cycles: GroupRunRow[] }> {
    const now = this.clock.now();
    const due = [...this.entries.values()].filter((e) => (nextDueOf(e) ?? Infinity) <= now);
    const created = { runs: [] as RunRow[], cycles: [] as GroupRunRow[] };
    if (due.length === 0) return created;
    const batches = due.map((e) => this.slotsOf(e, now));
    let outcomes;
    try {
      outcomes = await this.store.slots.record(batches.map((b) => b.records));
    } catch (err) {
      // Nothing was written: every cursor stays, so the next tick tries these slots again.
      if (this.log.unrecorded?.(err)) return created;
      this.log.warn(`slots due at ${new Date(now).toISOString()} not recorded: ${(err as Error).message}`);
      return created;
    }
    outcomes.forEach((o, i) => {
      const e = due[i]!;
      if (!o.ok) return this.log.warn(`${e.task.name}: ${o.error.message}`);
      created.runs.push(...o.value.runs);
      created.cycles.push(...o.value.cycles);
      e.cursor = Math.max(e.cursor, batches[i]!.upTo);
      e.next = this.nextAfter(e.schedule, e.cursor);
    });
    return created;
  }

  private nextAfter(schedule: ScheduleFields, after: number): number | undefined {
    return nextFire({ ...schedule, calendar: undefined }, this.calendars, after);
  }

  /**
   * The slots in (cursor, upTo] whose runs are due: on-time slots run, missed ones follow catch_up,
   * holidays are skipped. Without random_delay upTo is now; with it, a slot whose delayed instant is
   * still ahead ends the batch (and the slots after it wait for it, so slots keep their order).
   */
  private slotsOf(e: Entry, now: number): { records: SlotRecord[]; upTo: number } {
    const { fires, holidays, runNow, upTo } = this.due(e, now);
    return { records: this.recordsOf(e, fires, holidays, runNow), upTo };
  }

  private recordsOf(e: Entry, fires: Fire[], holidays: HolidaySlot[], runNow: ReadonlySet<Fire>): SlotRecord[] {
    const out: SlotRecord[] = [];
    const g = e.group;
    if (g) {
      const cycle = (f: Fire) => ({ gid: g.gid, group_name: g.name, instance: g.instance, slot: f.at, business_date: f.localDate.replaceAll('-', '') });
      for (const h of holidays) out.push({ kind: 'cycle', cycle: cycle(h), skip: { reason: 'holiday', data: { holiday: h.holiday, calendar: h.calendar } } });
      // A group's slot becomes a cycle; an older cycle still waiting for its groups gives way.
      for (const f of fires) out.push(runNow.has(f) ? { kind: 'cycle', cycle: cycle(f), supersede: true } : { kind: 'cycle', cycle: cycle(f), skip: { reason: 'missed', data: { catch_up: g.catch_up } } });
      return out;
    }
    for (const h of holidays) out.push({ kind: 'run', run: this.newRun(e.task, h), skip: { reason: 'holiday', data: { holiday: h.holiday, calendar: h.calendar } } });
    for (const f of fires) out.push(runNow.has(f) ? { kind: 'run', run: this.newRun(e.task, f) } : { kind: 'run', run: this.newRun(e.task, f), skip: { reason: 'missed', data: { catch_up: e.task.catch_up } } });
    return out;
  }

  /** Which of the slots due by now run, which were missed (late by their delayed instant), and which fell on holidays. */
  private due(e: Entry, now: number) {
    const all = slotsBetweenWithHolidays(e.schedule, this.calendars, e.cursor, now, MISSED_RECORD_LIMIT);
    if (all.omitted > 0) this.log.warn(`${e.task.name}: ${all.omitted} older missed slots were not recorded`);
    // Each slot is due at its delayed instant, and never before the slot ahead of it.
    const dueAt = new Map<Fire, number>();
    let upTo = now;
    let latest = -Infinity;
    for (const f of all.fires) {
      latest = Math.max(latest, dueOf(e, f.at));
      if (latest > now) {
        upTo = f.at - 1;
        break;
      }
      dueAt.set(f, latest);
    }
    const fires = all.fires.filter((f) => dueAt.has(f));
    const holidays = all.holidays.filter((h) => h.at <= upTo);
    const late = (f: Fire) => now - dueAt.get(f)! > MISSED_AFTER_MS;
    const missed = fires.filter(late);
    const runNow = new Set<Fire>(fires.filter((f) => !late(f)));
    if (e.task.catch_up === 'all') missed.forEach((f) => runNow.add(f));
    if (e.task.catch_up === 'latest' && runNow.size === 0 && missed.length) runNow.add(missed.at(-1)!);
    return { fires, holidays, runNow, upTo };
  }

  private newRun(task: TaskDef, f: Fire) {
    return {
      task_id: task.tid,
      task_name: task.name,
      instance: task.instance,
      slot: f.at,
      origin: 'schedule' as const,
      max_attempts: 1 + task.retry_attempts,
      queue: task.run_on_host,
      business_date: f.localDate.replaceAll('-', ''),
    };
  }
}
