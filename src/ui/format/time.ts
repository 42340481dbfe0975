// Short time texts for the dashboard: local clock times, ages and durations that fit a column.
import { formatDuration } from '../../events/format.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** 13:05:09 in the machine's zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A clock time today, else `MM-DD HH:MM`. */
export function stamp(ms: number, now: number): string {
  const d = new Date(ms);
  const n = new Date(now);
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return clockTime(ms);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Whole-second durations (0s, 59s, 2m05s, 1h02m); sub-second ones as ms. */
export function duration(ms: number): string {
  if (ms < 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  return formatDuration(ms);
}

/** Minutes and up, for texts that must not change every second: <1m, 4m, 2h05m, 3d04h. */
export function coarse(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 1) return '<1m';
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** How long until a future instant (`in 4m`, `in 13h15m`), or `due` once it passed. */
export function until(at: number, now: number): string {
  return at <= now ? 'due' : `in ${coarse(at - now)}`;
}

/** 13:05 in the machine's zone. */
export function clockMinute(ms: number): string {
  return clockTime(ms).slice(0, 5);
}
