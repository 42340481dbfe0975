// The STARTED step (product.md §3): user, environment, profile, placeholders and output paths → an AttemptSpec.
import { statSync } from 'node:fs';
import { DEFAULTS } from '../core/defaults.js';
import type { TaskDef } from '../core/task.js';
import type { AttemptSpec } from './attempt-types.js';
import { bashPath } from './bash.js';
import { baseEnvironment, daemonUser } from './environment.js';
import { resolveOutputPaths } from './output-files.js';
import { resolvePlaceholders, type PlaceholderContext } from './placeholders.js';
import { sourceProfile } from './profile.js';
import { currentUid, resolveRunAsUser, type OsUser, type RunAs } from './run-as-user.js';

export interface PrepareInput {
  task: TaskDef;
  runId: number | string;
  attempt: number;
  /** The run's fire instant, epoch ms. */
  triggerAt: number;
  /** The task's effective zone (a group member's comes from its group). */
  timezone: string;
  home: string;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** Default: the daemon's real uid. */
  daemonUid?: number;
  /** Who the attempt runs as without run_as_user; default the daemon's own user (os.userInfo). */
  daemonUser?: OsUser;
}

export type PrepareResult =
  | { ok: true; spec: AttemptSpec }
  | { ok: false; reason: 'user_error' | 'placeholder_error' | 'spawn_error'; message: string };

/** Everything needed before the spawn; a profile that fails is a `spawn_error` (the attempt could not start). */
export async function prepareAttempt(input: PrepareInput): Promise<PrepareResult> {
  const { task } = input;
  let user: OsUser | undefined;
  let runAs: RunAs | undefined;
  if (task.run_as_user !== undefined) {
    const check = await resolveRunAsUser(task.run_as_user, input.daemonUid ?? currentUid());
    if (!check.ok) return { ok: false, reason: 'user_error', message: check.message };
    user = check.user;
    runAs = check.runAs;
  }
  // As cron does: the job starts in the home of the user it runs as ("/" when that has no home
  // folder), with that user's identity and the task's zone, unless the task says otherwise.
  const identity = user ?? input.daemonUser ?? daemonUser(input.processEnv);
  const cwd = task.cwd ?? (isFolder(identity.home) ? identity.home : '/');
  let env = baseEnvironment({ processEnv: input.processEnv, taskEnv: task.env, user: identity, timezone: input.timezone, shell: bashPath() });
  if (task.profile !== undefined) {
    const sourced = await sourceProfile(task.profile, { env, cwd, runAs });
    if (!sourced.ok) return { ok: false, reason: 'spawn_error', message: sourced.message };
    env = sourced.env;
  }
  const ctx: PlaceholderContext = { env, taskName: task.name, taskId: task.tid, triggerAt: input.triggerAt, timezone: input.timezone };
  const cmd = resolvePlaceholders(task.cmd, ctx, { mode: 'cmd', field: 'cmd' });
  if (!cmd.ok) return { ok: false, reason: 'placeholder_error', message: cmd.message };
  const stdout = resolveOptionalPath(task.stdout, ctx, 'stdout');
  if (!stdout.ok) return { ok: false, reason: 'placeholder_error', message: stdout.message };
  const stderr = resolveOptionalPath(task.stderr, ctx, 'stderr');
  if (!stderr.ok) return { ok: false, reason: 'placeholder_error', message: stderr.message };
  const paths = resolveOutputPaths({ home: input.home, taskName: task.name, runId: input.runId, stdout: stdout.value, stderr: stderr.value });
  const marker = attemptMarker(input.processEnv);
  const spec: AttemptSpec = {
    cmd: cmd.value,
    // The marker comes last: a task's env or profile cannot unset what finds its processes.
    env: { ...env, ...cmd.env, ...marker },
    shell: 'bash',
    ...paths,
    killGraceSeconds: DEFAULTS.killGraceSeconds,
    maxOutputBytes: task.max_output_bytes ?? DEFAULTS.maxOutputBytes,
    attempt: input.attempt,
    cwd,
    ...(task.max_run_time !== undefined ? { maxRunTimeSeconds: task.max_run_time } : {}),
    ...(runAs !== undefined ? { runAsUser: runAs } : {}),
    ...(marker !== undefined ? { marker } : {}),
  };
  return { ok: true, spec };
}

const MARKER_KEYS = ['EASYTASK_HOME', 'EASYTASK_RUN_ID', 'EASYTASK_ATTEMPT'] as const;

/** The variables the daemon gave this attempt that name it (home, run and attempt), when all are there. */
function attemptMarker(env: Readonly<Record<string, string | undefined>>): Record<string, string> | undefined {
  const marker: Record<string, string> = {};
  for (const key of MARKER_KEYS) {
    const value = env[key];
    if (value === undefined || value === '') return undefined;
    marker[key] = value;
  }
  return marker;
}

type OptionalPath = { ok: true; value: string | undefined } | { ok: false; message: string };

function resolveOptionalPath(text: string | undefined, ctx: PlaceholderContext, field: string): OptionalPath {
  if (text === undefined) return { ok: true, value: undefined };
  return resolvePlaceholders(text, ctx, { mode: 'path', field });
}

/** One stat of a local folder, synchronously: cheaper than a turn of the event loop per attempt. */
function isFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
