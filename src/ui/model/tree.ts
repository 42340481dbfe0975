// Tree edits on a draft: attach, detach and re-status tasks, keeping counts and filter matches up the tree.
import { LIVE_STATES } from '../../core/states.js';
import { addCount } from './counts.js';
import { childrenOf, type Draft } from './draft.js';
import { taskMatches } from './filter.js';
import type { Filter, GroupInfo, GroupNode, InstanceNode, RunInfo, TaskInfo, TaskNode, TaskStatus } from './types.js';

export const instanceId = (instance: string): string => `i:${instance}`;
export const groupId = (instance: string, group: string): string => `g:${instance}/${group}`;
export const taskId = (instance: string, task: string): string => `t:${instance}/${task}`;

export function statusOf(task: TaskInfo, run: RunInfo | null): TaskStatus {
  if (run && LIVE_STATES.includes(run.state)) return run.state;
  if (!task.active) return 'IDLE';
  return run ? run.state : 'ACTIVE';
}

/** Add count and match deltas to a node and every ancestor. */
function propagate(d: Draft, fromId: string | null, change: { status?: TaskStatus; n?: number; matching?: number }): void {
  for (let id = fromId; id !== null; ) {
    const node = d.mut(id);
    if (change.status !== undefined && change.n) node.counts = addCount(node.counts, change.status, change.n);
    if (change.matching) node.matching += change.matching;
    id = node.parent;
  }
}

export function ensureInstance(d: Draft, instance: string): InstanceNode {
  const id = instanceId(instance);
  const found = d.get(id);
  if (found) return found as InstanceNode;
  const node: InstanceNode = { id, kind: 'instance', name: instance, parent: null, children: [], counts: {}, matching: 0, expanded: true };
  d.put(node);
  d.addRoot(id);
  return node;
}

export function ensureGroup(d: Draft, instance: string, name: string): GroupNode {
  const id = groupId(instance, name);
  const found = d.get(id);
  if (found) return found as GroupNode;
  const parent = ensureInstance(d, instance).id;
  const node: GroupNode = { id, kind: 'group', name, instance, group: null, parent, children: [], counts: {}, matching: 0, expanded: true };
  d.put(node);
  childrenOf(d.mut(parent)).push(id);
  return node;
}

export function upsertGroup(d: Draft, info: GroupInfo): void {
  ensureGroup(d, info.instance, info.name);
  (d.mut(groupId(info.instance, info.name)) as GroupNode).group = info;
}

/** Put a task node under its group (or instance) and count it up the tree. */
export function attachTask(d: Draft, f: Filter, init: Pick<TaskNode, 'task' | 'run' | 'next' | 'expanded'>): void {
  const { task } = init;
  const parent = task.group !== null ? ensureGroup(d, task.instance, task.group).id : ensureInstance(d, task.instance).id;
  const status = statusOf(task, init.run);
  const node: TaskNode = {
    ...init, id: taskId(task.instance, task.name), kind: 'task', name: task.name, instance: task.instance,
    status, parent, children: [], counts: {}, matching: 0,
  };
  d.put(node);
  childrenOf(d.mut(parent)).push(node.id);
  propagate(d, node.id, { status, n: 1, matching: taskMatches(f, node) ? 1 : 0 });
}

/** Take a task node out, uncount it, and drop placeholder groups and empty instances left behind. */
export function detachTask(d: Draft, f: Filter, id: string): TaskNode | undefined {
  const node = d.get(id);
  if (!node || node.kind !== 'task') return undefined;
  propagate(d, id, { status: node.status, n: -1, matching: taskMatches(f, node) ? -1 : 0 });
  removeChild(d, node.parent!, id);
  d.delete(id);
  return node;
}

function removeChild(d: Draft, parentId: string, childId: string): void {
  const parent = d.mut(parentId);
  parent.children = parent.children.filter((c) => c !== childId);
  if (parent.children.length > 0) return;
  if (parent.kind === 'group' && parent.group === null) {
    d.delete(parent.id);
    removeChild(d, parent.parent!, parent.id);
  } else if (parent.kind === 'instance') {
    d.delete(parent.id);
    d.removeRoot(parent.id);
  }
}

/** Drop a group definition; the node stays as a placeholder while members remain. */
export function removeGroup(d: Draft, instance: string, name: string): void {
  const id = groupId(instance, name);
  const node = d.get(id);
  if (!node || node.kind !== 'group') return;
  if (node.children.length > 0) {
    (d.mut(id) as GroupNode).group = null;
    return;
  }
  d.delete(id);
  removeChild(d, node.parent!, id);
}

/** Change a task's definition, run or next fire in place, moving its counts and match if its status changes. */
export function patchTask(d: Draft, f: Filter, id: string, patch: Partial<Pick<TaskNode, 'task' | 'run' | 'next'>>): void {
  const node = d.mut(id) as TaskNode;
  const wasStatus = node.status;
  const wasMatch = taskMatches(f, node);
  Object.assign(node, patch);
  node.status = statusOf(node.task, node.run);
  const isMatch = taskMatches(f, node);
  if (node.status !== wasStatus) {
    propagate(d, id, { status: wasStatus, n: -1 });
    propagate(d, id, { status: node.status, n: 1 });
  }
  if (wasMatch !== isMatch) propagate(d, id, { matching: isMatch ? 1 : -1 });
}

/** Recount filter matches over the whole tree (after the filter itself changed). */
export function rematch(d: Draft, f: Filter): void {
  const walk = (id: string): number => {
    const node = d.mut(id);
    node.matching = node.kind === 'task' ? (taskMatches(f, node) ? 1 : 0) : node.children.reduce((n, c) => n + walk(c), 0);
    return node.matching;
  };
  for (const root of d.roots) walk(root);
}
