// What the store records of an attempt as it starts and ends: the attempt row and the run's
// transition with its event. Called inside the agent's transaction for the turn.
import type { RunRow, Store } from '../store/index.js';
import { outputErrors, type Settlement, type Verdict } from './attempt-verdict.js';

/** A process that started: the run it is for, its pid, when, and its output files. */
export interface StartRecord {
  entry: { run: RunRow };
  pid: number;
  at: number;
  stdoutPath: string;
  stderrPath: string;
}

/** The attempt's pid, and the run RUNNING. */
export function recordStart(store: Store, { entry, pid, at, stdoutPath, stderrPath }: StartRecord): RunRow {
  const run = entry.run;
  store.attempts.setPid(run.id, run.attempt, pid);
  return store.runs.transitionInTx({
    runId: run.id, event: 'run.started', to: 'RUNNING',
    patch: { pid, stdout_path: stdoutPath, stderr_path: stderrPath },
    // spawned_at: when the process started, which the event's own time (when it was recorded) follows.
    data: { pid, stdout: stdoutPath, stderr: stderrPath, spawned_at: new Date(at).toISOString() },
  });
}

/** How the attempt ended, and the run SUCCESS, TERMINATED, FAILED, or RESTARTING after `retryInMs`. */
export function recordEnd(store: Store, run: RunRow, how: Settlement, v: Verdict, now: number, retryInMs: number | undefined): RunRow {
  const r = how.kind === 'result' ? how.result : undefined;
  const lostOutput = r ? outputErrors(r) : [];
  const outputError = lostOutput.length ? JSON.stringify(lostOutput) : null;
  store.attempts.end({
    runId: run.id, n: run.attempt, endedAt: now, durationMs: r?.durationMs ?? null, exitCode: v.exitCode, signal: v.signal ?? null, reason: v.reason,
    stdoutBytes: r?.output.stdout.bytes ?? 0, stderrBytes: r?.output.stderr.bytes ?? 0, outputError,
  });
  const data = {
    exit_code: v.exitCode, duration_ms: r ? Math.round(r.durationMs) : null, ...(v.error ? { error: v.error } : {}), ...(v.signal ? { signal: v.signal } : {}),
    ...(r?.output.stdout.truncated || r?.output.stderr.truncated ? { truncated: true } : {}),
    ...(lostOutput.length ? { output_error: lostOutput } : {}),
  };
  if (v.state === 'SUCCESS') {
    return store.runs.transitionInTx({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: now, reason: null }, data });
  }
  if (v.state === 'TERMINATED') {
    return store.runs.transitionInTx({ runId: run.id, event: 'run.terminated', to: 'TERMINATED', patch: { exit_code: v.exitCode, ended_at: now, reason: v.reason }, data });
  }
  if (retryInMs !== undefined) {
    return store.runs.transitionInTx({
      runId: run.id, event: 'run.retrying', to: 'RESTARTING', patch: { exit_code: v.exitCode, reason: v.reason, due_at: now + retryInMs },
      data: { ...data, retry_in_ms: retryInMs, next_attempt: run.attempt + 1 },
    });
  }
  return store.runs.transitionInTx({ runId: run.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: v.exitCode, ended_at: now, reason: v.reason }, data });
}
