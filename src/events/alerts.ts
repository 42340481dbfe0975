// A task's `alert`, fired once after a run's final attempt; every outcome is an alert.sent or
// alert.failed event, and nothing an alert does can throw into the daemon or change the run.
import { DateTime } from 'luxon';
import { resolvePlaceholders, type PlaceholderContext } from '../attempt/index.js';
import type { Clock } from '../core/clock.js';
import type { RunState } from '../core/states.js';
import type { AlertAction, AlertOn, TaskDef } from '../core/task.js';
import { runScope, type RunRow, type Store } from '../store/index.js';
import { runCommand, postJson, type ActionOutcome } from './alert-actions.js';
import { alertEnv, alertFacts, summaryTemplate, webhookBody, type AlertFacts } from './alert-context.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import type { FetchLike } from './http.js';
import { runMail, sendMail } from './alert-email.js';
import { fireMissed, type MissedSlots } from './missed-alerts.js';

export interface AlertOptions {
  home: string;
  commandTimeoutMs?: number;
  httpTimeoutMs?: number;
  tailBytes?: number;
  fetchImpl?: FetchLike;
  smtpTimeoutMs?: number;
  /** Where the SMTP settings are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

type Outcome = 'success' | 'failure' | 'none';

/** How a run ended, in alert_on terms; runs that never ran (SKIPPED) or are not final raise none. */
export function outcomeOf(state: RunState): Outcome {
  switch (state) {
    case 'SUCCESS':
      return 'success';
    case 'FAILED':
    case 'TERMINATED':
    case 'REJECTED':
      return 'failure';
    case 'SKIPPED':
    case 'ACTIVE':
    case 'TRIGGER':
    case 'STARTED':
    case 'RUNNING':
    case 'RESTARTING':
    case 'FROZEN':
      return 'none';
  }
}

/** What alert_on "change" and "output" need to know beside the run's own state. */
export interface AlertHistory {
  /** The state of the task's previous run that ended with an outcome; undefined when there is none. */
  previous?: RunState;
  /** Bytes the run's last attempt wrote to stdout and stderr together. */
  outputBytes?: number;
}

/** Whether a run that ended in `state` fires an alert with this alert_on. */
export function alertWanted(on: AlertOn, state: RunState, history: AlertHistory = {}): boolean {
  const outcome = outcomeOf(state);
  if (outcome === 'none') return false;
  switch (on) {
    case 'always':
      return true;
    case 'change':
      // A first run is a change only when it failed (a task that starts well says nothing).
      return history.previous === undefined ? outcome === 'failure' : outcomeOf(history.previous) !== outcome;
    case 'output':
      return outcome === 'failure' || (history.outputBytes ?? 0) > 0;
    case 'failure':
    case 'success':
      return on === outcome;
  }
}

export type ActionKind = 'command' | 'webhook' | 'slack' | 'email';

export class AlertRunner {
  private readonly inflight = new Set<Promise<void>>();
  /** Missed-slot detections being alerted: the same one seen twice meanwhile fires once. */
  private readonly missedInFlight = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: AlertOptions,
  ) {}

