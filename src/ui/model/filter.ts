// Filter matching: a task matches by status and text; a row stays visible while a descendant matches.
import type { Filter, TaskNode, TreeNode } from './types.js';

export const NO_FILTER: Filter = { text: '', states: [] };

export const filterActive = (f: Filter): boolean => f.text !== '' || f.states.length > 0;

const has = (value: string, text: string): boolean => value.toLowerCase().includes(text);

/** A task matches when its status is wanted and the text is in its name, group or instance. */
export function taskMatches(f: Filter, t: Pick<TaskNode, 'status' | 'task'>): boolean {
  if (f.states.length > 0 && !f.states.includes(t.status)) return false;
  if (f.text === '') return true;
  const text = f.text.toLowerCase();
  return has(t.task.name, text) || has(t.task.instance, text) || (t.task.group !== null && has(t.task.group, text));
}

/** A group or instance named by the text shows even with no matching member (unless a state filter is on). */
function containerNamed(f: Filter, node: TreeNode): boolean {
  if (f.states.length > 0 || f.text === '') return false;
  const text = f.text.toLowerCase();
  switch (node.kind) {
    case 'instance':
      return has(node.name, text);
    case 'group':
      return has(node.name, text) || has(node.instance, text);
    case 'task':
      return false;
  }
}

export function visible(f: Filter, node: TreeNode): boolean {
  if (!filterActive(f)) return true;
  return node.matching > 0 || containerNamed(f, node);
}
