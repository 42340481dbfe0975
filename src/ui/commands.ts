// What each key command does: cursor and filter go to the view-model, r/t/z go to the daemon as control commands.
import { LIVE_STATES } from '../core/states.js';
import type { KeyCommand } from './keys.js';
import { cursorIndex, selectedTask, visibleRows } from './model/rows.js';
import type { GroupNode, TaskNode } from './model/types.js';
import { cycleStates, type UiState } from './ui-state.js';
import type { ViewStore } from './view-store.js';

export interface ControlRequest {
  kind: 'force-run' | 'terminate' | 'freeze';
  /** A task's name; a group's for force-run on a group row. */
  task: string;
  /** The instance of that task or group (a name may exist in several). */
  instance: string;
  runId?: number;
}
/** Sends a control command and resolves with the daemon's answer (never rejects). */
export type Control = (req: ControlRequest) => Promise<{ ok: boolean; message: string }>;

export interface CommandContext {
  view: ViewStore;
  /** The screen state as of this key (updated synchronously, so fast typing is not lost). */
  ui: () => UiState;
  setUi: (f: (u: UiState) => UiState) => void;
  control: Control;
  exit: () => void;
  /** Tree rows per page, for PgUp/PgDn. */
  page: number;
}

const say = (ctx: CommandContext, text: string, level: 'info' | 'error' = 'info') => ctx.setUi((u) => ({ ...u, message: { text, level } }));

function send(ctx: CommandContext, req: ControlRequest): void {
  say(ctx, `${req.kind} ${req.task}: waiting for the daemon…`);
  void ctx.control(req).then((ack) => say(ctx, ack.message, ack.ok ? 'info' : 'error'));
}

function needTask(ctx: CommandContext, rows = 'a task row'): TaskNode | undefined {
  const task = selectedTask(ctx.view.getState());
  if (!task) say(ctx, `select ${rows} first`, 'error');
  return task;
}

/** The group row the cursor is on, if it is one. */
function selectedGroup(ctx: CommandContext): GroupNode | undefined {
  const state = ctx.view.getState();
  const rows = visibleRows(state);
  const row = rows[cursorIndex(state, rows)];
  return row?.kind === 'node' && row.node.kind === 'group' ? row.node : undefined;
}

/** r on a group row starts a cycle of the group now, as `easytask force-run <group>` does. */
function forceRunGroup(ctx: CommandContext, group: GroupNode): void {
  if (!group.group) return say(ctx, `group ${group.name} has no definition (only tasks name it); nothing to force-run`, 'error');
  send(ctx, { kind: 'force-run', task: group.name, instance: group.instance });
}

function controlCommand(cmd: Extract<KeyCommand, { kind: 'force-run' | 'terminate' | 'freeze' }>, ctx: CommandContext): void {
  if (cmd.kind === 'force-run') {
    const group = selectedGroup(ctx);
    if (group) return forceRunGroup(ctx, group);
  }
  const task = needTask(ctx, cmd.kind === 'force-run' ? 'a task or group row' : 'a task row');
  if (!task) return;
  if (cmd.kind !== 'terminate') return send(ctx, { kind: cmd.kind, task: task.name, instance: task.instance });
  const run = task.run;
  if (!run || !LIVE_STATES.includes(run.state)) return say(ctx, `${task.name} has no live run to terminate`, 'error');
  ctx.setUi((u) => ({ ...u, mode: 'confirm', confirm: { task: task.name, instance: task.instance, runId: run.id, state: run.state } }));
}

function navCommand(cmd: Extract<KeyCommand, { kind: 'move' | 'page' | 'edge' | 'toggle' | 'expand' }>, ctx: CommandContext): void {
  const { view } = ctx;
  switch (cmd.kind) {
    case 'move':
      return view.dispatch({ type: 'move', delta: cmd.delta });
    case 'page':
      return view.dispatch({ type: 'move', delta: cmd.dir * Math.max(1, ctx.page - 1) });
    case 'edge':
      return view.dispatch({ type: 'move', delta: cmd.to === 'top' ? -Infinity : Infinity });
    case 'toggle':
    case 'expand': {
      const s = view.getState();
      const rows = visibleRows(s);
      const row = rows.find((r) => r.key === s.selected) ?? rows[Math.min(s.cursorHint, rows.length - 1)];
      if (row) view.dispatch({ type: 'toggle', id: row.node.id, expanded: cmd.kind === 'expand' ? cmd.open : undefined });
      return;
    }
  }
}

function filterCommand(cmd: Extract<KeyCommand, { kind: `filter-${string}` | `state-${string}` }>, ctx: CommandContext): void {
  const { view, setUi } = ctx;
  switch (cmd.kind) {
    case 'filter-start':
      return setUi((u) => ({ ...u, mode: 'filter', draft: view.getState().filter.text }));
    case 'filter-type':
    case 'filter-erase': {
      const was = ctx.ui().draft;
      const draft = cmd.kind === 'filter-type' ? was + cmd.text : was.slice(0, -1);
      setUi((u) => ({ ...u, draft }));
      return view.dispatch({ type: 'filter', text: draft });
    }
    case 'filter-done':
      if (!cmd.keep) view.dispatch({ type: 'filter', text: '' });
      return setUi((u) => ({ ...u, mode: 'normal' }));
    case 'filter-clear':
      setUi((u) => ({ ...u, draft: '' }));
      return view.dispatch({ type: 'filter', text: '', states: [] });
    case 'state-cycle':
      return view.dispatch({ type: 'filter', states: cycleStates(view.getState().filter.states, cmd.dir) });
    case 'state-pick-start':
      return setUi((u) => ({ ...u, mode: 'state' }));
    case 'state-pick':
      setUi((u) => ({ ...u, mode: 'normal' }));
      return view.dispatch({ type: 'filter', states: cmd.state === null ? [] : [cmd.state] });
    case 'state-pick-cancel':
      return setUi((u) => ({ ...u, mode: 'normal' }));
  }
}

export function runCommand(cmd: KeyCommand, ctx: CommandContext): void {
  if (cmd.kind !== 'none' && ctx.ui().message) ctx.setUi((u) => ({ ...u, message: null })); // an answer stays until the next key
  switch (cmd.kind) {
    case 'move':
    case 'page':
    case 'edge':
    case 'toggle':
    case 'expand':
      return navCommand(cmd, ctx);
    case 'filter-start':
    case 'filter-type':
    case 'filter-erase':
    case 'filter-done':
    case 'filter-clear':
    case 'state-cycle':
    case 'state-pick-start':
    case 'state-pick':
    case 'state-pick-cancel':
      return filterCommand(cmd, ctx);
    case 'force-run':
    case 'terminate':
    case 'freeze':
      return controlCommand(cmd, ctx);
    case 'answer': {
      const asked = ctx.ui().confirm;
      ctx.setUi((u) => ({ ...u, mode: 'normal', confirm: null }));
      if (cmd.yes && asked) send(ctx, { kind: 'terminate', task: asked.task, instance: asked.instance, runId: asked.runId });
      else say(ctx, 'not terminated');
      return;
    }
    case 'logs':
      return ctx.setUi((u) => ({ ...u, logs: !u.logs }));
    case 'stream':
      return ctx.setUi((u) => ({ ...u, stream: u.stream === 'stdout' ? 'stderr' : 'stdout' }));
    case 'help':
      return ctx.setUi((u) => ({ ...u, mode: u.mode === 'help' ? 'normal' : 'help' }));
    case 'quit':
      return ctx.exit();
    case 'none':
      return;
  }
}
