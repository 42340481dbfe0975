// The filters the events command offers, and one page of the log read with them.
import type { StoredEvent } from '../core/events.js';
import { EasyTaskError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import type { LogQuery } from './log-reader.js';
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

/** The part of a filter the store applies (the type glob is matched on what it returns). */
export function queryOf(filter: EventFilter): LogQuery {
  return { sinceTime: filter.sinceTime, task: filter.task, taskId: filter.taskId, instance: filter.instance, runId: filter.runId };
}

export interface Page {
  events: StoredEvent[];
  /** The highest seq examined (matching or not): the next page starts after it. */
  lastSeq: number;
  /** More events may follow right away. */
  more: boolean;
}

/** One page of events after `afterSeq` that pass the filter. */
export async function readPage(store: Store, filter: EventFilter, afterSeq: number, size: number = EVENT_DEFAULTS.pageSize): Promise<Page> {
  const rows = await store.events.list({ ...queryOf(filter), afterSeq, limit: size });
  const last = rows.at(-1)?.seq ?? afterSeq;
  const events = filter.type ? rows.filter((e) => filter.type!(e.type)) : rows;
  return { events, lastSeq: last, more: rows.length === size };
}
