// The output files a real daemon run writes are its owner's alone, as the database is.
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe('log files written by the daemon', () => {
  it('are 0600, in folders EasyTask makes 0700, for default and relative paths', async () => {
    const home = tempHome();
    const defs = [
      { name: 'plain', cmd: 'echo out; echo err >&2', trigger_times: '08:30', timezone: 'UTC' },
      { name: 'custom', cmd: 'echo out; echo err >&2', trigger_times: '08:30', timezone: 'UTC', stdout: 'mine/deep/custom.out', stderr: 'mine/deep/custom.err' },
    ];
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(defs) }).code).toBe(0);
    expect(mode(join(home, 'easytask.db'))).toBe('600');
    await startDaemonProcess(home);
    for (const t of ['plain', 'custom']) expect(cli(home, ['force-run', t]).code).toBe(0);
    type Run = { id: number; task: string; state: string };
    const done = await waitFor(() => {
      const runs = JSON.parse(cli(home, ['runs', '--json']).stdout) as Run[];
      return runs.length === 2 && runs.every((r) => r.state === 'SUCCESS');
    }, 'both runs to succeed');
    expect(done).toBe(true);
    const db = new Database(join(home, 'easytask.db'), { readonly: true });
    const paths = db.prepare('SELECT id, task_name AS task, stdout_path, stderr_path FROM runs ORDER BY id').all() as { id: number; task: string; stdout_path: string; stderr_path: string }[];
    db.close();
    const plain = paths.find((r) => r.task === 'plain')!;
    expect(paths.find((r) => r.task === 'custom')!.stdout_path).toBe(join(home, 'logs', 'mine', 'deep', 'custom.out'));
    expect(plain.stdout_path).toBe(join(home, 'logs', 'plain', `${plain.id}.out`));
    const files = paths.flatMap((r) => [r.stdout_path, r.stderr_path]);
    expect(files.map(mode)).toEqual(['600', '600', '600', '600']);
    const folders = [join(home, 'logs'), join(home, 'logs', 'plain'), join(home, 'logs', 'mine'), join(home, 'logs', 'mine', 'deep')];
    expect(folders.map(mode)).toEqual(['700', '700', '700', '700']);
  });
});
