// The live event tail: the newest transitions, newest at the bottom, coloured by the state they entered.
import { Box } from 'ink';
import type { StoredEvent } from '../../core/events.js';
import { tailLine } from '../format/event-line.js';
import { seg } from '../format/segments.js';
import { eventColor } from '../theme.js';
import { Blank, Line } from './Line.js';

export function EventTail({ events, height }: { events: readonly StoredEvent[]; height: number }) {
  const shown = events.slice(-height);
  return (
    <Box flexDirection="column" height={height + 1}>
      <Line segs={[seg('─ events ', { bold: true }), seg(`(${events.length} recent)`, { dim: true })]} />
      {shown.map((e) => (
        <Line key={e.seq} segs={[seg(tailLine(e), { color: eventColor(e.type, e.data.to) })]} />
      ))}
      <Blank n={height - shown.length} />
    </Box>
  );
}
