// How an attempt ended, in the run's terms: the state it moves to, the reason, and whether a retry may follow.
import type { AttemptResult, TerminateReason } from '../attempt/index.js';
import type { RunReason } from '../core/states.js';

export type Settlement =
  | { kind: 'result'; result: AttemptResult }
  | { kind: 'unstarted'; reason: 'placeholder_error' | 'user_error' | 'spawn_error' | 'deleted' | TerminateReason; message: string }
  /** The agent could not renew the attempt's lease and killed it before the lease ended (`result`: how its process ended). */
  | { kind: 'lost'; message: string; result?: AttemptResult };

export interface Verdict {
  state: 'SUCCESS' | 'FAILED' | 'TERMINATED';
  reason: RunReason | null;
  exitCode: number | null;
  signal?: string;
  error?: string;
  retriable: boolean;
}

/** How an attempt ended, in the run's terms. */
export function verdict(how: Settlement): Verdict {
  if (how.kind === 'lost') return { state: 'FAILED', reason: 'lost', exitCode: null, error: how.message, retriable: true };
  if (how.kind === 'unstarted') {
    if (how.reason === 'requested' || how.reason === 'shutdown' || how.reason === 'replaced') return { state: 'TERMINATED', reason: how.reason, exitCode: null, retriable: false };
    return { state: 'FAILED', reason: how.reason, exitCode: null, error: how.message, retriable: how.reason === 'spawn_error' };
  }
  const r = how.result;
  switch (r.outcome) {
    case 'success':
      return { state: 'SUCCESS', reason: null, exitCode: 0, retriable: false };
    case 'terminated':
      return { state: 'TERMINATED', reason: r.reason, exitCode: null, retriable: false };
    case 'failed':
      switch (r.reason) {
        case 'exit_code':
          return { state: 'FAILED', reason: 'exit_code', exitCode: r.exitCode, ...(r.signal ? { signal: r.signal } : {}), retriable: true };
        case 'timeout':
          return { state: 'FAILED', reason: 'timeout', exitCode: null, retriable: true };
        case 'spawn_error':
          return { state: 'FAILED', reason: 'spawn_error', exitCode: null, error: r.error, retriable: true };
        case 'user_error':
          return { state: 'FAILED', reason: 'user_error', exitCode: null, error: r.error, retriable: false };
        case 'lost':
          return { state: 'FAILED', reason: 'lost', exitCode: null, error: r.error, retriable: true };
      }
  }
}

/** An output stream the attempt could not write in full (disk full…), as runs, show and the events carry it. */
export interface OutputError {
  stream: 'stdout' | 'stderr';
  path: string;
  code: string;
  message: string;
  bytes_lost: number;
}

/** The streams of an attempt that its files did not take in full. */
export function outputErrors(r: AttemptResult): OutputError[] {
  const out: OutputError[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const s = r.output[stream];
    if (s.writeError) out.push({ stream, path: s.path, code: s.writeError.code, message: s.writeError.message, bytes_lost: s.writeError.lost });
  }
  return out;
}
