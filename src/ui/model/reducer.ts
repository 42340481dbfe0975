// The dashboard's pure view-model reducer: (state, action) → state, with no I/O and no clock of its own.
import type { StoredEvent } from '../../core/events.js';
import { applyRunEvent, emptyRun, isRunEvent } from './apply-run.js';
import { Draft } from './draft.js';
import { NO_FILTER } from './filter.js';
import { cursorIndex, visibleRows } from './rows.js';
import { tickedNow } from './resolution.js';
import { todayAfter } from './today.js';
import { attachTask, detachTask, patchTask, rematch, removeGroup, taskId, upsertGroup } from './tree.js';
import { TAIL_MAX, type Filter, type TaskInfo, type TaskNode, type ViewState, type WatchAction } from './types.js';

export function initialState(now: number, filter: Filter = NO_FILTER): ViewState {
  return {
    nodes: new Map(), roots: [], filter, selected: null, cursorHint: 0, tail: [],
    today: { dayStart: now, dayEnd: now, firstRunId: Number.MAX_SAFE_INTEGER, counts: {} },
    daemon: null, lastSeq: 0, now,
  };
}

function upsertTask(d: Draft, f: Filter, task: TaskInfo): void {
  const id = taskId(task.instance, task.name);
  const prev = d.get(id) as TaskNode | undefined;
  if (prev && prev.task.group === task.group) return patchTask(d, f, id, { task });
  if (prev) detachTask(d, f, id);
  attachTask(d, f, { task, run: prev?.run ?? null, next: prev?.next ?? null, expanded: prev?.expanded ?? false });
}

/** A run event moves the task's row when it concerns the shown run or a newer one. */
function runEvent(d: Draft, f: Filter, e: StoredEvent): void {
  if (!isRunEvent(e) || e.run_id == null || e.task == null) return;
  const id = taskId(e.instance, e.task);
  const node = d.get(id);
  if (!node || node.kind !== 'task') return;
  const shown = node.run;
  if (shown && e.run_id < shown.id) return;
  const base = shown && shown.id === e.run_id ? shown : emptyRun(e, node.task);
  const run = applyRunEvent(base, e);
  if (run !== shown) patchTask(d, f, id, { run });
}

function withEvent(s: ViewState, d: Draft, e: StoredEvent): ViewState {
  runEvent(d, s.filter, e);
  const tail = e.type === 'run.output' ? s.tail : [...s.tail.slice(-(TAIL_MAX - 1)), e];
  return { ...s, tail, today: todayAfter(s.today, e), lastSeq: Math.max(s.lastSeq, e.seq) };
}

/** Apply one action to the draft; returns the non-tree fields that changed. */
function step(s: ViewState, d: Draft, a: WatchAction): ViewState {
  switch (a.type) {
    case 'batch':
      return a.actions.reduce((acc, x) => step(acc, d, x), s);
    case 'group':
      upsertGroup(d, a.group);
      return s;
    case 'task':
      upsertTask(d, s.filter, a.task);
      return s;
    case 'removed':
      if (a.kind === 'task') detachTask(d, s.filter, taskId(a.instance, a.name));
      else removeGroup(d, a.instance, a.name);
      return s;
    case 'run':
    case 'next': {
      const id = taskId(a.instance, a.task);
      if (d.get(id)?.kind === 'task') patchTask(d, s.filter, id, a.type === 'run' ? { run: a.run } : { next: a.at });
      return s;
    }
    case 'event':
      return withEvent(s, d, a.event);
    case 'tail':
      return { ...s, tail: a.events.slice(-TAIL_MAX), lastSeq: Math.max(s.lastSeq, a.lastSeq) };
    case 'today':
      return { ...s, today: a.today };
    case 'daemon':
      return { ...s, daemon: a.daemon };
    case 'tick': {
      const now = tickedNow({ ...s, ...d.result() }, a.now);
      return now === s.now ? s : { ...s, now };
    }
    case 'filter': {
      const filter = { text: a.text ?? s.filter.text, states: a.states ?? s.filter.states };
      rematch(d, filter);
      return { ...s, filter };
    }
    case 'toggle': {
      const node = d.get(a.id);
      if (node) d.mut(a.id).expanded = a.expanded ?? !node.expanded;
      return s;
    }
    case 'move':
    case 'select':
      return cursorStep({ ...s, ...d.result() }, a);
  }
}

function cursorStep(s: ViewState, a: Extract<WatchAction, { type: 'move' | 'select' }>): ViewState {
  const rows = visibleRows(s);
  if (rows.length === 0) return s;
  const at = a.type === 'select' ? rows.findIndex((r) => r.key === a.key) : cursorIndex(s, rows) + a.delta;
  if (a.type === 'select' && at < 0) return s;
  const i = Math.min(Math.max(0, at), rows.length - 1);
  return { ...s, selected: rows[i]!.key, cursorHint: i };
}

/** The next state; the same object when nothing changed, so an idle tick redraws nothing. */
export function reduce(state: ViewState, action: WatchAction): ViewState {
  const d = new Draft(state);
  const next = step(state, d, action);
  return next === state && !d.touched ? state : { ...next, ...d.result() };
}
