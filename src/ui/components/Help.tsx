// The `?` screen: every key, and what the state colours mean.
import { Box } from 'ink';
import { seg } from '../format/segments.js';
import { ALL_STATES_KEY, STATE_KEYS } from '../keys.js';
import { ALL_STATUSES } from '../model/counts.js';
import { statusColor } from '../theme.js';
import { Blank, Line } from './Line.js';

const KEYS: ReadonlyArray<[string, string]> = [
  ['↑ ↓  j k', 'move the cursor (PgUp/PgDn a page, g/G first/last)'],
  ['enter  space', 'expand or collapse (a task shows its latest run)'],
  ['← →', 'collapse / expand'],
  ['/', 'filter by text (task, group or instance name); esc clears'],
  ['s', `filter by one state: then the state's letter (under States), ${ALL_STATES_KEY} for all, esc back`],
  ['f  F', 'filter by state: next / previous (all, then each state)'],
  ['esc', 'clear the filters (text and state)'],
  ['l', 'show or hide the log pane of the selected task’s latest run'],
  ['tab', 'switch the log pane between stdout and stderr'],
  ['r', 'force-run the selected task now, or start the selected group’s cycle now'],
  ['t', 'terminate the selected task’s live run (asks y/n)'],
  ['z', 'freeze the selected task for today'],
  ['?', 'this help'],
  ['q  ctrl-c', 'quit'],
];

const letterOf = (state: string): string => STATE_KEYS.find(([, st]) => st === state)?.[0] ?? ' ';

export function Help({ height }: { height: number }) {
  const lines = [
    <Line key="t" segs={[seg('Keys', { bold: true })]} />,
    ...KEYS.map(([k, what]) => <Line key={k} segs={[seg(`  ${k.padEnd(14)}`, { bold: true }), seg(what)]} />),
    ...[ALL_STATUSES.slice(0, 6), ALL_STATUSES.slice(6)].map((row, i) => (
      <Line key={`s${i}`} segs={[seg(i === 0 ? 'States  ' : '        ', { bold: true }), ...row.flatMap((st) => [seg(`${letterOf(st)} `, { bold: true }), seg(st, { color: statusColor(st) }), seg('  ')])]} />
    )),
    <Line key="c" segs={[seg('Groups and instances show their tasks by state; a filter keeps the ancestors of matching rows.', { dim: true })]} />,
  ].slice(0, height + 1);
  return (
    <Box flexDirection="column" height={height + 1}>
      {lines}
      <Blank n={height + 1 - lines.length} />
    </Box>
  );
}
