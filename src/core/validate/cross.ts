// Checks across all definitions of a batch: members' instances, unique names and ids per instance, known groups.

import { DEFAULTS } from '../defaults.js';
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

/** The instances holding a group named `name`, in the batch or the store, sorted. */
function groupInstances(defs: readonly Located[], opts: ValidateOptions, name: string): string[] {
  const inBatch = defs.filter((d) => d.kind === 'group' && d.name === name && d.instance !== undefined).map((d) => d.instance!);
  return [...new Set([...inBatch, ...(opts.storedGroupInstances?.(name) ?? [])])].sort();
}

const quoteList = (xs: readonly string[]): string => xs.map((x) => `"${x}"`).join(', ');

/**
 * A member that gives no "instance" takes its group's: the one instance whose batch or store has a
 * group of that name. When several instances have one, it stays in "default" if that is among them
 * (as a member without an instance always did), and is ambiguous otherwise; none leaves the default
 * for checkGroupsExist to report. A member that gives an instance without that group, while another
 * instance has it, is refused here. Runs before the other batch checks, which use the instance.
 */
export function resolveMemberInstances(defs: Located[], opts: ValidateOptions, issues: ValidationIssue[]): void {
  for (const d of defs) {
    if (d.kind !== 'task' || d.group === undefined || d.instance === undefined) continue;
    const holders = groupInstances(defs, opts, d.group);
    if (holders.length === 0 || (d.instanceGiven && holders.includes(d.instance))) continue;
    if (!d.instanceGiven && (holders.length === 1 || holders.includes(DEFAULTS.instance))) {
      d.instance = holders.length === 1 ? holders[0]! : DEFAULTS.instance;
      if (d.input !== undefined) (d.input as { instance: string }).instance = d.instance;
      continue;
    }
    if (d.instanceGiven) {
      const expected = `${holders.length === 1 ? `"${holders[0]}"` : `one of ${quoteList(holders)}`}, the instance of group "${d.group}", or no "instance" to take the group's`;
      const where = holders.length === 1 ? `instance "${holders[0]}"` : `instances ${quoteList(holders)}`;
      report(scopeOf(d, issues), ['instance'], {
        value: d.instance,
        expected,
        message: `instance "${d.instance}" differs from the instance of its group: group "${d.group}" is in ${where}, not in "${d.instance}"; expected ${expected}`,
      });
    } else {
      const expected = `"instance" set to one of ${quoteList(holders)}`;
      report(scopeOf(d, issues), ['instance'], {
        expected,
        message: `group "${d.group}" exists in instances ${quoteList(holders)}, so the member's instance is ambiguous; expected ${expected}`,
      });
    }
    // Reported once here: no second issue for its name, id or group.
    delete d.instance;
  }
}

/** Every task_group names a group of the batch or of the store, in the task's instance. */
export function checkGroupsExist(defs: readonly Located[], opts: ValidateOptions, issues: ValidationIssue[]): void {
  for (const d of defs) {
    if (d.kind !== 'task' || d.group === undefined || d.instance === undefined) continue;
    if (groupInstances(defs, opts, d.group).includes(d.instance)) continue;
    const expected = `a group defined in these files or already inserted, in instance "${d.instance}"`;
    const message = `group "${d.group}" is not defined; expected ${expected}`;
    report(scopeOf(d, issues), ['task_group'], { value: d.group, expected, message });
  }
}
