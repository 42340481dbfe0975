// Ending live runs on purpose (easytask terminate, and a new slot of an overlap "replace" task): a run
// this daemon's agent holds is ended by its agent (its attempt records TERMINATED and the process
// group is killed); one an agent elsewhere holds is flagged for that agent to kill; the rest (not
// started) end TERMINATED here.
import type { TerminateReason } from '../attempt/index.js';
import type { Asker } from '../core/asker.js';
import type { RunRow, TransitionRequest } from '../store/index.js';
import type { LocalAgent } from './agent.js';

export interface TerminatePlan {
  /** Transitions to TERMINATED of the runs no agent holds. */
  requests: TransitionRequest[];
  /** Attempts held by agents elsewhere, to flag. */
  stop: { runId: number; n: number }[];
  /** One phrase per run, for the answer or the log. */
  done: string[];
}

/** `data` goes on the TERMINATED events written here; `who` asked (recorded by the agent on the runs it ends). */
export function planTerminate(agent: Pick<LocalAgent, 'terminate'>, runs: readonly RunRow[], reason: TerminateReason, now: number, data?: Record<string, unknown>, who?: Asker): TerminatePlan {
  const plan: TerminatePlan = { requests: [], stop: [], done: [] };
  for (const r of runs) {
    if (agent.terminate(r.id, reason, who)) plan.done.push(`run ${r.id} (${r.state}${r.pid ? `, pid ${r.pid}` : ''})`);
    else if (r.state === 'STARTED' || r.state === 'RUNNING') {
      plan.stop.push({ runId: r.id, n: r.attempt });
      plan.done.push(`run ${r.id} (${r.state} on ${r.host ?? '?'}${r.pid ? `, pid ${r.pid}` : ''}: its agent ends it)`);
    } else {
      plan.requests.push({ runId: r.id, event: 'run.terminated', to: 'TERMINATED', patch: { reason, ended_at: now }, expectVersion: r.version, ...(data ? { data } : {}) });
      plan.done.push(`run ${r.id} (${r.state})`);
    }
  }
  return plan;
}
