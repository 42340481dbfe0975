import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasAnalyze) console.warn('service.test.ts: systemd-analyze is not installed (Debian package "systemd"): the `systemd-analyze verify` checks are skipped');

/** `systemd-analyze verify` on a unit file: exit 0 and not a word about the unit. */
function verify(file: string): void {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  const about = r.stderr.split('\n').filter((l) => l.includes(file) || l.includes('easytask'));
  expect(about).toEqual([]);
  expect(r.status).toBe(0);
}

const execStart = (unit: string): string[] => /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');

describe('easytask service', () => {
  it('--print shows the unit for this home and writes nothing', () => {
    const home = tempHome();
    const r = cli(home, ['service', 'install', '--print', '--queue', 'batch', '--grace', '60']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\nEnvironment=EASYTASK_HOME=${home}\n`);
    expect(r.stdout).toContain(`\nExecStart=${process.execPath} ${BIN} daemon --home ${home} --queue batch --grace 60 --kill-grace 10\n`);
    expect(r.stdout).toContain('\nRestart=on-failure\n');
    expect(r.stdout).toContain('\nKillMode=mixed\n');
    expect(r.stdout).toContain('\nTimeoutStopSec=75s\n');
    expect(r.stdout).toContain('\nWantedBy=multi-user.target\n');
  });

  it('installs a user unit under $XDG_CONFIG_HOME, says how to enable it, and uninstalls it', () => {
    const home = tempHome();
    const config = tempHome();
    const env = { XDG_CONFIG_HOME: config, USER: 'ops' };
    const file = join(config, 'systemd', 'user', 'easytask.service');
    const r = cli(home, ['service', 'install', '--user'], { env });
    expect(r.stdout).toBe(
      [
        `Wrote ${file} (the daemon for home ${home}).`,
        'Enable and start it:',
        '  systemctl --user daemon-reload',
        '  systemctl --user enable --now easytask.service',
        '  loginctl enable-linger ops   # keep it running while you are logged out',
        'Then:',
        '  systemctl --user status easytask.service',
        '  journalctl --user -u easytask.service -f',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(cli(home, ['service', 'install', '--user', '--print'], { env }).stdout);
    const u = cli(home, ['service', 'uninstall', '--user'], { env });
    expect(u.stdout).toBe(`Removed ${file}.\nStop the daemon it started and let systemd forget the unit:\n  systemctl --user stop easytask.service\n  systemctl --user daemon-reload\n`);
    expect(existsSync(file)).toBe(false);
    const again = cli(home, ['service', 'uninstall', '--user'], { env });
    expect(again.stderr).toBe(`error: no unit at ${file}; nothing to remove\n`);
    expect(again.code).toBe(2);
  });

  it.skipIf(!hasAnalyze)('writes units that systemd-analyze verify accepts, system and user, with awkward paths', () => {
    const home = join(tempHome(), 'my home 100%');
    const dir = tempHome();
    const r = cli(home, ['service', 'install', '--unit-dir', dir, '--name', 'easytask-verify', '--queue', 'q$1']);
    expect(r.code).toBe(0);
    const unit = readFileSync(join(dir, 'easytask-verify.service'), 'utf8');
    expect(unit).toContain(`\nEnvironment="EASYTASK_HOME=${home.replace('%', '%%')}"\n`);
    expect(unit).toContain(`daemon --home "${home.replace('%', '%%')}" --queue "q$$1" --grace 30`);
    verify(join(dir, 'easytask-verify.service'));
    writeFileSync(join(dir, 'user.service'), cli(tempHome(), ['service', 'install', '--user', '--print']).stdout);
    verify(join(dir, 'user.service'));
  });

  it("refuses to replace a unit it did not write", () => {
    const dir = tempHome();
    writeFileSync(join(dir, 'easytask.service'), '[Service]\nExecStart=/bin/true\n');
    const r = cli(tempHome(), ['service', 'install', '--unit-dir', dir]);
    expect(r.stderr).toBe(`error: ${join(dir, 'easytask.service')} was not written by easytask service install; move it away or choose another --name\n`);
    expect(r.code).toBe(1);
  });

  it("the unit's ExecStart runs the daemon for the home, which stops cleanly on systemd's SIGTERM", async () => {
    const home = tempHome();
    const [cmd, ...args] = execStart(cli(home, ['service', 'install', '--print', '--grace', '1']).stdout);
    const child = spawn(cmd!, args, { env: { PATH: process.env.PATH, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => out.includes('Scheduler service started') || child.exitCode !== null, 'the daemon to start');
    expect(out).toContain(`  home:        ${home}\n`);
    expect(JSON.parse(cli(home, ['status', '--json']).stdout)).toMatchObject({ daemon: 'running', pid: child.pid });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
