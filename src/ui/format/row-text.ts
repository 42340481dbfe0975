// What each tree row says, as styled segments: tasks with their latest run, groups and instances with counts.
import { LIVE_STATES } from '../../core/states.js';
import { countEntries, totalOf } from '../model/counts.js';
import type { Row } from '../model/rows.js';
import type { Counts, RunInfo, TaskNode, TreeNode } from '../model/types.js';
import { GLYPH, statusColor } from '../theme.js';
import { fit, seg, type Seg } from './segments.js';
import { duration, stamp, until } from './time.js';

export const COLUMNS = { state: 11, attempt: 6, start: 12, duration: 8, bar: 16, result: 18 } as const;

export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return GLYPH.barFull.repeat(full) + GLYPH.barEmpty.repeat(width - full);
}

export function countSegs(counts: Counts): Seg[] {
  return countEntries(counts).flatMap(([s, n]) => [seg(`${n} `), seg(s, { color: statusColor(s) }), seg('  ')]);
}

function lead(node: TreeNode, depth: number, nameWidth: number): Seg {
  const expandable = node.kind === 'task' ? node.run !== null : node.children.length > 0;
  const caret = expandable ? (node.expanded ? GLYPH.open : GLYPH.closed) : ' ';
  return seg(fit(`${'  '.repeat(depth)}${caret} ${node.name}`, nameWidth), { bold: node.kind !== 'task' });
}

/** Elapsed time of a live attempt against max_run_time, as a bar and a percentage. */
function progress(run: RunInfo, maxRunTime: number | null, now: number): Seg {
  if (run.state !== 'RUNNING' && run.state !== 'STARTED') return seg(fit('', COLUMNS.bar));
  if (maxRunTime === null || run.attemptStartedAt === null) return seg(fit('no limit', COLUMNS.bar), { dim: true });
  const f = (now - run.attemptStartedAt) / (maxRunTime * 1000);
  const color = f >= 0.9 ? 'red' : f >= 0.6 ? 'yellow' : 'green';
  return seg(fit(`${progressBar(f, 10)} ${Math.min(999, Math.floor(f * 100))}%`, COLUMNS.bar), { color });
}

function result(run: RunInfo): Seg {
  const parts: string[] = [];
  if (run.exitCode !== null) parts.push(`exit ${run.exitCode}`);
  if (run.reason && run.reason !== 'exit_code') parts.push(run.reason);
  const bad = run.state === 'FAILED' || run.state === 'REJECTED' || run.state === 'TERMINATED' || run.state === 'RESTARTING';
  return seg(fit(parts.join(' '), COLUMNS.result), bad ? { color: 'red' } : {});
}

function runColumns(run: RunInfo, node: TaskNode, now: number): Seg[] {
  const live = LIVE_STATES.includes(run.state);
  const took = run.durationMs ?? (live && run.attemptStartedAt !== null ? now - run.attemptStartedAt : null);
  return [
    seg(fit(run.attempt > 0 ? `${run.attempt}/${run.maxAttempts}` : '', COLUMNS.attempt)),
    seg(fit(run.startedAt !== null ? stamp(run.startedAt, now) : '', COLUMNS.start)),
    seg(fit(took !== null ? duration(took) : '', COLUMNS.duration)),
    progress(run, node.task.maxRunTime, now),
    result(run),
  ];
}

export function taskSegs(node: TaskNode, depth: number, nameWidth: number, now: number): Seg[] {
  const blank = [COLUMNS.attempt, COLUMNS.start, COLUMNS.duration, COLUMNS.bar, COLUMNS.result].map((w) => seg(fit('', w)));
  return [
    lead(node, depth, nameWidth),
    seg(fit(node.status, COLUMNS.state), { color: statusColor(node.status), bold: node.status === 'RUNNING' || node.status === 'FAILED' }),
    ...(node.run ? runColumns(node.run, node, now) : blank),
    seg(node.next !== null ? `${stamp(node.next, now)} (${until(node.next, now)})` : node.task.active ? '' : 'inactive', { dim: true }),
  ];
}

function containerSegs(node: TreeNode, depth: number, nameWidth: number): Seg[] {
  const label = node.kind === 'group' ? (node.group ? node.group.schedule : 'group') : `${totalOf(node.counts)} tasks`;
  return [lead(node, depth, nameWidth), seg(fit(label, COLUMNS.state + COLUMNS.attempt + COLUMNS.start), { dim: true }), ...countSegs(node.counts)];
}

/** The detail line under an expanded task: the latest run's id, slot, origin, pid and output file. */
export function runDetailSegs(node: TaskNode, depth: number, now: number): Seg[] {
  const run = node.run!;
  const parts = [`run ${run.id}`];
  if (run.slot !== null) parts.push(`slot ${stamp(run.slot, now)}`);
  if (run.origin && run.origin !== 'schedule') parts.push(run.origin);
  if (run.pid !== null) parts.push(`pid ${run.pid}`);
  if (run.stdoutPath) parts.push(run.stdoutPath);
  return [seg(`${'  '.repeat(depth)}  ${parts.join(' · ')}`, { dim: true })];
}

export function rowSegs(row: Row, nameWidth: number, now: number): Seg[] {
  if (row.kind === 'run') return runDetailSegs(row.node, row.depth, now);
  const node = row.node;
  switch (node.kind) {
    case 'task':
      return taskSegs(node, row.depth, nameWidth, now);
    case 'group':
    case 'instance':
      return containerSegs(node, row.depth, nameWidth);
  }
}

/** Name column wide enough for the rows on screen, within bounds. */
export function nameWidthFor(rows: readonly Row[], max = 40): number {
  let w = 16;
  for (const r of rows) w = Math.max(w, r.depth * 2 + 3 + r.node.name.length);
  return Math.min(w, max);
}

export function headerSegs(nameWidth: number): Seg[] {
  const c = COLUMNS;
  const text = fit('NAME', nameWidth) + fit('STATE', c.state) + fit('TRY', c.attempt) + fit('STARTED', c.start) + fit('TOOK', c.duration) + fit('PROGRESS', c.bar) + fit('RESULT', c.result) + 'NEXT';
  return [seg(text, { bold: true, dim: true })];
}
