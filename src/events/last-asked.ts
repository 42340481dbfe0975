// The last disable and the last freeze of a task, with who asked and the note given (easytask show).
import type { StoredEvent } from '../core/events.js';
import type { Store } from '../store/index.js';

export interface Asked {
  time: string;
  by: string | null;
  note: string | null;
  /** A freeze: the business date held. */
  date?: string;
}

const asked = (e: StoredEvent | undefined): Asked | null =>
  e
    ? {
        time: new Date(e.time).toISOString(),
        by: typeof e.data.by === 'string' ? e.data.by : null,
        note: typeof e.data.note === 'string' ? e.data.note : null,
        ...(typeof e.data.date === 'string' ? { date: e.data.date } : {}),
      }
    : null;

/** The latest task.disabled and task.frozen events of a task. */
export async function lastAsked(store: Store, task: string, instance: string): Promise<{ last_disable: Asked | null; last_freeze: Asked | null }> {
  const events = await store.events.list({ task, instance, types: ['task.disabled', 'task.frozen'] });
  const last = (type: string) => events.findLast((e) => e.type === type);
  return { last_disable: asked(last('task.disabled')), last_freeze: asked(last('task.frozen')) };
}

/** `2026-03-01T10:00:00.000Z by alice: disk swap` */
export function askedText(a: Asked): string {
  return `${a.time}${a.date ? ` (date ${a.date})` : ''}${a.by ? ` by ${a.by}` : ''}${a.note ? `: ${a.note}` : ''}`;
}
