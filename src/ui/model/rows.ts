// The tree flattened to the rows on screen: filter visibility, collapsed nodes, and the cursor.
import { visible } from './filter.js';
import type { Filter, TaskNode, TreeNode, ViewState } from './types.js';

export type Row =
  | { key: string; kind: 'node'; depth: number; node: TreeNode }
  /** The latest run of an expanded task, one level below it. */
  | { key: string; kind: 'run'; depth: number; node: TaskNode };

let memo: { nodes: ViewState['nodes']; roots: ViewState['roots']; filter: Filter; rows: Row[] } | undefined;

/** Visible rows in tree order; recomputed only when the tree or the filter changed. */
export function visibleRows(state: Pick<ViewState, 'nodes' | 'roots' | 'filter'>): Row[] {
  if (memo && memo.nodes === state.nodes && memo.roots === state.roots && memo.filter === state.filter) return memo.rows;
  const rows: Row[] = [];
  const walk = (id: string, depth: number): void => {
    const node = state.nodes.get(id);
    if (!node || !visible(state.filter, node)) return;
    rows.push({ key: node.id, kind: 'node', depth, node });
    if (!node.expanded) return;
    if (node.kind === 'task') {
      if (node.run) rows.push({ key: `r:${node.id}`, kind: 'run', depth: depth + 1, node });
      return;
    }
    for (const c of node.children) walk(c, depth + 1);
  };
  for (const r of state.roots) walk(r, 0);
  memo = { nodes: state.nodes, roots: state.roots, filter: state.filter, rows };
  return rows;
}

/** Index of the selected row; when it vanished, the row now at its last position. */
export function cursorIndex(state: Pick<ViewState, 'selected' | 'cursorHint'>, rows: readonly Row[]): number {
  if (rows.length === 0) return -1;
  const i = state.selected === null ? -1 : rows.findIndex((r) => r.key === state.selected);
  return i >= 0 ? i : Math.min(Math.max(0, state.cursorHint), rows.length - 1);
}

/** The task the cursor is on (a run row belongs to its task). */
export function selectedTask(state: ViewState): TaskNode | undefined {
  const rows = visibleRows(state);
  const row = rows[cursorIndex(state, rows)];
  return row?.node.kind === 'task' ? row.node : undefined;
}
