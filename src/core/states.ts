// Run states and the one table of allowed transitions (product.md §3).

export const RUN_STATES = [
  'ACTIVE',
  'TRIGGER',
  'STARTED',
  'RUNNING',
  'RESTARTING',
  'SUCCESS',
  'FAILED',
  'TERMINATED',
  'REJECTED',
  'FROZEN',
  'SKIPPED',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** A task (definition) is IDLE when inactive, ACTIVE otherwise. */
export type TaskState = 'IDLE' | 'ACTIVE';

export const FINAL_STATES: readonly RunState[] = ['SUCCESS', 'FAILED', 'TERMINATED', 'REJECTED', 'SKIPPED'];
/** The final states that say how a run went (SKIPPED runs never ran). */
export const OUTCOME_STATES: readonly RunState[] = ['SUCCESS', 'FAILED', 'TERMINATED', 'REJECTED'];
export const LIVE_STATES: readonly RunState[] = ['TRIGGER', 'STARTED', 'RUNNING', 'RESTARTING'];

/** Not started yet: a task that goes away or goes idle skips these. */
export const PENDING_STATES: readonly RunState[] = ['ACTIVE', 'FROZEN', 'TRIGGER'];
export const isFinal = (s: RunState): boolean => FINAL_STATES.includes(s);
/** Every state but the final ones: the run may still change. */
export const UNFINISHED_STATES: readonly RunState[] = RUN_STATES.filter((s) => !isFinal(s));
export const isRunState = (s: string): s is RunState => (RUN_STATES as readonly string[]).includes(s);

export type RunEventType =
  | 'run.created'
  | 'run.triggered'
  | 'run.accepted'
  | 'run.started'
  | 'run.output'
  | 'run.succeeded'
  | 'run.failed'
  | 'run.retrying'
  | 'run.terminated'
  | 'run.rejected'
  | 'run.frozen'
  | 'run.unfrozen'
  | 'run.skipped'
  | 'run.released'
  | 'run.status_modified';

/** Event types that change a run's state (run.created and run.output do not go through the table). */
export type TransitionEvent = Exclude<RunEventType, 'run.created' | 'run.output'>;

interface TransitionRule {
  from: readonly RunState[];
  to: readonly RunState[];
}

const PRE_START: readonly RunState[] = ['ACTIVE', 'FROZEN', 'TRIGGER'];

/** The one transition table: for each event, the states it may leave and the states it may enter. */
export const TRANSITIONS: Readonly<Record<TransitionEvent, TransitionRule>> = {
  'run.triggered': { from: ['ACTIVE'], to: ['TRIGGER'] },
  'run.accepted': { from: ['TRIGGER', 'RESTARTING'], to: ['STARTED'] },
  'run.started': { from: ['STARTED'], to: ['RUNNING'] },
  'run.succeeded': { from: ['RUNNING'], to: ['SUCCESS'] },
  'run.failed': { from: ['STARTED', 'RUNNING', 'RESTARTING'], to: ['FAILED'] },
  'run.retrying': { from: ['STARTED', 'RUNNING'], to: ['RESTARTING'] },
  'run.terminated': { from: ['ACTIVE', 'FROZEN', 'TRIGGER', 'STARTED', 'RUNNING', 'RESTARTING'], to: ['TERMINATED'] },
  'run.rejected': { from: ['TRIGGER'], to: ['REJECTED'] },
  'run.frozen': { from: ['ACTIVE'], to: ['FROZEN'] },
  'run.unfrozen': { from: ['FROZEN'], to: ['ACTIVE'] },
  'run.skipped': { from: PRE_START, to: ['SKIPPED'] },
  'run.status_modified': { from: FINAL_STATES, to: ['SUCCESS', 'FAILED'] },
  // A group member skipped for its dependency waits again when modify-status changed its upstream.
  'run.released': { from: ['SKIPPED'], to: ['ACTIVE'] },
};

/** A group run: one cycle of a group (product.md §4). */
export const GROUP_RUN_STATES = ['ACTIVE', 'RUNNING', 'SUCCESS', 'FAILED', 'SKIPPED'] as const;
export type GroupRunState = (typeof GROUP_RUN_STATES)[number];

export type GroupRunEventType =
  | 'group_run.created'
  | 'group_run.started'
  | 'group_run.succeeded'
  | 'group_run.failed'
  | 'group_run.skipped'
  | 'group_run.reopened';

/** Group runs have their own small table of moves, kept beside the run table. */
export const GROUP_TRANSITIONS: Readonly<Record<Exclude<GroupRunEventType, 'group_run.created'>, TransitionRule>> = {
  'group_run.started': { from: ['ACTIVE'], to: ['RUNNING'] },
  'group_run.succeeded': { from: ['RUNNING'], to: ['SUCCESS'] },
  'group_run.failed': { from: ['RUNNING'], to: ['FAILED'] },
  'group_run.skipped': { from: ['ACTIVE'], to: ['SKIPPED'] },
  'group_run.reopened': { from: ['SUCCESS', 'FAILED'], to: ['RUNNING'] },
};

export type TransitionCheck = { ok: true } | { ok: false; message: string };

export function checkTransition(event: TransitionEvent, from: RunState, to: RunState): TransitionCheck {
  const rule = TRANSITIONS[event];
  if (!rule.from.includes(from)) {
    return { ok: false, message: `${event} cannot leave ${from} (allowed from: ${rule.from.join(', ')})` };
  }
  if (!rule.to.includes(to)) {
    return { ok: false, message: `${event} cannot enter ${to} (allowed: ${rule.to.join(', ')})` };
  }
  if (event === 'run.status_modified' && from === to) {
    return { ok: false, message: `run is already ${to}` };
  }
  return { ok: true };
}

/** EasyTask's one-letter state codes used in dependency expressions (product.md §4). */
export const STATE_LETTERS: Readonly<Record<string, RunState | 'IDLE' | 'PASSIVE' | 'UNFROZEN'>> = {
  I: 'IDLE',
  P: 'PASSIVE',
  A: 'ACTIVE',
  Z: 'TRIGGER',
  D: 'STARTED',
  R: 'RUNNING',
  E: 'REJECTED',
  F: 'FAILED',
  S: 'SUCCESS',
  G: 'RESTARTING',
  T: 'TERMINATED',
  O: 'FROZEN',
  U: 'UNFROZEN',
  K: 'SKIPPED',
};

/** Why a run ended FAILED, TERMINATED or SKIPPED. */
export type RunReason =
  | 'exit_code'
  | 'timeout'
  | 'spawn_error'
  | 'placeholder_error'
  | 'lost'
  | 'user_error'
  | 'requested'
  | 'shutdown'
  | 'replaced'
  | 'expired'
  | 'holiday'
  | 'overlap'
  | 'missed'
  | 'dependency'
  | 'disabled'
  | 'deleted';
