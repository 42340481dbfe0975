// How the screen's rows are shared: header, tree, event tail, log pane, footer (a frame is one row shorter than the terminal).
export interface Layout {
  /** Lines for tree rows (below its column header line). */
  tree: number;
  /** Lines for event lines (below the pane's title), 0 when hidden. */
  events: number;
  /** Lines for log lines (below the pane's title), 0 when hidden. */
  logs: number;
}

const HEADER = 2;
const FOOTER = 1;

/** Frame height is rows - 1 so Ink never falls back to clearing the whole terminal on every frame. */
export function layoutFor(rows: number, logsOpen: boolean): Layout {
  const body = Math.max(1, rows - 1 - HEADER - FOOTER - 1); // - 1 for the tree's column header
  if (body < 10) {
    // Small terminal: no event tail; an open log pane shares the space with the tree.
    if (!logsOpen || body < 3) return { tree: body, events: 0, logs: 0 };
    const logs = Math.floor((body - 1) / 2);
    return { tree: body - 1 - logs, events: 0, logs };
  }
  const logs = logsOpen ? Math.max(3, Math.floor(body * 0.35)) : 0;
  const events = Math.max(2, Math.floor(body * (logsOpen ? 0.2 : 0.25)));
  const titles = (logs > 0 ? 1 : 0) + 1;
  return { tree: Math.max(1, body - logs - events - titles), events, logs };
}
