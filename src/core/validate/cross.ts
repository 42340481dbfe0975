// Checks across all definitions of a batch: unique names and ids per instance, known groups.

import type { Checked } from './checked.js';
import type { ValidationIssue } from './issue.js';
import { report, type Scope } from './scope.js';
import type { ValidateOptions } from './types.js';

export interface Located extends Checked<unknown> {
  file: string;
  index: number;
  kind: 'task' | 'group';
  name?: string;
  base: string;
}

const scopeOf = (d: Located, issues: ValidationIssue[]): Scope => ({
  file: d.file,
  index: d.index,
  kind: d.kind,
  ...(d.name === undefined ? {} : { name: d.name }),
  base: d.base,
  issues,
});

const describe = (d: Located, withName: boolean): string =>
  `${d.kind} #${d.index + 1}${withName && d.name !== undefined ? ` "${d.name}"` : ''} in ${d.file}`;

/**
 * A task and a group may not share a name within an instance, so `show <name>` is never ambiguous.
 * tids are unique among tasks and gids among groups, per instance. Each repeat is reported at the
 * later definition and names the first.
 */
export function checkUnique(defs: readonly Located[], issues: ValidationIssue[]): void {
  const names = new Map<string, Located>();
  const ids = new Map<string, Located>();
  for (const d of defs) {
    if (d.instance === undefined) continue;
    const nameFirst = d.name === undefined ? undefined : firstOf(names, `${d.instance}\u0000${d.name}`, d);
    if (nameFirst) {
      report(scopeOf(d, issues), ['name'], {
        value: d.name,
        expected: `a name no other task or group uses in instance "${d.instance}"`,
        message: `name "${d.name}" is already used by ${describe(nameFirst, false)}`,
      });
    }
    const idFirst = d.id === undefined ? undefined : firstOf(ids, `${d.kind}\u0000${d.instance}\u0000${d.id}`, d);
    if (idFirst) {
      const idName = d.kind === 'task' ? 'tid' : 'gid';
      report(scopeOf(d, issues), [idName], {
        value: d.id,
        expected: `a ${idName} no other ${d.kind} uses in instance "${d.instance}" (or none, to have one assigned)`,
        message: `${idName} ${d.id} is already used by ${describe(idFirst, true)}`,
      });
    }
  }
}

/** The definition that first used `key`, or undefined after recording `d` as the first. */
function firstOf(seen: Map<string, Located>, key: string, d: Located): Located | undefined {
  const first = seen.get(key);
  if (first === undefined) seen.set(key, d);
  return first;
}

/** Every task_group names a group of the batch or of the store, in the task's instance. */
export function checkGroupsExist(defs: readonly Located[], opts: ValidateOptions, issues: ValidationIssue[]): void {
  const groups = new Set(
    defs.filter((d) => d.kind === 'group' && d.name !== undefined).map((d) => `${d.instance}\u0000${d.name}`),
  );
  for (const d of defs) {
    if (d.kind !== 'task' || d.group === undefined || d.instance === undefined) continue;
    if (groups.has(`${d.instance}\u0000${d.group}`) || opts.groupExists?.(d.group, d.instance)) continue;
    const expected = `a group defined in these files or already inserted, in instance "${d.instance}"`;
    const message = `group "${d.group}" is not defined; expected ${expected}`;
    report(scopeOf(d, issues), ['task_group'], { value: d.group, expected, message });
  }
}
