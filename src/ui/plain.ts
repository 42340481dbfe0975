// `watch --plain` (and watch on a non-TTY): one line per transition, no Ink; the same feed as the dashboard.
import type { Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import { formatEvent } from '../events/format.js';
import type { Store } from '../store/index.js';
import { Feed } from './feed/feed.js';
import type { NextFireAt } from './feed/snapshot.js';
import type { DaemonInfo, Filter, WatchAction } from './model/types.js';

export interface PlainOptions {
  store: Store;
  clock: Clock;
  filter: Filter;
  nextFireAt: NextFireAt;
  out: (line: string) => void;
  /** Status lines (start, errors) that are not transitions. */
  note: (line: string) => void;
  pollMs?: number;
}

/** A transition passes when its new state is wanted and the text names its task, group or instance. */
export function eventPasses(f: Filter, e: StoredEvent): boolean {
  if (e.type === 'run.output') return false;
  if (f.states.length > 0 && !(typeof e.data.to === 'string' && (f.states as readonly string[]).includes(e.data.to))) return false;
  if (f.text === '') return true;
  const t = f.text.toLowerCase();
  return [e.task, e.group, e.instance].some((v) => typeof v === 'string' && v.toLowerCase().includes(t));
}

const daemonLine = (d: DaemonInfo): string =>
  d.up
    ? `daemon up (pid ${d.pid}${d.host ? ` on ${d.host}` : ''})${d.degraded ? `, degraded: ${d.degraded.text} since ${new Date(d.degraded.since).toISOString()} (${d.degraded.code})` : ''}`
    : 'daemon down';

/** Follow the store and print; resolves with the started feed so the caller can stop it (await feed.stop()). */
export async function runPlain(o: PlainOptions): Promise<Feed> {
  let daemonUp: boolean | undefined;
  let degradedCause: string | null = null;
  let started = false;
  const onAction = (a: WatchAction): void => {
    switch (a.type) {
      case 'batch':
        return a.actions.forEach(onAction);
      case 'event':
        if (eventPasses(o.filter, a.event)) o.out(formatEvent(a.event));
        return;
      case 'daemon':
        if (daemonUp !== undefined && (a.daemon.up !== daemonUp || (a.daemon.degraded?.cause ?? null) !== degradedCause)) o.out(daemonLine(a.daemon));
        if (daemonUp === undefined) o.note(`watching ${o.store.home}: ${daemonLine(a.daemon)}`);
        daemonUp = a.daemon.up;
        degradedCause = a.daemon.degraded?.cause ?? null;
        return;
      case 'tail':
        if (!started) o.note(`following events after #${a.lastSeq} (Ctrl-C to stop)`);
        started = true;
        return;
      default:
        return;
    }
  };
  const feed = new Feed({ store: o.store, clock: o.clock, nextFireAt: o.nextFireAt, dispatch: onAction, pollMs: o.pollMs, onError: (e) => o.note(`error: ${e.message}`) });
  await feed.start();
  return feed;
}
