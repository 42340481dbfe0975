import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertRunner } from '../../src/events/alerts.js';
import type { Store } from '../../src/store/index.js';
import { alertTask, finishedRun } from '../helpers/finished-run.js';
import { tempStore } from '../helpers/home.js';
import { SmtpReceiver } from '../helpers/smtp.js';

const servers: SmtpReceiver[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function smtp(opts: ConstructorParameters<typeof SmtpReceiver>[0] = {}): Promise<SmtpReceiver> {
  const s = await new SmtpReceiver(opts).start();
  servers.push(s);
  return s;
}

const alertEvents = async (store: Store) => (await store.events.list()).filter((e) => e.type.startsWith('alert.'));
const slot = Date.UTC(2026, 2, 1, 5);

describe('email alerts', () => {
  it('mails the run facts and the stderr tail over plain SMTP (tls off) and records the recipients and the answer', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await smtp();
    const env = { EASYTASK_SMTP_URL: rx.url, EASYTASK_SMTP_FROM: 'easytask@example.com', EASYTASK_SMTP_TLS: 'off' };
    const run = await finishedRun(store, clock, home, { outcome: 'FAILED', slot, stderr: "disk full: can't write\n" });
    const alerts = new AlertRunner(store, clock, { home, env });
    await alerts.onFinal(run, alertTask({ alert_on: 'failure', actions: [{ email: ['ops@example.com', 'dev@example.com'] }] }));
    expect(rx.mails).toHaveLength(1);
    const [mail] = rx.mails;
    expect(mail).toMatchObject({ from: 'easytask@example.com', to: ['ops@example.com', 'dev@example.com'], secure: false });
    expect(mail!.raw).toMatch(new RegExp(`Subject: EasyTask: job run ${run.id} FAILED \\(exit 3\\)`));
    for (const line of [`Run:       ${run.id}`, 'State:     FAILED (exit_code)', 'Exit code: 3', 'Attempt:   1 of 1', 'Duration:  1.5s', "disk full: can't write"]) expect(mail!.raw).toContain(line);
    const [e] = await alertEvents(store);
    expect(e).toMatchObject({ type: 'alert.sent', run_id: run.id, data: { action: 'email', recipients: ['ops@example.com', 'dev@example.com'], server: `127.0.0.1:${rx.port}`, status: 'FAILED' } });
    expect(String(e!.data.smtp_response)).toMatch(/^250 /);
  });

  it('requires STARTTLS by default: with AUTH and the server certificate trusted through a CA file in <home>/smtp.json (0600)', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await smtp({ tls: true, auth: { user: 'easytask', password: 's3cret pass' } });
    const file = join(home, 'smtp.json');
    writeFileSync(file, JSON.stringify({ url: rx.url, from: 'easytask@example.com', user: 'easytask', password: 's3cret pass', ca_file: rx.certFile }));
    chmodSync(file, 0o600);
    const run = await finishedRun(store, clock, home, { outcome: 'SUCCESS', slot, stdout: 'done\n' });
    await new AlertRunner(store, clock, { home, env: {} }).onFinal(run, alertTask({ alert_on: 'always', actions: [{ email: ['ops@example.com'] }] }));
    expect(rx.mails.map((m) => [m.to, m.secure, m.user])).toEqual([[['ops@example.com'], true, 'easytask']]);
    const [e] = await alertEvents(store);
    expect(e).toMatchObject({ type: 'alert.sent', data: { action: 'email', recipients: ['ops@example.com'] } });
    expect(JSON.stringify(e)).not.toContain('s3cret');
  });

  it('a refused login ends alert.failed with the reason, and the password is nowhere in the event', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await smtp({ tls: true, auth: { user: 'easytask', password: 'right' } });
    const pwFile = join(home, 'smtp-password');
    writeFileSync(pwFile, 'wrong-password\n');
    const env = { EASYTASK_SMTP_URL: rx.url, EASYTASK_SMTP_FROM: 'easytask@example.com', EASYTASK_SMTP_USER: 'easytask', EASYTASK_SMTP_PASSWORD_FILE: pwFile, EASYTASK_SMTP_CA_FILE: rx.certFile };
    const run = await finishedRun(store, clock, home, { outcome: 'FAILED', slot });
    await new AlertRunner(store, clock, { home, env }).onFinal(run, alertTask({ alert_on: 'failure', actions: [{ email: ['ops@example.com'] }] }));
    expect(rx.mails).toHaveLength(0);
    expect(rx.authFailures).toEqual(['easytask']);
    const [e] = await alertEvents(store);
    expect(e).toMatchObject({ type: 'alert.failed', data: { action: 'email', recipients: ['ops@example.com'] } });
    expect(String(e!.data.error)).toMatch(/^EAUTH: .*Invalid username or password/);
    expect(JSON.stringify(e)).not.toContain('wrong-password');
  });

  it('refuses a server certificate it was not told to trust, and STARTTLS is required unless tls is off', async () => {
    const { store, clock, home } = await tempStore();
    const tls = await smtp({ tls: true });
    const plain = await smtp();
    const t = alertTask({ alert_on: 'failure', actions: [{ email: ['ops@example.com'] }] });
    const run = await finishedRun(store, clock, home, { outcome: 'FAILED', slot });
    await new AlertRunner(store, clock, { home, env: { EASYTASK_SMTP_URL: tls.url, EASYTASK_SMTP_FROM: 'e@example.com' } }).onFinal(run, t);
    const run2 = await finishedRun(store, clock, home, { outcome: 'FAILED', slot: slot + 60_000 });
    await new AlertRunner(store, clock, { home, env: { EASYTASK_SMTP_URL: plain.url, EASYTASK_SMTP_FROM: 'e@example.com' } }).onFinal(run2, t);
    expect(tls.mails.length + plain.mails.length).toBe(0);
    const [untrusted, noStarttls] = await alertEvents(store);
    expect(untrusted).toMatchObject({ type: 'alert.failed', run_id: run.id });
    expect(String(untrusted!.data.error)).toMatch(/certificate/i);
    expect(noStarttls).toMatchObject({ type: 'alert.failed', run_id: run2.id });
    expect(String(noStarttls!.data.error)).toMatch(/STARTTLS/);
  });

  it('refuses <home>/smtp.json holding a password when others may read it, and says how to fix it', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await smtp();
    const file = join(home, 'smtp.json');
    writeFileSync(file, JSON.stringify({ url: rx.url, from: 'e@example.com', user: 'u', password: 'p', tls: 'off' }));
    chmodSync(file, 0o644);
    const run = await finishedRun(store, clock, home, { outcome: 'FAILED', slot });
    await new AlertRunner(store, clock, { home, env: {} }).onFinal(run, alertTask({ alert_on: 'failure', actions: [{ email: ['ops@example.com'] }] }));
    expect(rx.mails).toHaveLength(0);
    const [e] = await alertEvents(store);
    expect(e).toMatchObject({ type: 'alert.failed', data: { action: 'email' } });
    expect(e!.data.error).toBe(`${file} holds a password but its mode is 0644; make it readable by its owner only (chmod 600 ${file})`);
  });

  it('says what to set when there are no SMTP settings at all', async () => {
    const { store, clock, home } = await tempStore();
    const run = await finishedRun(store, clock, home, { outcome: 'FAILED', slot });
    await new AlertRunner(store, clock, { home, env: {} }).onFinal(run, alertTask({ alert_on: 'failure', actions: [{ email: ['ops@example.com'] }] }));
    const [e] = await alertEvents(store);
    expect(e!.data.error).toMatch(/^no SMTP settings: set EASYTASK_SMTP_URL/);
  });
});
