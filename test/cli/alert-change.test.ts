// The built daemon fires an `alert_on: "change"` alert on the first failure and on the recovery only:
// five forced runs (fail, fail, succeed, succeed, fail) give three alerts. Alerts follow the log in
// order, so the last one shows that the runs before it were looked at and passed over.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const ended = (home: string): number => {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state IN ('SUCCESS', 'FAILED')`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

const alertsSent = (home: string): number => {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM events WHERE type IN ('alert.sent', 'alert.failed')`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('daemon: alert_on change', () => {
  it('alerts on each failure after a success (or first) and on each recovery, not on the runs in between', { timeout: 60_000 }, async () => {
    const home = tempHome();
    const flag = join(home, 'healthy');
    const log = join(home, 'alerts.txt');
    const def = { name: 'flaky', cmd: `test -f ${flag}`, trigger_times: '04:00', timezone: 'UTC', alert: { alert_on: 'change', command: `echo \${P:status} >> ${log}` } };
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);
    const daemon = await startDaemonProcess(home);
    const runOnce = async (n: number) => {
      expect(cli(home, ['force-run', 'flaky']).code).toBe(0);
      await waitFor(() => ended(home) >= n, `run ${n} to end`, 20_000);
    };
    await runOnce(1);
    await runOnce(2);
    writeFileSync(flag, '');
    await runOnce(3);
    await runOnce(4);
    rmSync(flag);
    await runOnce(5);
    await waitFor(() => alertsSent(home) >= 3 && existsSync(log) && readFileSync(log, 'utf8').split('\n').filter(Boolean).length >= 3, 'three alerts', 20_000);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual(['FAILED', 'SUCCESS', 'FAILED']);
    expect(alertsSent(home)).toBe(3);
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  });
});
