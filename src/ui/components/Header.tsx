// The two header lines: daemon up or down, instances, local time; today's runs by state and the active filter.
import { Box } from 'ink';
import { countSegs } from '../format/row-text.js';
import { seg, type Seg } from '../format/segments.js';
import { clockMinute, coarse, duration } from '../format/time.js';
import { filterActive } from '../model/filter.js';
import { NOT_RESPONDING_AFTER_MS } from '../../daemon/lock.js';
import { HEARTBEAT_STALE_MS, type DaemonInfo, type ViewState } from '../model/types.js';
import { GLYPH } from '../theme.js';
import { Line } from './Line.js';

const clockSecond = (ms: number): string => new Date(ms).toISOString().slice(11, 19) + 'Z';

export function daemonSegs(d: DaemonInfo | null, now: number): Seg[] {
  if (!d) return [seg('daemon ?', { dim: true })];
  if (!d.up) return [seg(`${GLYPH.down} daemon down`, { color: 'red', bold: true }), seg(' (history only; start it with: easytask daemon)', { dim: true })];
  const heartbeat = d.stale && d.heartbeatAt !== null ? ` · heartbeat ${duration(Math.max(0, now - d.heartbeatAt))} ago` : ` · heartbeat < ${HEARTBEAT_STALE_MS / 1000}s ago`;
  // Late (yellow) from 5 s; past the threshold `easytask status` uses, not responding (red).
  const hung = d.stale && d.heartbeatAt !== null && now - d.heartbeatAt > NOT_RESPONDING_AFTER_MS;
  return [
    hung
      ? seg(`${GLYPH.up} daemon not responding`, { color: 'red', bold: true })
      : seg(`${GLYPH.up} daemon up`, { color: d.stale ? 'yellow' : 'green', bold: true }),
    seg(` pid ${d.pid}${d.startedAt !== null ? ` · up ${coarse(now - d.startedAt)}` : ''}`),
    seg(heartbeat, d.stale ? { color: 'yellow', bold: true } : { dim: true }),
    ...(d.degraded ? [seg(` · degraded: ${d.degraded.text} since ${clockSecond(d.degraded.since)} (${d.degraded.code})`, { color: 'red', bold: true })] : []),
    ...(d.unserved ?? []).map((u) => seg(` · ${u.runs} run(s) waiting: no online agent serves queue ${u.queue}`, { color: 'yellow', bold: true })),
  ];
}

function instanceText(state: ViewState): string {
  const names = state.roots.map((r) => state.nodes.get(r)?.name ?? '');
  if (names.length === 0) return 'no tasks yet (easytask insert <file>)';
  return names.length === 1 ? `instance ${names[0]}` : `instances ${names.join(', ')}`;
}

function filterSegs(state: ViewState): Seg[] {
  if (!filterActive(state.filter)) return [];
  const f = state.filter;
  const parts = [f.states.length ? `state ${f.states.join(',')}` : '', f.text ? `text "${f.text}"` : ''].filter(Boolean);
  const shown = state.roots.reduce((n, r) => n + (state.nodes.get(r)?.matching ?? 0), 0);
  return [seg(`  filter: ${parts.join(' · ')} (${shown} tasks)`, { color: 'cyan' })];
}

export function Header({ state, width }: { state: ViewState; width: number }) {
  const left: Seg[] = [seg('EasyTask watch', { bold: true }), seg('  '), ...daemonSegs(state.daemon, state.now), seg(`  ·  ${instanceText(state)}`)];
  const clock = seg(clockMinute(state.now), { bold: true });
  const used = left.reduce((n, s) => n + s.text.length, 0);
  // The clock sits on the right; on a narrow terminal it comes first so it is never cut off.
  const first = used + clock.text.length + 2 <= width ? [...left, seg(' '.repeat(width - used - clock.text.length - 1)), clock] : [clock, seg('  '), ...left.slice(2)];
  const today = countSegs(state.today.counts);
  return (
    <Box flexDirection="column">
      <Line segs={first} />
      <Line segs={[seg('today  ', { bold: true }), ...(today.length ? today : [seg('no runs yet', { dim: true })]), ...filterSegs(state)]} />
    </Box>
  );
}
