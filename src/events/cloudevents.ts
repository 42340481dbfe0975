// Maps a stored event to CloudEvents 1.0 in JSON structured mode (product.md §5), one object per event.
import type { EventType, StoredEvent } from '../core/events.js';

export type CloudEventJson = {
  specversion: '1.0';
  /** The event's seq: unique per source, never reused (AUTOINCREMENT). */
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
};

/** What an event is about; decides its CloudEvents subject. */
export type SubjectKind = 'run' | 'task' | 'group' | 'group_run' | 'daemon' | 'calendar';

/** Every event type and its subject kind; the Record type makes the list complete. */
export const SUBJECT_KINDS: Readonly<Record<EventType, SubjectKind>> = {
  'run.created': 'run',
  'run.triggered': 'run',
  'run.accepted': 'run',
  'run.started': 'run',
  'run.output': 'run',
  'run.succeeded': 'run',
  'run.failed': 'run',
  'run.retrying': 'run',
  'run.terminated': 'run',
  'run.rejected': 'run',
  'run.frozen': 'run',
  'run.unfrozen': 'run',
  'run.skipped': 'run',
  'run.status_modified': 'run',
  'run.released': 'run',
  'alert.sent': 'run',
  'alert.failed': 'run',
  'healthcheck.pinged': 'run',
  'healthcheck.failed': 'run',
  'task.created': 'task',
  'task.updated': 'task',
  'task.deleted': 'task',
  'task.enabled': 'task',
  'task.disabled': 'task',
  'task.frozen': 'task',
  'task.unfrozen': 'task',
  'group.created': 'group',
  'group.updated': 'group',
  'group.deleted': 'group',
  'group.enabled': 'group',
  'group.disabled': 'group',
  'group_run.created': 'group_run',
  'group_run.started': 'group_run',
  'group_run.succeeded': 'group_run',
  'group_run.failed': 'group_run',
  'group_run.skipped': 'group_run',
  'group_run.reopened': 'group_run',
  'daemon.started': 'daemon',
  'daemon.stopped': 'daemon',
  'daemon.recovered': 'daemon',
  'daemon.degraded': 'daemon',
  'daemon.healthy': 'daemon',
  'calendar.reloaded': 'calendar',
};

export const EVENT_TYPES = Object.keys(SUBJECT_KINDS) as EventType[];

/** `run.failed` → `io.easytask.run.failed.v1`. */
export const ceType = (type: string): string => `io.easytask.${type}.v1`;

export const ceSource = (host: string, instance: string): string =>
  `easytask://${encodeURIComponent(host)}/${encodeURIComponent(instance)}`;

const seg = (s: string | number): string => encodeURIComponent(String(s));

/** A type written by a newer version is not in the table: guess its kind from the domain. */
function kindOf(type: string): SubjectKind {
  const known = (SUBJECT_KINDS as Readonly<Record<string, SubjectKind>>)[type];
  if (known) return known;
  const domain = type.split('.')[0] ?? '';
  return domain === 'task' || domain === 'group' || domain === 'group_run' || domain === 'daemon' || domain === 'calendar' ? domain : 'run';
}

export function ceSubject(e: StoredEvent): string {
  const task = e.task ? `tasks/${seg(e.task)}` : undefined;
  const kind = kindOf(e.type);
  switch (kind) {
    case 'run':
      if (task && e.run_id != null) return `${task}/runs/${e.run_id}`;
      return task ?? (e.run_id != null ? `runs/${e.run_id}` : 'runs');
    case 'task':
      return task ?? 'tasks';
    case 'group':
      return e.group ? `groups/${seg(e.group)}` : 'groups';
    case 'group_run': {
      const base = e.group ? `groups/${seg(e.group)}` : 'groups';
      return e.group_run_id != null ? `${base}/runs/${e.group_run_id}` : base;
    }
    case 'daemon':
      return 'daemon';
    case 'calendar':
      return 'calendars';
  }
}

export function toCloudEvent(e: StoredEvent, host: string): CloudEventJson {
  return {
    specversion: '1.0',
    id: String(e.seq),
    source: ceSource(host, e.instance),
    type: ceType(e.type),
    subject: ceSubject(e),
    time: new Date(e.time).toISOString(),
    datacontenttype: 'application/json',
    data: e.data,
  };
}
