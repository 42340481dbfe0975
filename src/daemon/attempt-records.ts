// What the store records of an attempt as it starts and ends: the started process, and the attempt's
// end with the run's transition (SUCCESS, TERMINATED, FAILED, or RESTARTING after a retry delay).
import type { AttemptEnd, RunRow, StartedProcess, TransitionRequest } from '../store/index.js';
import { outputErrors, type Settlement, type Verdict } from './attempt-verdict.js';

/** A process that started: the run it is for, its pid, when, and its output files. */
export interface StartRecord {
  entry: { run: RunRow; token: string };
  pid: number;
  at: number;
  stdoutPath: string;
  stderrPath: string;
}

export function startedProcess({ entry, pid, at, stdoutPath, stderrPath }: StartRecord): StartedProcess {
  return { runId: entry.run.id, attempt: entry.run.attempt, pid, at, stdoutPath, stderrPath, token: entry.token };
}

/** How the attempt ended, and the run's move: SUCCESS, TERMINATED, FAILED, or RESTARTING after `retryInMs`. */
export function endRecord(run: RunRow, how: Settlement, v: Verdict, now: number, retryInMs: number | undefined): { end: AttemptEnd; transition: TransitionRequest } {
  const r = how.kind === 'result' || how.kind === 'lost' ? how.result : undefined;
  const lostOutput = r ? outputErrors(r) : [];
  const outputError = lostOutput.length ? JSON.stringify(lostOutput) : null;
  const end: AttemptEnd = {
    runId: run.id, n: run.attempt, endedAt: now, durationMs: r?.durationMs ?? null, exitCode: v.exitCode, signal: v.signal ?? null, reason: v.reason,
    stdoutBytes: r?.output.stdout.bytes ?? 0, stderrBytes: r?.output.stderr.bytes ?? 0, outputError,
  };
  const data = {
    exit_code: v.exitCode, duration_ms: r ? Math.round(r.durationMs) : null, ...(v.error ? { error: v.error } : {}), ...(v.signal ? { signal: v.signal } : {}),
    ...(r?.output.stdout.truncated || r?.output.stderr.truncated ? { truncated: true } : {}),
    ...(lostOutput.length ? { output_error: lostOutput } : {}),
  };
  const runId = run.id;
  if (v.state === 'SUCCESS') return { end, transition: { runId, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: now, reason: null }, data } };
  if (v.state === 'TERMINATED') return { end, transition: { runId, event: 'run.terminated', to: 'TERMINATED', patch: { exit_code: v.exitCode, ended_at: now, reason: v.reason }, data } };
  if (retryInMs !== undefined) {
    return {
      end,
      transition: {
        runId, event: 'run.retrying', to: 'RESTARTING', patch: { exit_code: v.exitCode, reason: v.reason, due_at: now + retryInMs },
        data: { ...data, retry_in_ms: retryInMs, next_attempt: run.attempt + 1 },
      },
    };
  }
  return { end, transition: { runId, event: 'run.failed', to: 'FAILED', patch: { exit_code: v.exitCode, ended_at: now, reason: v.reason }, data } };
}
