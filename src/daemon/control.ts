// Control commands from the CLI, consumed and acknowledged by the daemon.
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import { FINAL_STATES } from '../core/states.js';
import type { GroupDef, TaskDef } from '../core/task.js';
import { decode, type ControlRequest } from '../control/request.js';
import type { CommandRow, RunRow, Store } from '../store/index.js';
import type { LocalAgent } from './agent.js';
import type { GroupEngine } from './groups.js';
import { triggerPatch } from './trigger.js';

export interface ControlContext {
  store: Store;
  clock: Clock;
  agent: LocalAgent;
  groups: GroupEngine;
  zoneOf(task: TaskDef): string;
  /** Definitions changed: reload the schedule. */
  reload(): void;
}

export interface Ack {
  ok: boolean;
  message: string;
  data?: Record<string, unknown>;
}

/** "task 1000002 (task2)"; the instance is named when it is not the default one. */
const label = (t: { tid: number; name: string; instance: string }, kind = 'task') =>
  `${kind} ${t.tid} (${t.name}${t.instance && t.instance !== 'default' ? `, instance ${t.instance}` : ''})`;

type Req<K extends ControlRequest['kind']> = Extract<ControlRequest, { kind: K }>;

/** The definition a request names, in the instance it names (when it names one). */
function definitionOf(ctx: ControlContext, ref: string, instance: string | undefined) {
  return ctx.store.defs.get(ref, instance).definition;
}

function taskOf(ctx: ControlContext, ref: string, instance: string | undefined): TaskDef {
  const d = definitionOf(ctx, ref, instance);
  if (d.kind !== 'task') throw new EasyTaskError('BAD_INPUT', `"${ref}" is a group; this command takes a task`, 2);
  return d.def;
}

function dateArg(ctx: ControlContext, task: TaskDef, date: string | undefined): string {
  if (date) return date;
  return DateTime.fromMillis(ctx.clock.now(), { zone: ctx.zoneOf(task) }).toFormat('yyyyLLdd');
}

/** A forced group cycle starts now, whatever its schedule and the groups it depends on. */
function forceGroup(ctx: ControlContext, group: GroupDef, r: Req<'force-run'>): Ack {
  const date = r.date ? r.date : DateTime.fromMillis(ctx.clock.now(), { zone: group.timezone }).toFormat('yyyyLLdd');
  const gr = ctx.store.tx(() => {
    let slot = ctx.clock.now();
    let r;
    while (!(r = ctx.store.groupRuns.create({ gid: group.gid, group_name: group.name, instance: group.instance, slot, origin: 'force', business_date: date }))) slot++;
    return r;
  });
  ctx.groups.mark(gr.id);
  return { ok: true, message: `Force run triggered for ${label({ tid: group.gid, name: group.name, instance: group.instance }, 'group')}`, data: { group_run: gr.id } };
}

function forceRun(ctx: ControlContext, req: Req<'force-run'>): Ack {
  const d = definitionOf(ctx, req.target, req.instance);
  if (d.kind === 'group') return forceGroup(ctx, d.def, req);
  const task = d.def;
  const { store } = ctx;
  const run = store.tx(() => {
    let slot = ctx.clock.now();
    let r: RunRow | undefined;
    // A slot is unique per task: two forced runs in the same millisecond take the next one.
    while (!(r = store.runs.create({ task_id: task.tid, task_name: task.name, instance: task.instance, slot, origin: 'force', max_attempts: 1 + task.retry_attempts, queue: task.run_on_host, business_date: dateArg(ctx, task, req.date) }))) slot++;
    return store.runs.transitionInTx({ runId: r.id, event: 'run.triggered', to: 'TRIGGER', patch: triggerPatch(task, ctx.clock.now()), data: { forced: true } });
  });
  return { ok: true, message: `Force run triggered for ${label(task)}`, data: { run: run.id } };
}

/**
 * `terminate <task> --run <id>`: the run must be one of that task's (in the instance named, when
 * one is), so a mistyped id never ends another task's run.
 */
function checkRunOfTask(ctx: ControlContext, run: RunRow, ref: string, instance: string | undefined): void {
  const inInstance = instance === undefined || instance === run.instance;
  // The run's own record first: its task may have been deleted or renamed since.
  if (inInstance && (ref === run.task_name || ref === String(run.task_id))) return;
  let task: TaskDef | undefined;
  try {
    task = taskOf(ctx, ref, instance);
  } catch {
    task = undefined; // named nothing (or a group): then it is not the run's task either
  }
  if (task && task.tid === run.task_id && task.instance === run.instance) return;
  const named = task ? label(task) : `"${ref}"${instance ? ` in instance ${instance}` : ''}`;
  throw new EasyTaskError('BAD_INPUT', `run ${run.id} belongs to ${label({ tid: run.task_id, name: run.task_name, instance: run.instance })}, not to ${named}; nothing was terminated`, 2);
}

