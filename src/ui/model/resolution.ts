// How often the view's clock moves: every second while a live run's elapsed time or a stale heartbeat is on
// screen, else once a minute, so an idle dashboard redraws once a minute instead of every second.
import type { ViewState } from './types.js';

const MINUTE = 60_000;

function needsSeconds(s: ViewState): boolean {
  if (s.daemon?.stale) return true;
  return s.roots.some((r) => {
    const c = s.nodes.get(r)?.counts;
    return (c?.RUNNING ?? 0) + (c?.STARTED ?? 0) > 0;
  });
}

/** The clock after a tick at `now`. */
export function tickedNow(s: ViewState, now: number): number {
  if (needsSeconds(s) || Math.floor(now / MINUTE) !== Math.floor(s.now / MINUTE)) return now;
  return s.now;
}
