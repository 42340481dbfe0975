// Builders for view-model tests: task and group records, stored events, and a state built from actions.
import type { StoredEvent } from '../../../src/core/events.js';
import { reduce, initialState } from '../../../src/ui/model/reducer.js';
import type { Filter, GroupInfo, TaskInfo, ViewState, WatchAction } from '../../../src/ui/model/types.js';

export const T0 = Date.UTC(2026, 2, 1, 12);

export function task(name: string, extra: Partial<TaskInfo> = {}): TaskInfo {
  return { instance: 'default', name, tid: 1000 + name.length, group: null, active: true, maxRunTime: 60, maxAttempts: 2, schedule: 'at 03:00', ...extra };
}

export function group(name: string, extra: Partial<GroupInfo> = {}): GroupInfo {
  return { instance: 'default', name, gid: 5000, active: true, schedule: 'at 04:00', ...extra };
}

let seq = 0;
/** A run event as the store writes it: `to` names the state entered, `from` the one left. */
export function runEvent(type: StoredEvent['type'], taskName: string, runId: number, data: Record<string, unknown> = {}, extra: Partial<StoredEvent> = {}): StoredEvent {
  seq += 1;
  return { seq, key: `k${seq}`, type, time: T0 + seq * 1000, instance: 'default', run_id: runId, attempt: 1, task: taskName, task_id: 1, data, ...extra };
}

/** The events of one run from creation to `final`, with from/to as the store records them. */
export function runLifecycle(taskName: string, runId: number, final: 'SUCCESS' | 'FAILED' | 'RUNNING'): StoredEvent[] {
  const evs = [
    runEvent('run.created', taskName, runId, { to: 'ACTIVE', slot: new Date(T0).toISOString(), origin: 'schedule' }, { attempt: 0 }),
    runEvent('run.triggered', taskName, runId, { from: 'ACTIVE', to: 'TRIGGER' }, { attempt: 0 }),
    runEvent('run.accepted', taskName, runId, { from: 'TRIGGER', to: 'STARTED', max_attempts: 2 }),
    runEvent('run.started', taskName, runId, { from: 'STARTED', to: 'RUNNING', pid: 4242, stdout: `/logs/${taskName}/${runId}.out`, stderr: `/logs/${taskName}/${runId}.err` }),
  ];
  if (final === 'SUCCESS') evs.push(runEvent('run.succeeded', taskName, runId, { from: 'RUNNING', to: 'SUCCESS', exit_code: 0, duration_ms: 1500 }));
  if (final === 'FAILED') evs.push(runEvent('run.failed', taskName, runId, { from: 'RUNNING', to: 'FAILED', exit_code: 3, reason: 'exit_code', duration_ms: 900 }));
  return evs;
}

export const events = (evs: StoredEvent[]): WatchAction[] => evs.map((event) => ({ type: 'event', event }));

export function build(actions: WatchAction[], filter?: Filter): ViewState {
  return actions.reduce(reduce, initialState(T0, filter));
}

export const apply = (s: ViewState, ...actions: WatchAction[]): ViewState => actions.reduce(reduce, s);

/** Today starting before every test event, so each created run counts. */
export const today = (): WatchAction => ({ type: 'today', today: { dayStart: T0 - 3_600_000, dayEnd: T0 + 86_400_000, firstRunId: 1, counts: {} } });
