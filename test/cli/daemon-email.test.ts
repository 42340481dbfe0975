// The built daemon sends an email alert over STARTTLS with AUTH (its SMTP settings in <home>/smtp.json,
// the test's self-signed certificate trusted through ca_file) and pings the task's healthcheck.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { SmtpReceiver } from '../helpers/smtp.js';
import { waitFor } from '../helpers/wait.js';
import { Receiver } from '../unit/events/helpers/receiver.js';

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (closing.length) await closing.pop()!.close();
});

const eventsOf = (home: string, prefix: string) => {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  try {
    return (db.prepare('SELECT type, data FROM events WHERE type LIKE ? ORDER BY seq').all(`${prefix}%`) as { type: string; data: string }[]).map((e) => ({ type: e.type, data: JSON.parse(e.data) as Record<string, unknown> }));
  } finally {
    db.close();
  }
};

describe('daemon: email alert and healthcheck', () => {
  it('a failing run mails its facts and stderr tail, and pings /start then /fail', async () => {
    const home = tempHome();
    const smtp = await new SmtpReceiver({ tls: true, auth: { user: 'easytask', password: 'pw-e2e' } }).start();
    closing.push(smtp);
    const hc = await new Receiver().start();
    closing.push(hc);
    const settings = join(home, 'smtp.json');
    writeFileSync(settings, JSON.stringify({ url: smtp.url, from: 'easytask@example.com', user: 'easytask', password: 'pw-e2e', ca_file: smtp.certFile }));
    chmodSync(settings, 0o600);
    const def = { name: 'job', cmd: 'echo "disk full" >&2; exit 4', trigger_times: '04:00', timezone: 'UTC', healthcheck: `${hc.url}/uuid-1`, alert: { alert_on: 'change', email: 'ops@example.com' } };
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
    const daemon = await startDaemonProcess(home);
    expect(cli(home, ['force-run', 'job']).code).toBe(0);
    await waitFor(() => smtp.mails.length > 0 && hc.requests.length >= 2, 'the mail and the pings', 20_000);
    const [mail] = smtp.mails;
    expect(mail).toMatchObject({ to: ['ops@example.com'], secure: true, user: 'easytask' });
    expect(mail!.raw).toMatch(/Subject: EasyTask: job run 1 FAILED \(exit 4\)/);
    expect(mail!.raw).toContain('Exit code: 4');
    expect(mail!.raw).toContain('disk full');
    expect(hc.requests.map((r) => r.path)).toEqual(['/hook/uuid-1/start', '/hook/uuid-1/fail']);
    expect(hc.requests[1]!.body).toContain('exit code: 4');
    await waitFor(() => eventsOf(home, 'alert.').length > 0 && eventsOf(home, 'healthcheck.').length === 2, 'the outcomes recorded', 10_000);
    expect(eventsOf(home, 'alert.')).toMatchObject([{ type: 'alert.sent', data: { action: 'email', recipients: ['ops@example.com'], alert_on: 'change', previous_status: null } }]);
    expect(eventsOf(home, 'healthcheck.').map((e) => [e.type, e.data.ping])).toEqual([['healthcheck.pinged', 'start'], ['healthcheck.pinged', 'fail']]);
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  });
});
