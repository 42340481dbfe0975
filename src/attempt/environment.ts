// Builds the environment an attempt starts from, in one documented order of precedence.
import { userInfo } from 'node:os';
import type { OsUser } from './run-as-user.js';

export type EnvMap = Record<string, string>;

export interface BaseEnvironmentInput {
  /** The daemon's own environment. */
  processEnv: Readonly<Record<string, string | undefined>>;
  /** The task's `env` field. */
  taskEnv?: Readonly<Record<string, string>>;
  /** The user the attempt runs as (run_as_user's entry, or the daemon's own): HOME, USER and LOGNAME. */
  user?: OsUser;
  /** The task's effective zone (a member's is its group's): TZ. */
  timezone?: string;
  /** The shell that runs cmd: SHELL. */
  shell?: string;
}

/**
 * The environment before the profile, lowest precedence first: the daemon's environment; the
 * identity of the user the attempt runs as (HOME, USER, LOGNAME), SHELL and the task's TZ; the
 * task's `env`. The profile is sourced in this environment, so its exports come last and win.
 */
export function baseEnvironment(input: BaseEnvironmentInput): EnvMap {
  const env: EnvMap = {};
  for (const [key, value] of Object.entries(input.processEnv)) {
    if (value !== undefined) env[key] = value;
  }
  if (input.user) {
    env.HOME = input.user.home;
    env.USER = input.user.name;
    env.LOGNAME = input.user.name;
  }
  if (input.shell !== undefined) env.SHELL = input.shell;
  if (input.timezone !== undefined) env.TZ = input.timezone;
  return { ...env, ...input.taskEnv };
}

let own: OsUser | undefined;

/**
 * The user the daemon runs as, from the OS user database. A uid without an entry (some
 * containers) falls back to the daemon's HOME, USER or LOGNAME, then to the uid and "/".
 */
export function daemonUser(processEnv: Readonly<Record<string, string | undefined>> = process.env): OsUser {
  if (own) return own;
  try {
    const u = userInfo();
    own = { name: u.username, uid: u.uid, gid: u.gid, home: u.homedir, shell: u.shell ?? '' };
  } catch {
    const uid = process.getuid?.() ?? -1;
    const name = processEnv.USER || processEnv.LOGNAME || String(uid);
    return { name, uid, gid: process.getgid?.() ?? -1, home: processEnv.HOME || '/', shell: '' };
  }
  return own;
}
