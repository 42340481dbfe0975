// The shapes validation takes and gives: options, inputs before the store assigns ids, results.

import type { GroupDef, TaskDef } from '../task.js';
import type { ValidationIssue } from './issue.js';

/** A normalised task; `tid` is assigned by the store when omitted. */
export type TaskInput = Omit<TaskDef, 'tid'> & { tid?: number };
/** A normalised group; `gid` is assigned by the store when omitted. */
export type GroupInput = Omit<GroupDef, 'gid'> & { gid?: number };

export interface ValidateOptions {
  /** Also enforce EasyTask's full mandatory-field list (see strict.ts). */
  strict?: boolean;
  /** The machine's zone, used when a standalone task or group gives none. */
  defaultTimezone: string;
  /** The inserting user, used when a task gives no task_owner. */
  defaultOwner: string;
  /** When given, a calendar it does not know is an issue. */
  calendarExists?: (name: string) => boolean;
  /** When given, what is wrong with the file of a calendar that cannot be used (undefined: nothing). */
  calendarProblem?: (name: string) => string | undefined;
  /**
   * The instances whose store holds a group of this name; a task_group must name one of these or a
   * group of the batch, and a member that gives no instance takes its group's.
   */
  storedGroupInstances?: (name: string) => readonly string[];
}

export interface Entry<T> {
  input: T;
  /** 0-based position in the document's list (its tasks or groups list for `{"tasks", "groups"}`). */
  index: number;
  /** JSON pointer of the definition within its document. */
  pointer: string;
}

/**
 * `tasks` and `groups` hold the definitions that passed their own checks, normalised with defaults.
 * The document (or batch) is valid only when `issues` is empty.
 */
export interface ValidatedDocument {
  tasks: Entry<TaskInput>[];
  groups: Entry<GroupInput>[];
  issues: ValidationIssue[];
}

export interface BatchEntry<T> extends Entry<T> {
  file: string;
}

export interface ValidatedBatch extends ValidatedDocument {
  tasks: BatchEntry<TaskInput>[];
  groups: BatchEntry<GroupInput>[];
  /** Per document, in the order given: how many definitions it held and how many issues it has. */
  files: { file: string; tasks: number; groups: number; issues: number }[];
}
