// One event as a tail line: the shared event formatter with the ISO time shortened to a local clock time.
import type { StoredEvent } from '../../core/events.js';
import { formatEvent } from '../../events/format.js';
import { clockTime } from './time.js';

export function tailLine(e: StoredEvent): string {
  return formatEvent(e).replace(new Date(e.time).toISOString(), clockTime(e.time));
}
