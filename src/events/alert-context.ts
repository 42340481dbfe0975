// What an alert knows about its run: the ${P:…} values (with bounded output tails), its environment,
// and the JSON body a webhook receives.
import { open } from 'node:fs/promises';
import type { AlertParam } from '../attempt/index.js';
import type { TaskDef } from '../core/task.js';
import type { RunRow } from '../store/index.js';
import { formatDuration } from './format.js';

/** The last `max` bytes of a file, from a line start where possible; '' when it cannot be read. */
export async function readTail(path: string | null, max: number): Promise<string> {
  if (!path || max <= 0) return '';
  let handle;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    // One byte more than asked, to see whether the tail starts right after a newline.
    const start = Math.max(0, size - max - 1);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    let chunk = buf.subarray(0, bytesRead);
    if (start > 0) {
      const nl = chunk.indexOf(0x0a);
      // Start at the first line start when there is one; else drop a split UTF-8 character.
      if (nl !== -1 && nl < chunk.length - 1) chunk = chunk.subarray(nl + 1);
      else {
        chunk = chunk.subarray(1);
        while (chunk.length && (chunk[0]! & 0xc0) === 0x80) chunk = chunk.subarray(1);
      }
    }
    return chunk.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

export interface AlertFacts {
  run: RunRow;
  /** How long the last attempt's process ran (null when none ran): what ${P:duration} says. */
  durationMs: number | null;
  params: Record<AlertParam, string>;
  stdoutTail: string;
  stderrTail: string;
}

export async function alertFacts(run: RunRow, durationMs: number | null, tailBytes: number): Promise<AlertFacts> {
  const [stdoutTail, stderrTail] = await Promise.all([readTail(run.stdout_path, tailBytes), readTail(run.stderr_path, tailBytes)]);
  return {
    run,
    durationMs,
    stdoutTail,
    stderrTail,
    params: {
      status: run.state,
      pid: run.pid === null ? '' : String(run.pid),
      duration: durationMs === null ? '' : formatDuration(durationMs),
      stdout: stdoutTail,
      stderr: stderrTail,
    },
  };
}

/** The alert command's environment: the daemon's, the task's env, and variables naming the run. */
export function alertEnv(f: AlertFacts, task: TaskDef, home: string): Record<string, string | undefined> {
  const r = f.run;
  const ms = f.durationMs;
  return {
    ...process.env,
    ...task.env,
    EASYTASK_HOME: home,
    EASYTASK_TASK: r.task_name,
    EASYTASK_RUN_ID: String(r.id),
    EASYTASK_ALERT_STATUS: r.state,
    EASYTASK_EXIT_CODE: r.exit_code === null ? '' : String(r.exit_code),
    EASYTASK_REASON: r.reason ?? '',
    EASYTASK_DURATION_MS: ms === null ? '' : String(ms),
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The JSON a `webhook` action POSTs. */
export function webhookBody(f: AlertFacts, text: string): Record<string, unknown> {
  const r = f.run;
  return {
    text,
    task: r.task_name,
    task_id: r.task_id,
    instance: r.instance,
    run_id: r.id,
    status: r.state,
    reason: r.reason,
    exit_code: r.exit_code,
    attempt: r.attempt,
    max_attempts: r.max_attempts,
    slot: iso(r.slot),
    started_at: iso(r.started_at),
    ended_at: iso(r.ended_at),
    duration_ms: f.durationMs,
    host: r.host,
    pid: r.pid,
    stdout_tail: f.stdoutTail,
    stderr_tail: f.stderrTail,
  };
}

/** The summary line for webhook and Slack texts; resolved like any alert text. */
export function summaryTemplate(run: RunRow): string {
  const why = run.reason ? ` (${run.reason}${run.exit_code !== null ? `, exit ${run.exit_code}` : ''})` : run.exit_code ? ` (exit ${run.exit_code})` : '';
  const host = run.host ? ` on ${run.host}` : '';
  return `EasyTask: \${T:task_name} run ${run.id} \${P:status}${why} after \${P:duration}${host}`;
}
