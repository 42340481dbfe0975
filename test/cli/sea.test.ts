// The single executable (dist/easytask): built here when missing or older than the bundle (about 10 s),
// then copied into an empty folder and run with no node_modules and no repository around it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { ROOT } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const SEA = join(ROOT, 'dist', 'easytask');
const stale = () => !existsSync(SEA) || ['easytask.cjs', 'better_sqlite3.node'].some((f) => statSync(join(ROOT, 'dist', f)).mtimeMs > statSync(SEA).mtimeMs);

interface Sandbox {
  exe: string;
  env: Record<string, string>;
  cache: string;
  run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string };
}

/** A copy of the executable alone in an empty folder, with a fresh home and cache. */
function sandbox(): Sandbox {
  const dir = tempHome();
  const exe = join(dir, 'bin', 'easytask');
  mkdirSync(join(dir, 'bin'));
  copyFileSync(SEA, exe);
  const cache = join(dir, 'cache');
  const env = { PATH: '/usr/bin:/bin', HOME: dir, XDG_CACHE_HOME: cache, EASYTASK_HOME: join(dir, 'home'), TZ: 'UTC' };
  const run = (args: string[], input = '') => {
    const r = spawnSync(exe, args, { cwd: dir, env, input, encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { exe, env, cache, run };
}

describe('single executable (npm run build:sea)', () => {
  beforeAll(() => {
    if (stale()) execFileSync(process.execPath, ['build.mjs', '--sea'], { cwd: ROOT, stdio: 'pipe' });
  }, 120_000);

  it('prints our version, not node\'s, from an empty folder', () => {
    const s = sandbox();
    const r = s.run(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(r.stdout).not.toBe(`${process.version}\n`);
  });

  it('inserts and lists tasks, extracting its SQLite addon and calendars into the cache once', () => {
    const s = sandbox();
    const def = { name: 'report', cmd: 'echo report', trigger_times: '07:30', day_of_week: '1111100', calendar: 'US_HOLIDAYS', timezone: 'America/New_York' };
    const ins = s.run(['insert', '-'], JSON.stringify(def));
    expect(ins).toEqual({ code: 0, stdout: 'Validation completed: 1 task in <stdin>.\nTask inserted successfully: report (tid 1000001)\n', stderr: '' });
    const list = s.run(['list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'report', state: 'ACTIVE' }]);
    const extracted = readdirSync(join(s.cache, 'easytask')).sort();
    expect(extracted).toHaveLength(2);
    expect(extracted[0]).toMatch(new RegExp(`^better_sqlite3-${pkg.version}-[0-9a-f]{16}\\.node$`));
    expect(extracted[1]).toMatch(new RegExp(`^calendars-${pkg.version}-[0-9a-f]{16}$`));
    expect(readdirSync(join(s.cache, 'easytask', extracted[1]!)).sort()).toEqual(['UK_BANK_HOLIDAYS.json', 'US_HOLIDAYS.json', 'US_MARKET_HOLIDAYS.json']);
  });

  it('runs a task through its own daemon and stops on SIGTERM', async () => {
    const s = sandbox();
    expect(s.run(['insert', '-'], JSON.stringify({ name: 'hi', cmd: 'echo hi from the single executable', trigger_times: '03:00' })).code).toBe(0);
    const daemon = spawn(s.exe, ['daemon', '--poll', '20'], { env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    daemon.stdout.on('data', (d) => (out += d));
    daemon.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => daemon.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('Scheduler service started') || daemon.exitCode !== null, 'the daemon to start');
      expect(out).toContain(`EasyTask ${pkg.version} daemon`);
      expect(s.run(['force-run', 'hi']).stdout).toBe('Force run triggered for task 1000001 (hi)\n');
      await waitFor(() => JSON.parse(s.run(['runs', '--json']).stdout).find((r: { state: string }) => r.state === 'SUCCESS'), 'the run to succeed');
      expect(s.run(['logs', 'hi']).stdout).toBe('hi from the single executable\n');
    } finally {
      daemon.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
