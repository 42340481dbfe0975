// The tree pane: a window of the visible rows that keeps the cursor on screen, with a column header.
import { Box } from 'ink';
import { useRef } from 'react';
import { headerSegs, nameWidthFor, rowSegs } from '../format/row-text.js';
import { seg } from '../format/segments.js';
import type { Row } from '../model/rows.js';
import { Blank, Line } from './Line.js';

/** The first row shown: moves only as far as needed to keep the cursor in view. */
export function scrollTop(prevTop: number, cursor: number, height: number, total: number): number {
  let top = Math.min(prevTop, Math.max(0, total - height));
  if (cursor < top) top = cursor;
  else if (cursor >= top + height) top = cursor - height + 1;
  return Math.max(0, top);
}

interface Props {
  rows: readonly Row[];
  cursor: number;
  height: number;
  now: number;
  emptyText: string;
}

export function TreeView({ rows, cursor, height, now, emptyText }: Props) {
  const top = useRef(0);
  top.current = scrollTop(top.current, Math.max(0, cursor), height, rows.length);
  const shown = rows.slice(top.current, top.current + height);
  const nameWidth = nameWidthFor(shown);
  const below = rows.length - top.current - shown.length;
  return (
    <Box flexDirection="column" height={height + 1}>
      <Line segs={[...headerSegs(nameWidth), seg(below > 0 || top.current > 0 ? `  (${cursor + 1}/${rows.length})` : '', { dim: true })]} />
      {shown.length === 0 ? <Line segs={[seg(emptyText, { dim: true })]} /> : null}
      {shown.map((r, i) => (
        <Line key={r.key} segs={rowSegs(r, nameWidth, now)} inverse={top.current + i === cursor} />
      ))}
      <Blank n={height - Math.max(1, shown.length)} />
    </Box>
  );
}