  /** Fire the task's alert for a run that just reached its final state; resolves when done, never rejects. */
  onFinal(run: RunRow, task: TaskDef, timezone?: string): Promise<void> {
    const p = this.fire(run, task, timezone).catch((err: unknown) => this.opts.log?.(`alert for run ${run.id}: ${(err as Error).message}`));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Fire the task's alert for slots that passed without a run (once per detection); never rejects. */
  onMissed(m: MissedSlots): Promise<void> {
    if (this.missedInFlight.has(m.id)) return Promise.resolve();
    this.missedInFlight.add(m.id);
    const p = fireMissed(this.store, this.clock, this.opts, m, kindOf).catch((err: unknown) => this.opts.log?.(`alert for ${m.task.name} (missed slots): ${(err as Error).message}`));
    this.inflight.add(p);
    void p.finally(() => {
      this.inflight.delete(p);
      this.missedInFlight.delete(m.id);
    });
    return p;
  }

  /** Wait for alerts in flight (daemon shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  private async fire(given: RunRow, task: TaskDef, timezone?: string): Promise<void> {
    const alert = task.alert;
    const run = (await this.store.runs.get(given.id)) ?? given;
    if (!alert) return;
    const history = await this.history(alert.alert_on, run);
    if (!alertWanted(alert.alert_on, run.state, history)) return;
    const facts = await alertFacts(run, await this.store.runs.lastAttemptMs(run), this.opts.tailBytes ?? EVENT_DEFAULTS.alertTailBytes);
    const ctx: PlaceholderContext = {
      env: alertEnv(facts, task, this.opts.home),
      taskName: task.name,
      taskId: task.tid,
      triggerAt: run.slot,
      timezone: timezone ?? task.timezone ?? DateTime.local().zoneName ?? 'UTC',
      params: facts.params,
    };
    for (const [i, action] of alert.actions.entries()) {
      const key = `alert:${run.id}:v${run.version}:${i}`;
      if (await this.store.events.has(key)) continue;
      const kind = kindOf(action);
      const started = this.clock.monotonic();
      const outcome = await this.perform(kind, action, facts, ctx);
      const extra = alert.alert_on === 'change' ? { previous_status: history.previous ?? null } : {};
      await this.record(run, key, kind, i, alert.alert_on, { ...outcome, data: { ...extra, ...outcome.data } }, this.clock.monotonic() - started);
    }
  }

  private async history(on: AlertOn, run: RunRow): Promise<AlertHistory> {
    if (on === 'change') return { previous: (await this.store.runs.previousFinal(run))?.state };
    if (on === 'output' && outcomeOf(run.state) === 'success') {
      const bytes = await this.store.runs.lastAttemptOutput(run);
      return { outputBytes: bytes ? bytes.stdout_bytes + bytes.stderr_bytes : 0 };
    }
    return {};
  }

  private async perform(kind: ActionKind, action: AlertAction, f: AlertFacts, ctx: PlaceholderContext): Promise<ActionOutcome> {
    const text = (template: string, field: string, quote: boolean) => resolvePlaceholders(template, ctx, { mode: 'alert', field, quote });
    const summary = text(summaryTemplate(f.run), 'alert text', false);
    const http = this.opts.httpTimeoutMs ?? EVENT_DEFAULTS.alertHttpTimeoutMs;
    switch (kind) {
      case 'command': {
        const cmd = text(action.command!, 'alert command', true);
        if (!cmd.ok) return { ok: false, data: { error: cmd.message } };
        return runCommand(cmd.value, { ...ctx.env, ...cmd.env }, this.opts.home, this.opts.commandTimeoutMs ?? EVENT_DEFAULTS.alertCommandTimeoutMs, this.clock);
      }
      case 'webhook': {
        const url = text(action.webhook!, 'alert webhook', false);
        if (!url.ok) return { ok: false, data: { error: url.message } };
        return postJson({ url: url.value, body: webhookBody(f, summary.ok ? summary.value : ''), timeoutMs: http, fetchImpl: this.opts.fetchImpl });
      }
      case 'slack': {
        const tail = f.run.state !== 'SUCCESS' && f.stderrTail.trim() ? `\n\`\`\`${f.stderrTail.trimEnd().slice(-1500)}\`\`\`` : '';
        return postJson({ url: action.slack!, body: { text: (summary.ok ? summary.value : '') + tail }, timeoutMs: http, fetchImpl: this.opts.fetchImpl });
      }
      case 'email':
        return sendMail({ home: this.opts.home, to: action.email!, timeoutMs: this.opts.smtpTimeoutMs ?? EVENT_DEFAULTS.alertSmtpTimeoutMs, env: this.opts.env, ...runMail(f, summary.ok ? summary.value : '') });
    }
  }

  private async record(run: RunRow, key: string, kind: ActionKind, index: number, on: AlertOn, o: ActionOutcome, ms: number): Promise<void> {
    try {
      await this.store.events.append({
        key,
        type: o.ok ? 'alert.sent' : 'alert.failed',
        time: this.clock.now(),
        ...runScope(run),
        data: { action: kind, index, alert_on: on, status: run.state, ...o.data, duration_ms: Math.round(ms) },
      });
      if (!o.ok) this.opts.log?.(`alert ${kind} for ${run.task_name} run ${run.id} failed: ${String(o.data.error ?? 'unknown error')}`);
    } catch (err) {
      this.opts.log?.(`alert ${kind} for run ${run.id}: cannot record its outcome: ${(err as Error).message}`);
    }
  }
}

export function kindOf(a: AlertAction): ActionKind {
  if (a.command !== undefined) return 'command';
  if (a.webhook !== undefined) return 'webhook';
  if (a.email !== undefined) return 'email';
  return 'slack';
}
