// Validates documents one by one, then checks them together; a single document is a batch of one.

import { checkGroupsExist, checkUnique, resolveMemberInstances, type Located } from './cross.js';
import { splitDocument } from './document.js';
import { duplicatesOf, reportDuplicates } from './duplicates.js';
import { checkGroup } from './group.js';
import { nameScope } from './checked.js';
import type { ValidationIssue } from './issue.js';
import { reportType, type Scope } from './scope.js';
import { checkTask } from './task.js';
import type { DuplicateKey } from '../json-source.js';
import type { BatchEntry, GroupInput, TaskInput, ValidateOptions, ValidatedBatch, ValidatedDocument } from './types.js';

export function validateDocument(raw: unknown, file: string, opts: ValidateOptions): ValidatedDocument {
  const { tasks, groups, issues } = validateBatch([{ file, raw }], opts);
  return { tasks, groups, issues };
}

/**
 * Validates several documents (e.g. the *.json files of a directory) and checks them together.
 * `duplicates`: names repeated within an object of the document's text (see findDuplicateKeys).
 */
export function validateBatch(
  docs: readonly { file: string; raw: unknown; duplicates?: readonly DuplicateKey[] }[],
  opts: ValidateOptions,
): ValidatedBatch {
  const result: ValidatedBatch = { tasks: [], groups: [], issues: [], files: [] };
  const all: Located[] = [];
  for (const doc of docs) {
    const issues: ValidationIssue[] = [];
    const defs = checkDocument(doc.file, doc.raw, doc.duplicates ?? [], opts, issues);
    all.push(...defs);
    result.issues.push(...issues);
    const count = (kind: string): number => defs.filter((d) => d.kind === kind).length;
    result.files.push({ file: doc.file, tasks: count('task'), groups: count('group'), issues: issues.length });
  }
  const cross: ValidationIssue[] = [];
  resolveMemberInstances(all, opts, cross);
  checkUnique(all, cross);
  checkGroupsExist(all, opts, cross);
  result.issues.push(...cross);
  for (const c of cross) {
    const f = result.files.find((x) => x.file === c.file);
    if (f) f.issues += 1;
  }
  for (const d of all) {
    if (d.input === undefined) continue;
    const entry = { file: d.file, index: d.index, pointer: d.base };
    if (d.kind === 'task') result.tasks.push({ ...entry, input: d.input as TaskInput } satisfies BatchEntry<TaskInput>);
    else result.groups.push({ ...entry, input: d.input as GroupInput } satisfies BatchEntry<GroupInput>);
  }
  return result;
}

function checkDocument(
  file: string,
  raw: unknown,
  duplicates: readonly DuplicateKey[],
  opts: ValidateOptions,
  issues: ValidationIssue[],
): Located[] {
  const out: Located[] = [];
  const defs = splitDocument(raw, file, issues);
  reportDuplicates({ file, index: null, kind: null, base: '', issues }, duplicatesOf(duplicates, defs, undefined));
  for (const def of defs) {
    const s: Scope = { file, index: def.index, kind: def.kind, base: def.base, issues };
    if (def.kind === null) {
      reportType(s, [], def.raw, 'a task or group object');
      continue;
    }
    nameScope(s, def.raw);
    const before = issues.length;
    reportDuplicates(s, duplicatesOf(duplicates, defs, def));
    const repeated = issues.length > before;
    const checked = def.kind === 'task' ? checkTask(def.raw, s, opts) : checkGroup(def.raw, s, opts);
    // A definition with a repeated field is not valid, whatever its last values say.
    if (repeated) delete checked.input;
    const name = s.name === undefined ? {} : { name: s.name };
    out.push({ ...checked, file, index: def.index, kind: def.kind, base: def.base, ...name });
  }
  return out;
}
