// Builds the environment an attempt starts from, in one documented order of precedence.
import type { OsUser } from './run-as-user.js';

export type EnvMap = Record<string, string>;

export interface BaseEnvironmentInput {
  /** The daemon's own environment. */
  processEnv: Readonly<Record<string, string | undefined>>;
  /** The task's `env` field. */
  taskEnv?: Readonly<Record<string, string>>;
  /** The run_as_user target: its HOME, USER and LOGNAME replace the daemon's. */
  user?: OsUser;
}

/**
 * The environment before the profile: process env, then the run_as_user identity, then the task's
 * `env`. The profile is sourced in this environment, so its exports come last and win.
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
  return { ...env, ...input.taskEnv };
}
