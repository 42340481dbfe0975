// Lifecycle event types (product.md §5): one union, `domain.verb`.
import type { GroupRunEventType, RunEventType } from './states.js';

export type DefinitionEventType =
  | 'task.created'
  | 'task.updated'
  | 'task.deleted'
  | 'task.enabled'
  | 'task.disabled'
  | 'group.created'
  | 'group.updated'
  | 'group.deleted'
  | 'group.enabled'
  | 'group.disabled';

export type EventType =
  | RunEventType
  | DefinitionEventType
  | GroupRunEventType
  | 'daemon.started'
  | 'daemon.stopped'
  | 'daemon.recovered'
  | 'daemon.degraded'
  | 'daemon.healthy'
  | 'calendar.reloaded'
  | 'alert.sent'
  | 'alert.failed'
  | 'healthcheck.pinged'
  | 'healthcheck.failed'
  /** A business date of a task frozen or released (data: date, runs held or released, by, note). */
  | 'task.frozen'
  | 'task.unfrozen';

/** An event as appended: `key` is its natural key, so appending it twice stores it once. */
export interface NewEvent {
  key: string;
  type: EventType;
  time: number;
  instance: string;
  run_id?: number | null;
  attempt?: number | null;
  task?: string | null;
  task_id?: number | null;
  group?: string | null;
  group_run_id?: number | null;
  data: Record<string, unknown>;
}

/** An event as stored, with its global sequence number. */
export interface StoredEvent extends NewEvent {
  seq: number;
}

/** The event types that end a run. */
export const RUN_END_TYPES: readonly EventType[] = ['run.succeeded', 'run.failed', 'run.terminated', 'run.rejected'];

/** Every task.* and group.* event type: a definition changed. */
export const DEFINITION_EVENT_TYPES: readonly DefinitionEventType[] = [
  'task.created', 'task.updated', 'task.deleted', 'task.enabled', 'task.disabled',
  'group.created', 'group.updated', 'group.deleted', 'group.enabled', 'group.disabled',
];

const DEFINITION_TYPES: ReadonlySet<string> = new Set(DEFINITION_EVENT_TYPES);

/** A task.* or group.* event that changed a definition (task.frozen and task.unfrozen do not). */
export function isDefinitionEventType(type: string): type is DefinitionEventType {
  return DEFINITION_TYPES.has(type);
}
