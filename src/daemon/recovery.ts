// After a crash: runs left STARTED or RUNNING are resolved, and processes left behind are killed.
import type { Clock } from '../core/clock.js';
import { killProcessGroup, scanProcesses } from '../attempt/index.js';
import type { Store, TransitionRequest } from '../store/index.js';

/**
 * Processes an attempt of this home started (children, grandchildren, and those that left the
 * process group alike: each inherits the run's variables), with the run they belong to. With
 * `runIds`, only those runs' processes.
 */
export function leftoverProcesses(home: string, runIds?: ReadonlySet<number>): { pid: number; runId: number }[] {
  return scanProcesses((env) => env.get('EASYTASK_HOME') === home && env.has('EASYTASK_RUN_ID'))
    .map((p) => ({ pid: p.pid, runId: Number(p.env.get('EASYTASK_RUN_ID')) }))
    .filter((p) => runIds === undefined || runIds.has(p.runId));
}

export interface RecoveryReport {
  retried: number[];
  failed: number[];
  killed: number[];
}

/**
 * Resolve every run a dead daemon left live: retried when attempts remain, else FAILED (lost).
 * Called before this daemon starts anything, so every process still carrying an attempt's marker
 * of this home is a leftover (of a crash, or one that outlived its attempt's end) and is killed.
 */
/**
 * Kill every process an attempt of this home left (the daemon that started it is gone), and the
 * process groups of `recorded` pids among them. Returns the pids killed.
 */
export function killLeftovers(home: string, recorded: readonly (number | null)[] = []): number[] {
  const killed: number[] = [];
  // Only processes whose environment names this home and a run are ours: after a reboot the
  // recorded pids may belong to anything, so a recorded pid is killed (with its group) only when confirmed.
  const leftovers = leftoverProcesses(home);
  const confirmed = new Set(leftovers.map((p) => p.pid));
  for (const pid of recorded) if (pid && confirmed.has(pid) && killProcessGroup(pid, 'SIGKILL')) killed.push(pid);
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
      if (!killed.includes(p.pid)) killed.push(p.pid);
    } catch {
      // already gone
    }
  }
  return killed;
}

export async function recover(store: Store, clock: Clock, home: string): Promise<RecoveryReport> {
  const stuck = await store.runs.inStates(['STARTED', 'RUNNING']);
  const report: RecoveryReport = { retried: [], failed: [], killed: killLeftovers(home, stuck.map((r) => r.pid)) };
  if (stuck.length === 0) return report;
  const now = clock.now();
  const moves = stuck.map((r) => {
    const data = { error: 'the daemon running this attempt stopped without recording its end', pid: r.pid };
    const transition: TransitionRequest = r.attempt < r.max_attempts
      ? { runId: r.id, event: 'run.retrying', to: 'RESTARTING', patch: { reason: 'lost', due_at: now }, data: { ...data, next_attempt: r.attempt + 1 } }
      : { runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'lost', ended_at: now }, data };
    return { runId: r.id, n: r.attempt, at: now, transition };
  });
  const outcomes = await store.attempts.abandoned(moves);
  outcomes.forEach((o, i) => {
    if (!o.ok) throw o.error;
    (moves[i]!.transition.to === 'RESTARTING' ? report.retried : report.failed).push(o.value.id);
  });
  return report;
}

/**
 * What the start says of recovery: the daemon.recovered event's data and the console line, or
 * undefined when there was nothing to recover (the last daemon stopped cleanly and left nothing).
 */
export function recoveryReport(rec: RecoveryReport, prev: { pid: number; stopped_at: number | null } | undefined, ownsHome: boolean): { event: Record<string, unknown>; line?: string } | undefined {
  if (!((prev && prev.stopped_at === null) || rec.failed.length || rec.retried.length || rec.killed.length)) return undefined;
  const event = { previous_pid: prev?.pid ?? null, failed: rec.failed, retried: rec.retried, killed: rec.killed };
  if (rec.failed.length + rec.retried.length) {
    return { event, line: `Recovered ${rec.failed.length + rec.retried.length} run(s) left by a previous daemon: ${rec.failed.length} failed (lost), ${rec.retried.length} retried; killed ${rec.killed.length} leftover process(es)` };
  }
  if (!rec.killed.length) return { event };
  const whose = ownsHome ? 'of runs that had ended' : 'an earlier process of this home left (their runs are recovered by the leader once their lease ends)';
  return { event, line: `Killed ${rec.killed.length} leftover process(es) ${whose} (pid ${rec.killed.join(', ')})` };
}
