// Running one attempt: prepare it, start it, capture its output, and clean up its processes (the agent's hands).
export type {
  AttemptHandle,
  AttemptHooks,
  AttemptLauncher,
  AttemptOutcome,
  AttemptOutput,
  AttemptResult,
  AttemptSpec,
  OutputProgress,
  StartAttempt,
  TerminateReason,
} from './attempt-types.js';
export { startAttempt, runAttempt, PIPE_DRAIN_MS } from './run-attempt.js';
export { prepareAttempt, type PrepareInput, type PrepareResult } from './prepare-attempt.js';
export {
  resolvePlaceholders,
  ALERT_PARAMS,
  type AlertParam,
  type PlaceholderContext,
  type PlaceholderMode,
  type Resolution,
  type ResolveOptions,
} from './placeholders.js';
export { shellQuote } from './shell-quote.js';
export { baseEnvironment, type BaseEnvironmentInput, type EnvMap } from './environment.js';
export { sourceProfile, type ProfileOptions, type ProfileResult } from './profile.js';
export { resolveOutputPaths, attemptHeader, type OutputPathInput, type OutputPaths } from './output-files.js';
export { truncationMarker, type StreamStats } from './output-sink.js';
export { killProcessGroup, killGroupGracefully, isProcessAlive, isProcessGroupAlive } from './process-group.js';
export { killMarkedGracefully, markedProcesses, scanProcesses, type AttemptMarker } from './marked-processes.js';
export {
  lookupUser,
  checkRunAsUser,
  resolveRunAsUser,
  type OsUser,
  type RunAs,
  type UserCheck,
} from './run-as-user.js';
