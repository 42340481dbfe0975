// The three alert actions: a bash command under a time limit, a JSON webhook, a Slack incoming webhook.
import { spawn } from 'node:child_process';
import { systemClock, type Clock } from '../core/clock.js';
import { post, safeTarget, type FetchLike } from './http.js';

export interface ActionOutcome {
  ok: boolean;
  data: Record<string, unknown>;
}

/** Run `bash -c cmd` in its own process group; past `timeoutMs` on `clock` the whole group is killed. */
export function runCommand(cmd: string, env: Record<string, string | undefined>, cwd: string, timeoutMs: number, clock: Clock = systemClock): Promise<ActionOutcome> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('bash', ['-c', cmd], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      if (output.length < 2000) output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = clock.after(timeoutMs, () => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    });
    child.once('error', (err) => {
      timer.cancel();
      resolve({ ok: false, data: { error: `cannot run bash: ${err.message}` } });
    });
    child.once('close', (code, signal) => {
      timer.cancel();
      const tail = output.trim().slice(-500);
      if (timedOut) return resolve({ ok: false, data: { error: `timed out after ${timeoutMs} ms` } });
      if (code === 0) return resolve({ ok: true, data: { exit_code: 0 } });
      resolve({ ok: false, data: { exit_code: code, ...(signal ? { signal } : {}), error: tail || `exited with ${code ?? signal}` } });
    });
  });
}

export interface HttpAction {
  url: string;
  body: Record<string, unknown>;
  timeoutMs: number;
  fetchImpl?: FetchLike;
}

/** POST JSON; any 2xx answer is success. The event records only the URL's origin (Slack URLs are secrets). */
export async function postJson(a: HttpAction): Promise<ActionOutcome> {
  const r = await post({ url: a.url, body: JSON.stringify(a.body), contentType: 'application/json', timeoutMs: a.timeoutMs, fetchImpl: a.fetchImpl });
  const target = safeTarget(a.url);
  if (r.ok) return { ok: true, data: { target, http_status: r.status } };
  return { ok: false, data: { target, ...(r.status !== undefined ? { http_status: r.status } : {}), error: r.error } };
}
