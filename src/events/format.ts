// One event as one human line (events, the daemon console, the dashboard tail), and JSON views of it.
import type { StoredEvent } from '../core/events.js';

/** 850ms · 1.1s · 2m05s · 1h02m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const MAX_VALUE = 160;
const HIDDEN = new Set(['from', 'to', 'duration_ms']);

function valueText(v: unknown): string {
  let text: string;
  if (typeof v === 'string') text = /^[^\s"]+$/.test(v) ? v : JSON.stringify(v);
  else if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) text = v.length ? v.join(',') : '[]';
  else text = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function subjectParts(e: StoredEvent): string[] {
  const parts: string[] = [];
  if (e.task) parts.push(`task ${e.task}`);
  else if (e.group) parts.push(`group ${e.group}`);
  if (e.run_id != null) parts.push(`run ${e.run_id}`);
  else if (e.group_run_id != null) parts.push(`group run ${e.group_run_id}`);
  if (e.run_id != null && e.attempt != null && e.attempt > 0) parts.push(`attempt ${e.attempt}`);
  return parts;
}

function transition(data: Record<string, unknown>): string | undefined {
  const { from, to } = data;
  if (typeof to !== 'string') return undefined;
  return typeof from === 'string' ? `${from}→${to}` : `→${to}`;
}

/** `#42 2026-11-23T13:27:55.123Z run.failed task fast run 3 attempt 2 RUNNING→FAILED exit_code 3 (1.1s)` */
export function formatEvent(e: StoredEvent): string {
  const parts = [`#${e.seq}`, new Date(e.time).toISOString(), e.type, ...subjectParts(e)];
  const arrow = transition(e.data);
  if (arrow) parts.push(arrow);
  for (const [k, v] of Object.entries(e.data)) {
    if (HIDDEN.has(k) || v === null || v === undefined || (k === 'attempt' && v === e.attempt)) continue;
    parts.push(`${k} ${valueText(v)}`);
  }
  const d = e.data.duration_ms;
  if (typeof d === 'number') parts.push(`(${formatDuration(d)})`);
  return parts.join(' ').replace(/[\r\n]+/g, ' ');
}

/** The `--format json` view: the stored event with its time in RFC 3339, without the internal key. */
export function eventJson(e: StoredEvent): Record<string, unknown> {
  return {
    seq: e.seq,
    type: e.type,
    time: new Date(e.time).toISOString(),
    instance: e.instance,
    task: e.task ?? null,
    task_id: e.task_id ?? null,
    group: e.group ?? null,
    run_id: e.run_id ?? null,
    group_run_id: e.group_run_id ?? null,
    attempt: e.attempt ?? null,
    data: e.data,
  };
}
