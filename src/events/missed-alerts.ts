// Slots of a task that passed without a run (the daemon was down: SKIPPED runs with reason "missed";
// or the task was disabled across them: counted when it is enabled again) raise one alert per
// detection, saying how many and the first and last, through the task's alert actions. Every
// alert_on but "success" hears of them. Outcomes are alert.sent / alert.failed events.
import { resolvePlaceholders, type PlaceholderContext } from '../attempt/index.js';
import type { Clock } from '../core/clock.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import type { AlertAction, TaskDef } from '../core/task.js';
import type { Store } from '../store/index.js';
import { postJson, runCommand, type ActionOutcome } from './alert-actions.js';
import { sendMail } from './alert-email.js';
import type { ActionKind, AlertOptions } from './alerts.js';

export interface MissedSlots {
  task: TaskDef;
  timezone: string;
  count: number;
  /** The first and last slot that passed without a run, epoch ms. */
  first: number;
  last: number;
  /** down: the daemon was not running (recorded as SKIPPED runs); disabled: the task was not scheduled. */
  cause: 'down' | 'disabled';
  /** Names this detection: the same detection seen again (a restart) alerts no more. */
  id: string;
  /** The first SKIPPED run, when the slots were recorded as runs. */
  runId?: number;
}

export const missedWanted = (task: TaskDef): boolean => task.alert !== undefined && task.alert.alert_on !== 'success';

const iso = (ms: number) => new Date(ms).toISOString();

export function missedText(m: MissedSlots): string {
  const slots = m.count === 1 ? `1 slot missed (${iso(m.first)})` : `${m.count} slots missed (first ${iso(m.first)}, last ${iso(m.last)})`;
  const why = m.cause === 'down' ? 'the daemon was not running' : 'the task was disabled or not scheduled';
  return `EasyTask: ${m.task.name} ${slots}: ${why}`;
}

export async function fireMissed(store: Store, clock: Clock, opts: AlertOptions, m: MissedSlots, kindOf: (a: AlertAction) => ActionKind): Promise<void> {
  const alert = m.task.alert;
  if (!alert || !missedWanted(m.task)) return;
  const text = missedText(m);
  for (const [i, action] of alert.actions.entries()) {
    const key = `alert:missed:${m.id}:${i}`;
    if (await store.events.has(key)) continue;
    const kind = kindOf(action);
    const started = clock.monotonic();
    let o: ActionOutcome;
    try {
      o = await perform(kind, action, m, text, opts, clock);
    } catch (err) {
      o = { ok: false, data: { error: (err as Error).message } };
    }
    try {
      await store.events.append({
        key,
        type: o.ok ? 'alert.sent' : 'alert.failed',
        time: clock.now(),
        instance: m.task.instance,
        task: m.task.name,
        task_id: m.task.tid,
        run_id: m.runId ?? null,
        data: { action: kind, index: i, alert_on: alert.alert_on, status: 'MISSED', cause: m.cause, missed: m.count, first_slot: iso(m.first), last_slot: iso(m.last), ...o.data, duration_ms: Math.round(clock.monotonic() - started) },
      });
      if (!o.ok) opts.log?.(`alert ${kind} for ${m.task.name} (missed slots) failed: ${String(o.data.error ?? 'unknown error')}`);
    } catch (err) {
      opts.log?.(`alert ${kind} for ${m.task.name} (missed slots): cannot record its outcome: ${(err as Error).message}`);
    }
  }
}

async function perform(kind: ActionKind, action: AlertAction, m: MissedSlots, text: string, opts: AlertOptions, clock: Clock): Promise<ActionOutcome> {
  const http = opts.httpTimeoutMs ?? EVENT_DEFAULTS.alertHttpTimeoutMs;
  const body = { text, task: m.task.name, task_id: m.task.tid, instance: m.task.instance, status: 'MISSED', cause: m.cause, missed: m.count, first_slot: iso(m.first), last_slot: iso(m.last) };
  switch (kind) {
    case 'command': {
      const env = {
        ...process.env, ...m.task.env,
        EASYTASK_HOME: opts.home, EASYTASK_TASK: m.task.name, EASYTASK_ALERT_STATUS: 'MISSED',
        EASYTASK_MISSED_COUNT: String(m.count), EASYTASK_MISSED_FIRST: iso(m.first), EASYTASK_MISSED_LAST: iso(m.last),
      };
      const ctx: PlaceholderContext = { env, taskName: m.task.name, taskId: m.task.tid, triggerAt: m.last, timezone: m.timezone, params: { status: 'MISSED' } };
      const cmd = resolvePlaceholders(action.command!, ctx, { mode: 'alert', field: 'alert command', quote: true });
      if (!cmd.ok) return { ok: false, data: { error: cmd.message } };
      return runCommand(cmd.value, { ...env, ...cmd.env }, opts.home, opts.commandTimeoutMs ?? EVENT_DEFAULTS.alertCommandTimeoutMs, clock);
    }
    case 'webhook':
      return postJson({ url: action.webhook!, body, timeoutMs: http, fetchImpl: opts.fetchImpl });
    case 'slack':
      return postJson({ url: action.slack!, body: { text }, timeoutMs: http, fetchImpl: opts.fetchImpl });
    case 'email':
      return sendMail({
        home: opts.home, to: action.email!, timeoutMs: opts.smtpTimeoutMs ?? EVENT_DEFAULTS.alertSmtpTimeoutMs, env: opts.env,
        subject: text.replace(/:[^:]*$/, ''),
        text: `${text}\n\nTask:   ${m.task.name}${m.task.instance !== 'default' ? ` (instance ${m.task.instance})` : ''}\nMissed: ${m.count}\nFirst:  ${iso(m.first)}\nLast:   ${iso(m.last)}\n`,
      });
  }
}
