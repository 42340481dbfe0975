// Reads the event log in seq order, a page at a time, with the filters the events command offers.
import type { StoredEvent } from '../core/events.js';
import { EasyTaskError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import { EVENT_TYPES } from './cloudevents.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';

export interface EventFilter {
  sinceTime?: number;
  task?: string;
  /** The tid, matched instead of the name (a --task given as a tid). */
  taskId?: number;
  instance?: string;
  runId?: number;
  /** Matches the event type; built by typeMatcher. */
  type?: (type: string) => boolean;
}

/** `run.*`, `*.failed`, `run.f?iled` or a comma-separated list of them → a predicate. */
export function typeMatcher(globs: string): (type: string) => boolean {
  const patterns = globs
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => new RegExp('^' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$'));
  if (patterns.length === 0) throw new EasyTaskError('BAD_INPUT', '--type needs a glob such as run.* or *.failed', 2);
  const match = (type: string) => patterns.some((p) => p.test(type));
  if (!EVENT_TYPES.some(match)) {
    throw new EasyTaskError('BAD_INPUT', `--type "${globs}" matches no event type; types are ${EVENT_TYPES.join(', ')}`, 2);
  }
  return match;
}

export interface Page {
  events: StoredEvent[];
  /** The highest seq examined (matching or not): the next page starts after it. */
  lastSeq: number;
  /** More events may follow right away. */
  more: boolean;
}

/** One page of events after `afterSeq` that pass the filter. */
export function readPage(store: Store, filter: EventFilter, afterSeq: number, size: number = EVENT_DEFAULTS.pageSize): Page {
  const rows = store.events.list({ afterSeq, sinceTime: filter.sinceTime, task: filter.task, taskId: filter.taskId, instance: filter.instance, runId: filter.runId, limit: size });
  const last = rows.at(-1)?.seq ?? afterSeq;
  const events = filter.type ? rows.filter((e) => filter.type!(e.type)) : rows;
  return { events, lastSeq: last, more: rows.length === size };
}

/** Every event after `afterSeq` that passes the filter, page by page; returns the last seq examined. */
export async function forEachPage(
  store: Store,
  filter: EventFilter,
  afterSeq: number,
  visit: (events: StoredEvent[]) => Promise<boolean | void> | boolean | void,
): Promise<number> {
  let after = afterSeq;
  for (;;) {
    const page = readPage(store, filter, after);
    after = page.lastSeq;
    if (page.events.length && (await visit(page.events)) === false) return after;
    if (!page.more) return after;
  }
}
