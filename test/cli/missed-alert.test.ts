// The built daemon raises one missed-slots alert when a task disabled across its slots is enabled
// again: how many slots passed without a run, the first and the last.
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const query = <T>(home: string, sql: string): T => {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
};

describe('daemon: missed slots', () => {
  it('a task enabled again after its slots passed while disabled alerts once, with the count', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const log = join(home, 'alerts.txt');
    const def = { name: 'tick', cmd: 'true', cron: '* * * * * *', timezone: 'UTC', alert: { alert_on: 'failure', command: `echo "$EASYTASK_ALERT_STATUS $EASYTASK_MISSED_COUNT" >> ${log}` } };
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
    const daemon = await startDaemonProcess(home);
    await waitFor(() => query<{ n: number }>(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`).n >= 2, 'two runs', 20_000);
    expect(cli(home, ['disable', 'tick']).code).toBe(0);
    const disabledAt = Date.now();
    // Slots pass in real time while the task is disabled.
    await waitFor(() => Date.now() - disabledAt > 3500, 'slots to pass', 10_000);
    expect(cli(home, ['enable', 'tick']).code).toBe(0);
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('MISSED'), 'the missed-slots alert', 20_000);
    const [status, count] = readFileSync(log, 'utf8').trim().split(/\s+/);
    expect(status).toBe('MISSED');
    expect(Number(count)).toBeGreaterThanOrEqual(3);
    expect(Number(count)).toBeLessThanOrEqual(6);
    const sent = query<{ data: string }>(home, `SELECT data FROM events WHERE type = 'alert.sent'`);
    expect(JSON.parse(sent.data)).toMatchObject({ status: 'MISSED', cause: 'disabled', missed: Number(count) });
    // The runs go on after it, and no further alert comes for the same gap.
    const runsBefore = query<{ n: number }>(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`).n;
    await waitFor(() => query<{ n: number }>(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`).n >= runsBefore + 2, 'runs again', 20_000);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  });
});
