// Runs the built executable (bin/easytask → dist/easytask.cjs) in a temporary home.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/easytask', import.meta.url));

if (!existsSync(new URL('../../dist/easytask.cjs', import.meta.url))) {
  throw new Error('dist/easytask.cjs is missing: run `npm run build` first (npm test does it)');
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(home: string, args: string[], opts: { input?: string; cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, EASYTASK_HOME: home, TZ: 'UTC', ...opts.env },
    timeout: 20_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
