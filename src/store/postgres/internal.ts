// What the parts of the PostgreSQL driver do for each other inside one unit (a transaction): the
// operations a part exposes to another part, beside the contract's.
import type { DaemonRow, GroupRunPatch, GroupRunRow, NewGroupRun, NewRun, RunRow, TransitionRequest } from '../rows.js';
import type { FreezeOutcome, FrozenTask, RunStore } from '../contract.js';
import type { GroupRunEventType, GroupRunState } from '../../core/states.js';
import type { Unit } from './unit.js';

export interface RunsInUnit {
  /** Create the run for a slot with run.created; undefined when the slot has one. */
  createIn(u: Unit, r: NewRun): Promise<RunRow | undefined>;
  /** One transition (checked against the table, and the version when given) with its event. */
  transitionIn(u: Unit, req: TransitionRequest): Promise<RunRow>;
  forceIn(u: Unit, r: NewRun, trigger: Pick<TransitionRequest, 'patch' | 'data'>): Promise<RunRow>;
  modifyStatusIn(u: Unit, req: Parameters<RunStore['modifyStatus']>[0]): Promise<RunRow>;
  /** Skip a task's runs not started yet (PENDING_STATES), each with its event. */
  skipPendingIn(u: Unit, task: string, instance: string, reason: 'deleted' | 'disabled', data: Record<string, unknown>): Promise<RunRow[]>;
}

export interface GroupRunsInUnit {
  createIn(u: Unit, g: NewGroupRun): Promise<GroupRunRow | undefined>;
  transitionIn(u: Unit, id: number, event: Exclude<GroupRunEventType, 'group_run.created'>, to: GroupRunState, patch?: GroupRunPatch, data?: Record<string, unknown>): Promise<GroupRunRow>;
  forceIn(u: Unit, g: NewGroupRun): Promise<GroupRunRow>;
  /** ACTIVE cycles of one group, for a newer slot to supersede. */
  activeOfGroupIn(u: Unit, gid: number, instance: string): Promise<GroupRunRow[]>;
}

export interface FrozenDatesInUnit {
  freezeIn(u: Unit, task: FrozenTask, date: string, data?: Record<string, string>): Promise<FreezeOutcome>;
  unfreezeIn(u: Unit, task: FrozenTask, date: string, data?: Record<string, string>): Promise<FreezeOutcome>;
}

export interface AttemptsInUnit {
  /** Flag these attempts for their agents to kill (a terminate of a run another agent holds). */
  requestTerminateIn(u: Unit, items: readonly { runId: number; n: number }[]): Promise<void>;
}

export interface LeaseInUnit {
  readIn(u: Unit): Promise<DaemonRow | undefined>;
}
