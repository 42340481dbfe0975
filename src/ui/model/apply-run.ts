// How one run.* event changes the run a task row shows (pure; the event carries everything needed).
import type { StoredEvent } from '../../core/events.js';
import { isRunState, type RunEventType, type RunState } from '../../core/states.js';
import type { RunInfo, TaskInfo } from './types.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const isRunEvent = (e: StoredEvent): e is StoredEvent & { type: RunEventType } => e.type.startsWith('run.');

/** A run first seen through this event (its run.created came before the watch's snapshot). */
export function emptyRun(e: StoredEvent, task: TaskInfo): RunInfo {
  return {
    id: e.run_id!, state: 'ACTIVE', attempt: e.attempt ?? 0, maxAttempts: task.maxAttempts, slot: null, origin: null,
    startedAt: null, attemptStartedAt: null, endedAt: null, durationMs: null, exitCode: null, reason: null,
    pid: null, stdoutPath: null, stderrPath: null,
  };
}

function ended(run: RunInfo, e: StoredEvent, to: RunState): RunInfo {
  const d = e.data;
  const duration = num(d.duration_ms) ?? (run.attemptStartedAt !== null ? e.time - run.attemptStartedAt : null);
  return { ...run, state: to, endedAt: e.time, durationMs: duration, exitCode: num(d.exit_code) ?? (to === 'SUCCESS' ? 0 : run.exitCode), reason: str(d.reason) };
}

/** The run after the event (the same object when nothing shown changes); the event must belong to this run. */
export function applyRunEvent(run: RunInfo, e: StoredEvent & { type: RunEventType }): RunInfo {
  const d = e.data;
  const to: RunState = typeof d.to === 'string' && isRunState(d.to) ? d.to : run.state;
  switch (e.type) {
    case 'run.created': {
      const slot = typeof d.slot === 'string' ? Date.parse(d.slot) : NaN;
      return { ...run, state: 'ACTIVE', slot: Number.isNaN(slot) ? run.slot : slot, origin: str(d.origin) };
    }
    case 'run.accepted':
      return {
        ...run, state: to, attempt: e.attempt ?? run.attempt + 1, maxAttempts: num(d.max_attempts) ?? run.maxAttempts,
        startedAt: run.startedAt ?? e.time, attemptStartedAt: e.time, endedAt: null, durationMs: null, exitCode: null, reason: null,
        pid: null,
      };
    case 'run.started':
      return { ...run, state: to, pid: num(d.pid), stdoutPath: str(d.stdout) ?? run.stdoutPath, stderrPath: str(d.stderr) ?? run.stderrPath };
    case 'run.output':
      return run; // progress of the output only; the log pane reads the file itself
    case 'run.retrying':
      return { ...run, state: to, exitCode: num(d.exit_code), reason: str(d.reason), durationMs: num(d.duration_ms) };
    case 'run.succeeded':
    case 'run.failed':
    case 'run.terminated':
    case 'run.rejected':
    case 'run.skipped':
      return ended(run, e, to);
    case 'run.released':
      return { ...run, state: to, reason: null, endedAt: null };
    case 'run.triggered':
    case 'run.frozen':
    case 'run.unfrozen':
    case 'run.status_modified':
      return { ...run, state: to };
  }
}
