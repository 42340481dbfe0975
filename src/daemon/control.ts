// Control commands from the CLI, consumed and acknowledged by the daemon.
import { DateTime } from 'luxon';
import { askerData } from '../core/asker.js';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import { FINAL_STATES } from '../core/states.js';
import type { GroupDef, TaskDef } from '../core/task.js';
import { decode, type ControlRequest } from '../control/request.js';
import type { CommandRow, ControlEffect, ControlResult, RunRow, Store } from '../store/index.js';
import type { LocalAgent } from './agent.js';
import type { GroupEngine } from './groups.js';
import type { CalendarSet } from '../schedule/index.js';
import { backfill } from './backfill.js';
import { planTerminate } from './terminate-runs.js';
import { triggerPatch } from './trigger.js';

export interface ControlContext {
  store: Store;
  clock: Clock;
  agent: LocalAgent;
  groups: GroupEngine;
  zoneOf(task: TaskDef): string;
  /** The calendars the schedule uses now. */
  calendars(): CalendarSet;
  /** Definitions changed: reload the schedule. */
  reload(): Promise<void>;
}

export interface Ack {
  ok: boolean;
  message: string;
  data?: Record<string, unknown>;
}

/** What a request does to the store, how its acknowledgement reads, and what the daemon does once it is written. */
interface Plan {
  effect: ControlEffect;
  answer(result: ControlResult): Ack;
  after?(result: ControlResult): void | Promise<void>;
}

/** "task 1000002 (task2)"; the instance is named when it is not the default one. */
const label = (t: { tid: number; name: string; instance: string }, kind = 'task') =>
  `${kind} ${t.tid} (${t.name}${t.instance && t.instance !== 'default' ? `, instance ${t.instance}` : ''})`;

type Req<K extends ControlRequest['kind']> = Extract<ControlRequest, { kind: K }>;

/** The definition a request names, in the instance it names (when it names one). */
async function definitionOf(ctx: ControlContext, ref: string, instance: string | undefined) {
  return (await ctx.store.defs.get(ref, instance)).definition;
}

async function taskOf(ctx: ControlContext, ref: string, instance: string | undefined): Promise<TaskDef> {
  const d = await definitionOf(ctx, ref, instance);
  if (d.kind !== 'task') throw new EasyTaskError('BAD_INPUT', `"${ref}" is a group; this command takes a task`, 2);
  return d.def;
}

function dateArg(ctx: ControlContext, task: TaskDef, date: string | undefined): string {
  if (date) return date;
  return DateTime.fromMillis(ctx.clock.now(), { zone: ctx.zoneOf(task) }).toFormat('yyyyLLdd');
}

/** A forced group cycle starts now, whatever its schedule and the groups it depends on. */
function forceGroup(ctx: ControlContext, group: GroupDef, r: Req<'force-run'>): Plan {
  const date = r.date ? r.date : DateTime.fromMillis(ctx.clock.now(), { zone: group.timezone }).toFormat('yyyyLLdd');
  return {
    effect: { kind: 'force-group', cycle: { gid: group.gid, group_name: group.name, instance: group.instance, slot: ctx.clock.now(), origin: 'force', business_date: date } },
    answer: (res) => ({
      ok: true,
      message: `Force run triggered for ${label({ tid: group.gid, name: group.name, instance: group.instance }, 'group')}`,
      data: { group_run: res.kind === 'force-group' ? res.cycle.id : null },
    }),
    after: (res) => {
      if (res.kind === 'force-group') ctx.groups.mark(res.cycle.id);
    },
  };
}

async function forceRun(ctx: ControlContext, req: Req<'force-run'>): Promise<Plan> {
  const d = await definitionOf(ctx, req.target, req.instance);
  if (d.kind === 'group') return forceGroup(ctx, d.def, req);
  const task = d.def;
  const now = ctx.clock.now();
  return {
    effect: {
      kind: 'force-run',
      // A slot is unique per task: two forced runs in the same millisecond take the next one.
      run: { task_id: task.tid, task_name: task.name, instance: task.instance, slot: now, origin: 'force', max_attempts: 1 + task.retry_attempts, queue: task.run_on_host, business_date: dateArg(ctx, task, req.date) },
      trigger: { patch: triggerPatch(task, now), data: { forced: true, ...askerData(req) } },
    },
    answer: (res) => ({ ok: true, message: `Force run triggered for ${label(task)}`, data: { run: res.kind === 'force-run' ? res.run.id : null } }),
  };
}

