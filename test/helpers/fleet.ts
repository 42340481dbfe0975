// Several "hosts" on one machine sharing a PostgreSQL database: each a daemon or agent process of the
// built executable with its own home and EASYTASK_HOSTNAME. Killed after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { BIN, ROOT } from './cli.js';
import { tempHome } from './home.js';
import { waitFor } from './wait.js';

export interface HostProcess {
  host: string;
  home: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(c.pid!, 'SIGCONT'); // a paused one would not die of SIGKILL before it resumes its threads
    } catch {
      // gone
    }
    c.kill('SIGKILL');
  }
});

/** Fast leases so fail-over and recovery take seconds in a test. */
export const FAST = ['--poll', '50', '--lease', '3', '--lease-grace', '1', '--spawners', '0'];

export interface StartOptions {
  role?: 'daemon' | 'agent';
  args?: string[];
  /** Wrap the command (e.g. ['faketime', '-f', '+10m']). */
  wrap?: string[];
  env?: Record<string, string>;
  home?: string;
  /** The database URL this host uses (default: the fleet's). */
  url?: string;
}

export async function startHost(url: string, host: string, o: StartOptions = {}): Promise<HostProcess> {
  const home = o.home ?? tempHome();
  const role = o.role ?? 'daemon';
  const args = [BIN, role, '--store', o.url ?? url, ...FAST, ...(role === 'daemon' ? ['--leader-lease', '3'] : []), ...(o.args ?? [])];
  const [file, argv] = o.wrap ? [o.wrap[0]!, [...o.wrap.slice(1), process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(file, argv, {
    cwd: ROOT,
    env: { ...process.env, EASYTASK_HOME: home, EASYTASK_HOSTNAME: host, TZ: 'UTC', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const ready = role === 'agent' ? 'Agent started' : 'Scheduler service started';
  await waitFor(() => out.includes(ready) || child.exitCode !== null, `${host} to start`, 20_000);
  if (child.exitCode !== null) throw new Error(`${host} exited at start: ${out}`);
  return {
    host, home, child, exited, output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Wait until `host`'s output says it leads. */
export const leads = (h: HostProcess) => waitFor(() => /leading \(term \d+\)/.test(h.output()), `${h.host} to lead`, 20_000);
