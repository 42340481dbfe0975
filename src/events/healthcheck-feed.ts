// A task's `healthcheck` (a dead-man's switch such as Healthchecks): `<url>/start` when an attempt
// starts, `<url>` when the run succeeds, `<url>/fail` when it finally fails (the exit code and the
// stderr tail as the body). Sent by the leader from the event log after a durable cursor, so each ping
// goes once across restarts; best effort under a time limit, never in the way of a run. Each outcome
// is a healthcheck.pinged or healthcheck.failed event naming only the URL's origin (the URL is a secret).
import type { Clock } from '../core/clock.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import type { StoredEvent } from '../core/events.js';
import { runScope, type RunRow, type Store } from '../store/index.js';
import { readTail } from './alert-context.js';
import type { TaskLookup } from './alert-feed.js';
import { DurableCursor } from './cursor.js';
import { post, safeTarget, type FetchLike } from './http.js';
import { LogReader, type Handled, type LogConsumer } from './log-reader.js';

export const HEALTHCHECK_CURSOR_KEY = 'healthchecks:cursor';
const PING_TYPES = ['run.started', 'run.succeeded', 'run.failed', 'run.terminated', 'run.rejected'] as const;

export type PingKind = 'start' | 'success' | 'fail';

export interface HealthcheckOptions {
  timeoutMs?: number;
  tailBytes?: number;
  fetchImpl?: FetchLike;
  log?: (line: string) => void;
}

interface Ping {
  key: string;
  kind: PingKind;
  url: string;
  run: RunRow;
  attempt: number | null | undefined;
  body: string;
}

/** `<url>/start`, `<url>`, `<url>/fail`, keeping a query string where it belongs. */
export function pingUrl(base: string, kind: PingKind): string {
  if (kind === 'success') return base;
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${kind}`;
  return u.toString();
}

export class HealthcheckFeed implements LogConsumer {
  private readonly reader: LogReader;
  /** Pings go one after another, in the order of the log (a start before its end). */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly lookup: TaskLookup,
    private readonly opts: HealthcheckOptions = {},
  ) {
    this.reader = new LogReader(store, this, new DurableCursor(store, HEALTHCHECK_CURSOR_KEY), {
      page: 1000,
      query: { types: PING_TYPES },
      fresh: 'end',
      lazySaveEvery: 1000,
    });
  }

  start(): Promise<void> {
    return this.reader.open();
  }

  /** Send the pings for what happened since the last check; never rejects. */
  async check(): Promise<void> {
    await this.reader.read();
  }

  async stop(): Promise<void> {
    await this.reader.flush();
    await this.chain;
  }

  async handle(events: readonly StoredEvent[]): Promise<Handled> {
    const pings: Ping[] = [];
    for (const e of events) {
      if (e.run_id == null || e.task_id == null) continue;
      // The run is read only for a task with a healthcheck (most have none).
      const url = (await this.lookup({ task_id: e.task_id, instance: e.instance }))?.task.healthcheck;
      if (!url) continue;
      const run = await this.store.runs.get(e.run_id);
      if (!run) continue;
      const kind: PingKind = e.type === 'run.started' ? 'start' : e.type === 'run.succeeded' ? 'success' : 'fail';
      pings.push({ key: `healthcheck:${e.seq}`, kind, url, run, attempt: e.attempt, body: kind === 'fail' ? await this.failBody(run, e) : '' });
    }
    if (pings.length === 0) return { ok: true, lazy: true };
    const done = this.chain.then(async () => {
      for (const p of pings) await this.send(p);
    });
    this.chain = done.catch(() => undefined);
    return { ok: true, pending: done };
  }

  private async failBody(run: RunRow, e: StoredEvent): Promise<string> {
    const exit = run.exit_code ?? (typeof e.data.exit_code === 'number' ? e.data.exit_code : null);
    const tail = await readTail(run.stderr_path, this.opts.tailBytes ?? EVENT_DEFAULTS.alertTailBytes);
    return `${run.task_name} run ${run.id} ${run.state}${run.reason ? ` (${run.reason})` : ''}\nexit code: ${exit ?? '-'}\n${tail ? `\n${tail}` : ''}`;
  }

  private async send(p: Ping): Promise<void> {
    try {
      if (await this.store.events.has(p.key)) return;
      const started = this.clock.monotonic();
      const r = await post({ url: pingUrl(p.url, p.kind), body: p.body, contentType: 'text/plain; charset=utf-8', timeoutMs: this.opts.timeoutMs ?? EVENT_DEFAULTS.alertHttpTimeoutMs, fetchImpl: this.opts.fetchImpl });
      const target = safeTarget(p.url);
      const data = r.ok
        ? { ping: p.kind, target, http_status: r.status }
        : { ping: p.kind, target, ...(r.status !== undefined ? { http_status: r.status } : {}), error: r.error };
      await this.store.events.append({
        key: p.key,
        type: r.ok ? 'healthcheck.pinged' : 'healthcheck.failed',
        time: this.clock.now(),
        ...runScope(p.run),
        attempt: p.attempt ?? p.run.attempt,
        data: { ...data, duration_ms: Math.round(this.clock.monotonic() - started) },
      });
      if (!r.ok) this.opts.log?.(`healthcheck ${p.kind} ping for ${p.run.task_name} run ${p.run.id} failed: ${r.error}`);
    } catch (err) {
      this.opts.log?.(`healthcheck ${p.kind} ping for run ${p.run.id}: ${(err as Error).message}`);
    }
  }
}
