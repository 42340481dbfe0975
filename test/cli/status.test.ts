// easytask status: its exit code says whether the daemon is up, and it answers while another process holds the store.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';
import { fakeDaemon } from '../helpers/fake-daemon.js';

const daemonRow = fakeDaemon;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/**
 * Another process holding the store: an open write transaction (BEGIN EXCLUSIVE, with a write in it), or
 * with `lockingMode` EXCLUSIVE the whole file, so that even reads wait.
 */
async function holdLock(home: string, lockingMode: 'NORMAL' | 'EXCLUSIVE' = 'NORMAL'): Promise<void> {
  const script = `
    const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
    const db = new Database(${JSON.stringify(join(home, 'easytask.db'))});
    db.pragma('locking_mode = ${lockingMode}');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('UPDATE definitions SET updated_at = updated_at + 1');
    db.exec("INSERT INTO events (key, type, time, instance, data) VALUES ('hold', 'daemon.started', 1, 'default', '{}')");
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('locked') || child.exitCode !== null, 'the lock to be held');
  expect(out).toContain('locked');
}

function timed(home: string, args: string[]) {
  const start = performance.now();
  const r = cli(home, args);
  return { ...r, ms: performance.now() - start };
}

describe('status exit codes', () => {
  it('0 running and responding, 3 not running, 4 running but not responding; the same with --json', async () => {
    const stopped = tempHome();
    await (await openStore(stopped)).close();
    expect(cli(stopped, ['status']).code).toBe(3);
    expect(cli(stopped, ['status', '--json'])).toMatchObject({ code: 3, stdout: expect.stringContaining('"daemon": "stopped"') });

    const fresh = tempHome();
    await daemonRow(fresh, 0);
    expect(cli(fresh, ['status']).code).toBe(0);
    expect(cli(fresh, ['status', '--json']).code).toBe(0);

    const hung = tempHome();
    await daemonRow(hung, 60_000);
    const text = cli(hung, ['status']);
    expect(text).toMatchObject({ code: 4, stderr: '' });
    expect(text.stdout).toMatch(/^Daemon not responding: /);
    const json = cli(hung, ['status', '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ daemon: 'running', responding: false });
  });

  it('a daemon row whose process is gone is not running (3)', async () => {
    const home = tempHome();
    const pid = await daemonRow(home, 0);
    process.kill(pid, 'SIGKILL');
    return waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the fake daemon to exit').then(() => expect(cli(home, ['status', '--json']).code).toBe(3));
  });
});

describe('status while another process holds the store', () => {
  it('an open write transaction: status answers at once from what it reads', async () => {
    const home = tempHome();
    const pid = await daemonRow(home, 0);
    await holdLock(home);
    const r = timed(home, ['status', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ daemon: 'running', responding: true, pid, running: [], triggers_24h: 0, not_read: [] });
    expect(r.ms).toBeLessThan(3000);
    const text = timed(home, ['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Daemon running: pid /);
  });

  it('other read commands take no write lock on opening either', async () => {
    const home = tempHome();
    await (await openStore(home)).close();
    await holdLock(home);
    for (const args of [['list'], ['runs', '--json'], ['events', '--json']]) {
      const r = timed(home, args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(r.ms).toBeLessThan(3000);
    }
  });

  it('an open write transaction on a store with no daemon: not running (3), without waiting', async () => {
    const home = tempHome();
    await (await openStore(home)).close();
    await holdLock(home);
    const r = timed(home, ['status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^Daemon not running/);
    expect(r.ms).toBeLessThan(3000);
  });

  it('a store locked even for reading: says what it could not read, and exits 1', async () => {
    const home = tempHome();
    await daemonRow(home, 0);
    await holdLock(home, 'EXCLUSIVE');
    const json = timed(home, ['status', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ daemon: 'unknown', responding: null, running: null, triggers_24h: null, not_read: ['daemon', 'running', 'triggers_24h', 'failures_24h', 'agents'] });
    expect(json.ms).toBeLessThan(8000);
    const text = cli(home, ['status']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("Daemon state unknown: could not read the daemon's heartbeat (the store is locked by another process)");
    expect(text.stdout).toContain('Running: unknown (could not read the runs (the store is locked by another process))');
  });
});
