// Sources a task's `profile` shell file with bash and captures the environment it exports.
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { execa } from 'execa';
import type { EnvMap } from './environment.js';
import { bashPath } from './bash.js';

export interface ProfileOptions {
  /** The environment the profile is sourced in (see baseEnvironment). */
  env: Readonly<EnvMap>;
  /** Folder the profile runs in; a relative profile path is resolved against it. */
  cwd?: string;
  /** Source the profile as this user (never source a user's file as root). */
  runAs?: { uid: number; gid: number };
  /** Give up on a profile that hangs; default 30 s. */
  timeoutMs?: number;
}

export type ProfileResult = { ok: true; env: EnvMap } | { ok: false; message: string };

/** Variables bash sets for itself; they keep their value from the input environment. */
const BASH_OWN = ['_', 'SHLVL', 'PWD', 'OLDPWD'];

// `set -a` exports every variable the profile assigns; a failing `.` (missing file, syntax error,
// last command false, `exit N`) fails the profile, so a half-applied environment never runs a task.
const SCRIPT = 'set -a; . "$1" >/dev/null || exit $?; env -0';

export async function sourceProfile(file: string, opts: ProfileOptions): Promise<ProfileResult> {
  const path = resolve(opts.cwd ?? process.cwd(), file);
  try {
    await access(path, constants.R_OK);
  } catch {
    return { ok: false, message: `profile "${path}" is not a readable file` };
  }
  const result = await execa(bashPath(), ['-c', SCRIPT, 'easytask-profile', path], {
    env: opts.env,
    extendEnv: false,
    cwd: opts.cwd,
    stdin: 'ignore',
    encoding: 'buffer',
    reject: false,
    timeout: opts.timeoutMs ?? 30_000,
    ...(opts.runAs ?? {}),
  });
  if (result.timedOut) return { ok: false, message: `profile "${path}" did not finish within ${(opts.timeoutMs ?? 30_000) / 1000} s` };
  if (result.failed) return { ok: false, message: failureMessage(path, result.exitCode, result.stderr, result.shortMessage) };
  return { ok: true, env: restoreBashOwn(parseEnv0(Buffer.from(result.stdout)), opts.env) };
}

function failureMessage(path: string, code: number | undefined, stderr: Uint8Array, short: string | undefined): string {
  if (code === undefined) return `profile "${path}" could not be sourced: ${short ?? 'unknown error'}`;
  const firstLine = Buffer.from(stderr).toString('utf8').trim().split('\n')[0] ?? '';
  return `profile "${path}" failed with status ${code}` + (firstLine ? `: ${firstLine}` : '');
}

/** Parse `env -0` output: NUL separated `NAME=value` entries. */
export function parseEnv0(raw: Buffer): EnvMap {
  const env: EnvMap = {};
  for (const entry of raw.toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function restoreBashOwn(env: EnvMap, input: Readonly<EnvMap>): EnvMap {
  for (const key of BASH_OWN) {
    const before = input[key];
    if (before === undefined) delete env[key];
    else env[key] = before;
  }
  return env;
}
