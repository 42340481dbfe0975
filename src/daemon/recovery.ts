// After a crash: runs left STARTED or RUNNING are resolved, and processes left behind are killed.
import { sql } from '../store/statements.js';
import { readdirSync, readFileSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import { killProcessGroup } from '../agent/index.js';
import type { Store } from '../store/index.js';

/** Pids whose environment names this home and one of these runs (children and grandchildren alike). */
export function leftoverProcesses(home: string, runIds: ReadonlySet<number>): { pid: number; runId: number }[] {
  const found: { pid: number; runId: number }[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = env.split('\0');
    if (!vars.includes(`EASYTASK_HOME=${home}`)) continue;
    const id = Number(vars.find((v) => v.startsWith('EASYTASK_RUN_ID='))?.slice(16));
    if (runIds.has(id)) found.push({ pid: Number(name), runId: id });
  }
  return found;
}

export interface RecoveryReport {
  retried: number[];
  failed: number[];
  killed: number[];
}

/** Resolve every run a dead daemon left live: retried when attempts remain, else FAILED (lost). */
export function recover(store: Store, clock: Clock, home: string): RecoveryReport {
  const stuck = store.runs.inStates(['STARTED', 'RUNNING']);
  const report: RecoveryReport = { retried: [], failed: [], killed: [] };
  if (stuck.length === 0) return report;
  const ids = new Set(stuck.map((r) => r.id));
  // Only processes whose environment names this home and run are ours: after a reboot the recorded
  // pids may belong to anything, so a recorded pid is killed (with its group) only when confirmed.
  const leftovers = leftoverProcesses(home, ids);
  const confirmed = new Set(leftovers.map((p) => p.pid));
  for (const r of stuck) if (r.pid && confirmed.has(r.pid) && killProcessGroup(r.pid, 'SIGKILL')) report.killed.push(r.pid);
  for (const p of leftovers) {
    try {
      process.kill(p.pid, 'SIGKILL');
      if (!report.killed.includes(p.pid)) report.killed.push(p.pid);
    } catch {
      // already gone
    }
  }
  const now = clock.now();
  store.tx(() => {
    for (const r of stuck) {
      sql(store.db, `UPDATE attempts SET ended_at = ?, reason = 'lost' WHERE run_id = ? AND n = ? AND ended_at IS NULL`).run(now, r.id, r.attempt);
      const data = { error: 'the daemon running this attempt stopped without recording its end', pid: r.pid };
      if (r.attempt < r.max_attempts) {
        store.runs.transitionInTx({ runId: r.id, event: 'run.retrying', to: 'RESTARTING', patch: { reason: 'lost', due_at: now }, data: { ...data, next_attempt: r.attempt + 1 } });
        report.retried.push(r.id);
      } else {
        store.runs.transitionInTx({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'lost', ended_at: now }, data });
        report.failed.push(r.id);
      }
    }
  });
  return report;
}