function terminate(ctx: ControlContext, req: Req<'terminate'>): Ack {
  const { store } = ctx;
  let runs: RunRow[];
  if (req.run !== undefined) {
    const r = store.runs.get(req.run);
    if (!r) throw new EasyTaskError('NOT_FOUND', `run ${req.run} does not exist`);
    if (req.target) checkRunOfTask(ctx, r, req.target, req.instance);
    else if (req.instance !== undefined && req.instance !== r.instance) {
      throw new EasyTaskError('BAD_INPUT', `run ${r.id} is in instance ${r.instance}, not ${req.instance}; nothing was terminated`, 2);
    }
    runs = [r];
  } else runs = store.runs.liveOf(taskOf(ctx, req.target!, req.instance));
  const live = runs.filter((r) => !FINAL_STATES.includes(r.state));
  if (live.length === 0) return { ok: false, message: `nothing to terminate: ${runs[0] ? `run ${runs[0].id} is ${runs[0].state}` : `${req.target} has no live run`}` };
  const done: string[] = [];
  for (const r of live) {
    if (ctx.agent.terminate(r.id, 'requested')) done.push(`run ${r.id} (${r.state}${r.pid ? `, pid ${r.pid}` : ''})`);
    else {
      store.runs.transition({ runId: r.id, event: 'run.terminated', to: 'TERMINATED', patch: { reason: 'requested', ended_at: ctx.clock.now() } });
      done.push(`run ${r.id} (${r.state})`);
    }
  }
  return { ok: true, message: `Terminate requested for ${live[0]!.task_name}: ${done.join(', ')}`, data: { runs: live.map((r) => r.id) } };
}

function freeze(ctx: ControlContext, req: Req<'freeze' | 'unfreeze'>): Ack {
  const on = req.kind === 'freeze';
  const task = taskOf(ctx, req.target, req.instance);
  const date = dateArg(ctx, task, req.date);
  const { changed, moved } = on ? ctx.store.frozenDates.freeze(task, date) : ctx.store.frozenDates.unfreeze(task, date);
  const runs = moved ? ` (${moved} run${moved === 1 ? '' : 's'} ${on ? 'held' : 'released'})` : '';
  // Asking twice is not an error (the date ends as asked), but the answer says nothing changed.
  const message = changed || moved
    ? `${on ? 'Froze' : 'Unfroze'} ${label(task)} for ${date}${runs}`
    : `${label(task)} was ${on ? 'already frozen' : 'not frozen'} for ${date}; nothing changed`;
  return { ok: true, message, data: { date, runs: moved, changed } };
}

function modifyStatus(ctx: ControlContext, req: Req<'modify-status'>): Ack {
  const { run: id, status } = req;
  const before = ctx.store.runs.get(id);
  if (!before) throw new EasyTaskError('NOT_FOUND', `run ${id} does not exist`);
  const released = ctx.store.tx(() => {
    ctx.store.runs.transitionInTx({ runId: id, event: 'run.status_modified', to: status, data: { by: 'modify-status' } });
    return before.group_run_id === null ? [] : ctx.groups.release(before.group_run_id);
  });
  const also = released.length ? `; released ${released.length} dependant run(s)` : '';
  return { ok: true, message: `Run ${id} of task ${before.task_id} (${before.task_name}) changed from ${before.state} to ${status}${also}` };
}

/** Carry out one command; errors (and a row this version cannot read) become a negative acknowledgement with the reason. */
export function handle(ctx: ControlContext, c: CommandRow): Ack {
  const decoded = decode(c);
  if (!decoded.ok) return { ok: false, message: `command ${c.id} refused: ${decoded.message}`, data: { exit_code: 2 } };
  const req = decoded.request;
  try {
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
        ctx.reload();
        return { ok: true, message: 'definitions reloaded' };
    }
  } catch (err) {
    const exitCode = err instanceof EasyTaskError ? err.exitCode : 1;
    return { ok: false, message: (err as Error).message, data: { exit_code: exitCode } };
  }
}

/**
 * Carry out and acknowledge the pending commands, each with its acknowledgement in one transaction:
 * a command withdrawn meanwhile is not run, and one interrupted by a crash is run once after the
 * restart. While the daemon stops (the grace period) terminate still works, so a run that holds up
 * the shutdown can be ended; anything else is refused with the reason, never left unanswered.
 */
export function answerPending(ctx: ControlContext, stopping: boolean): Ack[] {
  const acks: Ack[] = [];
  for (const c of ctx.store.commands.pending()) {
    const ack = ctx.store.tx(() => {
      if (ctx.store.commands.get(c.id)?.acked_at !== null) return undefined;
      const a: Ack = stopping && c.kind !== 'terminate'
        ? { ok: false, message: `the daemon (pid ${process.pid}) is shutting down: it starts and changes nothing more; run the command again once a daemon is running` }
        : handle(ctx, c);
      ctx.store.commands.ack(c.id, a.ok, a.message, a.data);
      return a;
    });
    if (ack) acks.push(ack);
  }
  return acks;
}