/**
 * `terminate <task> --run <id>`: the run must be one of that task's (in the instance named, when
 * one is), so a mistyped id never ends another task's run.
 */
async function checkRunOfTask(ctx: ControlContext, run: RunRow, ref: string, instance: string | undefined): Promise<void> {
  const inInstance = instance === undefined || instance === run.instance;
  // The run's own record first: its task may have been deleted or renamed since.
  if (inInstance && (ref === run.task_name || ref === String(run.task_id))) return;
  let task: TaskDef | undefined;
  try {
    task = await taskOf(ctx, ref, instance);
  } catch {
    task = undefined; // named nothing (or a group): then it is not the run's task either
  }
  if (task && task.tid === run.task_id && task.instance === run.instance) return;
  const named = task ? label(task) : `"${ref}"${instance ? ` in instance ${instance}` : ''}`;
  throw new EasyTaskError('BAD_INPUT', `run ${run.id} belongs to ${label({ tid: run.task_id, name: run.task_name, instance: run.instance })}, not to ${named}; nothing was terminated`, 2);
}

async function terminate(ctx: ControlContext, req: Req<'terminate'>): Promise<Plan | Ack> {
  const { store } = ctx;
  let runs: RunRow[];
  if (req.run !== undefined) {
    const r = await store.runs.get(req.run);
    if (!r) throw new EasyTaskError('NOT_FOUND', `run ${req.run} does not exist`);
    if (req.target) await checkRunOfTask(ctx, r, req.target, req.instance);
    else if (req.instance !== undefined && req.instance !== r.instance) {
      throw new EasyTaskError('BAD_INPUT', `run ${r.id} is in instance ${r.instance}, not ${req.instance}; nothing was terminated`, 2);
    }
    runs = [r];
  } else runs = await store.runs.liveOf(await taskOf(ctx, req.target!, req.instance));
  const live = runs.filter((r) => !FINAL_STATES.includes(r.state));
  if (live.length === 0) return { ok: false, message: `nothing to terminate: ${runs[0] ? `run ${runs[0].id} is ${runs[0].state}` : `${req.target} has no live run`}` };
  const { requests, stop, done } = planTerminate(ctx.agent, live, 'requested', ctx.clock.now(), askerData(req), req);
  return {
    effect: { kind: 'transitions', requests, stop },
    answer: () => ({ ok: true, message: `Terminate requested for ${live[0]!.task_name}: ${done.join(', ')}`, data: { runs: live.map((r) => r.id) } }),
    after: (res) => {
      if (res.kind === 'transitions') for (const r of res.runs) ctx.groups.markRun(r);
    },
  };
}

async function freeze(ctx: ControlContext, req: Req<'freeze' | 'unfreeze'>): Promise<Plan> {
  const on = req.kind === 'freeze';
  const task = await taskOf(ctx, req.target, req.instance);
  const date = dateArg(ctx, task, req.date);
  return {
    effect: { kind: req.kind, task, date, data: askerData(req) },
    answer: (res) => {
      const { changed, moved } = res.kind === 'freeze' || res.kind === 'unfreeze' ? res.outcome : { changed: false, moved: 0 };
      const runs = moved ? ` (${moved} run${moved === 1 ? '' : 's'} ${on ? 'held' : 'released'})` : '';
      // Asking twice is not an error (the date ends as asked), but the answer says nothing changed.
      const message = changed || moved
        ? `${on ? 'Froze' : 'Unfroze'} ${label(task)} for ${date}${runs}`
        : `${label(task)} was ${on ? 'already frozen' : 'not frozen'} for ${date}; nothing changed`;
      return { ok: true, message, data: { date, runs: moved, changed } };
    },
    after: () => ctx.groups.markAll(), // member runs held or released: their cycles are read again
  };
}

async function modifyStatus(ctx: ControlContext, req: Req<'modify-status'>): Promise<Plan> {
  const { run: id, status } = req;
  const before = await ctx.store.runs.get(id);
  if (!before) throw new EasyTaskError('NOT_FOUND', `run ${id} does not exist`);
  const release = before.group_run_id === null ? undefined : await ctx.groups.releasePlan(before.group_run_id, id, status);
  return {
    effect: { kind: 'modify-status', request: { runId: id, to: status, expectVersion: before.version, ...(release ? { release } : {}), data: askerData(req) } },
    answer: () => {
      const also = release?.runs.length ? `; released ${release.runs.length} dependant run(s)` : '';
      return { ok: true, message: `Run ${id} of task ${before.task_id} (${before.task_name}) changed from ${before.state} to ${status}${also}` };
    },
    after: () => {
      if (before.group_run_id !== null) ctx.groups.mark(before.group_run_id);
    },
  };
}

