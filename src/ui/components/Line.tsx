// One screen line from styled segments, cut at the terminal's width (never wrapped).
import { Text } from 'ink';
import type { Seg } from '../format/segments.js';

export function Line({ segs, inverse = false }: { segs: readonly Seg[]; inverse?: boolean }) {
  return (
    <Text wrap="truncate-end" inverse={inverse}>
      {segs.length === 0 ? ' ' : segs.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}

/** `n` blank lines, so every pane keeps its height. */
export function Blank({ n }: { n: number }) {
  return n > 0 ? <Text>{'\n'.repeat(n - 1)}</Text> : null;
}
