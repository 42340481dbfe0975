// Store rows and definitions turned into the view-model's plain records.
import type { GroupDef, TaskDef } from '../../core/task.js';
import { scheduleText } from '../../cli/describe.js';
import type { RunRow } from '../../store/index.js';
import type { GroupInfo, RunInfo, TaskInfo } from '../model/types.js';

export function taskInfo(t: TaskDef): TaskInfo {
  return {
    instance: t.instance, name: t.name, tid: t.tid, group: t.task_group ?? null, active: t.active,
    maxRunTime: t.max_run_time ?? null, maxAttempts: 1 + t.retry_attempts, schedule: scheduleText({ kind: 'task', def: t }),
  };
}

export function groupInfo(g: GroupDef): GroupInfo {
  return { instance: g.instance, name: g.name, gid: g.gid, active: g.active, schedule: scheduleText({ kind: 'group', def: g }) };
}

/** A run row as the tree shows it; attemptStartedAt comes from the attempts table. */
export function runInfo(r: RunRow, attemptStartedAt: number | null): RunInfo {
  return {
    id: r.id, state: r.state, attempt: r.attempt, maxAttempts: r.max_attempts, slot: r.slot, origin: r.origin,
    startedAt: r.started_at, attemptStartedAt: attemptStartedAt ?? r.started_at, endedAt: r.ended_at,
    durationMs: r.ended_at !== null && r.started_at !== null ? r.ended_at - (attemptStartedAt ?? r.started_at) : null,
    exitCode: r.exit_code, reason: r.reason, pid: r.pid, stdoutPath: r.stdout_path, stderrPath: r.stderr_path,
  };
}