/** The runs of past slots, created here (idempotent: a slot that has a run keeps it); the next pass triggers them. */
async function backfillRuns(ctx: ControlContext, req: Req<'backfill'>): Promise<Ack> {
  const d = await definitionOf(ctx, req.target, req.instance);
  if (d.kind === 'group') throw new EasyTaskError('BAD_INPUT', `"${req.target}" is a group; backfill takes a standalone task (a cycle for a past date: easytask force-run ${d.def.name} --date YYYYMMDD)`, 2);
  const task = d.def;
  const r = await backfill(ctx.store, ctx.calendars(), task, req, ctx.clock.now());
  const existing = r.slots.length - r.created.length;
  const message = `Backfill of ${label(task)} from ${req.from} to ${req.to}: ${r.created.length} run(s) created for ${r.slots.length} slot(s)${existing ? `; ${existing} slot(s) already had a run and stay as they are` : ''}`;
  return { ok: true, message, data: { runs: r.created.map((x) => x.id), slots: r.slots.length, existing } };
}

/** What one command does: a plan to carry out, or (refused, or changing nothing) its answer. */
async function planOf(ctx: ControlContext, c: CommandRow): Promise<Plan | Ack> {
  const decoded = decode(c);
  if (!decoded.ok) return { ok: false, message: `command ${c.id} refused: ${decoded.message}`, data: { exit_code: 2 } };
  const req = decoded.request;
  switch (req.kind) {
    case 'force-run':
      return forceRun(ctx, req);
    case 'terminate':
      return terminate(ctx, req);
    case 'freeze':
    case 'unfreeze':
      return freeze(ctx, req);
    case 'modify-status':
      return modifyStatus(ctx, req);
    case 'reload':
      await ctx.reload();
      return { ok: true, message: 'definitions reloaded' };
    case 'backfill':
      return backfillRuns(ctx, req);
  }
}

/** A request refused with its reason: what the CLI prints, and the exit code it uses. */
function refusal(err: unknown): Ack {
  const exitCode = err instanceof EasyTaskError ? err.exitCode : 1;
  return { ok: false, message: (err as Error).message, data: { exit_code: exitCode } };
}

/** Carry out one command and acknowledge it; undefined when it was withdrawn or answered meanwhile. */
export async function handle(ctx: ControlContext, c: CommandRow): Promise<Ack | undefined> {
  let plan: Plan | Ack;
  try {
    plan = await planOf(ctx, c);
  } catch (err) {
    plan = refusal(err);
  }
  if (!('effect' in plan)) return (await ctx.store.commands.ack(c.id, plan)) ? plan : undefined;
  let result: ControlResult | undefined;
  let ack: Ack | undefined;
  try {
    ack = await ctx.store.commands.carryOut(c.id, plan.effect, (res) => {
      result = res;
      return plan.answer(res);
    });
  } catch (err) {
    // The store refused the effect (a run that moved on, an illegal move): the command is refused
    // with the reason. A store that takes no writes (disk full) throws on here, and the command is
    // carried out once it does.
    if (!(err instanceof EasyTaskError)) throw err;
    const a = refusal(err);
    return (await ctx.store.commands.ack(c.id, a)) ? a : undefined;
  }
  if (ack && result) await plan.after?.(result);
  return ack;
}

/**
 * Carry out and acknowledge the pending commands, each with its acknowledgement in one unit: a
 * command withdrawn meanwhile is not run, and one interrupted by a crash is run once after the
 * restart. While the daemon stops (the grace period) terminate still works, so a run that holds up
 * the shutdown can be ended; anything else is refused with the reason, never left unanswered.
 */
export async function answerPending(ctx: ControlContext, stopping: boolean): Promise<Ack[]> {
  const acks: Ack[] = [];
  for (const c of await ctx.store.commands.pending()) {
    let ack: Ack | undefined;
    if (stopping && c.kind !== 'terminate') {
      const a = { ok: false, message: `the daemon (pid ${process.pid}) is shutting down: it starts and changes nothing more; run the command again once a daemon is running` };
      ack = (await ctx.store.commands.ack(c.id, a)) ? a : undefined;
    } else ack = await handle(ctx, c);
    if (ack) acks.push(ack);
  }
  return acks;
}
