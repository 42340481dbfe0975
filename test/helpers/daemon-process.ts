// Starts the built executable's daemon as a real child process in a temporary home.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { BIN, ROOT } from './cli.js';
import { waitFor } from './wait.js';

export interface DaemonProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export async function startDaemonProcess(home: string, args: string[] = [], waitForStart = true): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [BIN, 'daemon', '--poll', '20', ...args], {
    cwd: ROOT,
    env: { ...process.env, EASYTASK_HOME: home, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const p: DaemonProcess = { child, output: () => out, exited };
  if (waitForStart) await waitFor(() => out.includes('Scheduler service started') || child.exitCode !== null, 'the daemon to start');
  return p;
}
