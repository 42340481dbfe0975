// The email action: a plain-text mail over the daemon's SMTP settings (smtp-settings.ts), sent with
// nodemailer. The outcome names the recipients and the server's answer, never the password.
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { EasyTaskError } from '../core/errors.js';
import type { ActionOutcome } from './alert-actions.js';
import type { AlertFacts } from './alert-context.js';
import { formatDuration } from './format.js';
import { smtpSettings } from './smtp-settings.js';

export interface Mail {
  subject: string;
  text: string;
}

export interface MailRequest extends Mail {
  home: string;
  to: readonly string[];
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** Send one mail; a failure (settings, connection, TLS, login, refusal) is the outcome's error. */
export async function sendMail(req: MailRequest): Promise<ActionOutcome> {
  const recipients = [...req.to];
  let settings;
  try {
    settings = smtpSettings(req.home, req.env);
  } catch (err) {
    if (err instanceof EasyTaskError) return { ok: false, data: { recipients, error: err.message } };
    throw err;
  }
  const server = `${settings.host}:${settings.port}`;
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.starttls,
    ignoreTLS: !settings.secure && !settings.starttls,
    ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    tls: { ...(isIP(settings.host) ? {} : { servername: settings.host }), ...(settings.ca !== undefined ? { ca: settings.ca } : {}) },
    connectionTimeout: req.timeoutMs,
    greetingTimeout: req.timeoutMs,
    socketTimeout: req.timeoutMs,
  });
  try {
    const info = (await transport.sendMail({ from: settings.from, to: recipients, subject: req.subject, text: req.text })) as {
      accepted?: unknown[];
      rejected?: unknown[];
      response?: string;
      messageId?: string;
    };
    const rejected = (info.rejected ?? []).map(String);
    const data = { recipients, server, smtp_response: info.response ?? '', message_id: info.messageId ?? '' };
    if (rejected.length) return { ok: false, data: { ...data, rejected, error: `the server refused ${rejected.join(', ')}` } };
    return { ok: true, data };
  } catch (err) {
    const e = err as Error & { code?: string; response?: string; responseCode?: number };
    const error = `${e.code ? `${e.code}: ` : ''}${e.message}`;
    return { ok: false, data: { recipients, server, ...(e.response ? { smtp_response: e.response } : {}), error } };
  } finally {
    transport.close();
  }
}

/** The subject and body of a run's alert mail: what happened, and the output tails. */
export function runMail(f: AlertFacts, summary: string): Mail {
  const r = f.run;
  const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
  const exit = r.exit_code !== null ? ` (exit ${r.exit_code})` : '';
  const lines = [
    summary,
    '',
    `Task:      ${r.task_name}${r.instance !== 'default' ? ` (instance ${r.instance})` : ''}`,
    `Run:       ${r.id}`,
    `State:     ${r.state}${r.reason ? ` (${r.reason})` : ''}`,
    `Exit code: ${r.exit_code ?? '-'}`,
    `Attempt:   ${r.attempt} of ${r.max_attempts}`,
    `Duration:  ${f.durationMs === null ? '-' : formatDuration(f.durationMs)}`,
    `Slot:      ${iso(r.slot)}`,
    `Started:   ${iso(r.started_at)}`,
    `Ended:     ${iso(r.ended_at)}`,
    `Host:      ${r.host ?? '-'}`,
  ];
  for (const [name, tail] of [['stderr', f.stderrTail], ['stdout', f.stdoutTail]] as const) {
    if (tail.trim() === '') continue;
    lines.push('', `--- ${name} (last lines) ---`, tail.trimEnd());
  }
  return { subject: `EasyTask: ${r.task_name} run ${r.id} ${r.state}${exit}`, text: lines.join('\n') + '\n' };
}
