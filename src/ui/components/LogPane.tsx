// The log pane: the end of the selected run's stdout or stderr, followed as it grows.
import { Box } from 'ink';
import { seg } from '../format/segments.js';
import type { TaskNode } from '../model/types.js';
import { Blank, Line } from './Line.js';

export type Stream = 'stdout' | 'stderr';

interface Props {
  task: TaskNode | undefined;
  stream: Stream;
  lines: readonly string[];
  height: number;
}

function title(task: TaskNode | undefined, stream: Stream, path: string | null): string {
  if (!task) return 'select a task';
  if (!task.run) return `${task.name}: no run yet`;
  return `${task.name} run ${task.run.id} ${stream}${path ? ` ${path}` : ''}`;
}

export function LogPane({ task, stream, lines, height }: Props) {
  const path = task?.run ? (stream === 'stdout' ? task.run.stdoutPath : task.run.stderrPath) : null;
  const shown = lines.slice(-height);
  const empty = task?.run ? (path ? '(no output yet)' : '(the run has not started: no output file yet)') : '';
  return (
    <Box flexDirection="column" height={height + 1}>
      <Line segs={[seg('─ logs ', { bold: true }), seg(title(task, stream, path)), seg('  (tab: switch stream, l: close)', { dim: true })]} />
      {shown.length === 0 ? <Line segs={[seg(empty, { dim: true })]} /> : shown.map((l, i) => <Line key={i} segs={[seg(l)]} />)}
      <Blank n={height - Math.max(1, shown.length)} />
    </Box>
  );
}
