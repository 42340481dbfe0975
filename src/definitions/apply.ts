// Validate a batch of documents against each other and the store, then write it all or nothing.
import { userInfo } from 'node:os';
import { DateTime } from 'luxon';
import { parseJsonText, type DuplicateKey } from '../core/json-source.js';
import { formatIssue, validateBatch, type ValidationIssue } from '../core/validate/index.js';
import type { DefinitionInput, Store, StoredDefinition, WriteOutcome } from '../store/index.js';
import type { CalendarSet } from '../schedule/index.js';
import { checkDependencies } from './dependencies.js';
import { checkFires } from './never-fires.js';
import type { SourceDocument } from './load.js';

export interface PreparedItem {
  input: DefinitionInput;
  file: string;
  index: number;
  pointer: string;
}

export interface Prepared {
  items: PreparedItem[];
  issues: ValidationIssue[];
  /** Problems that do not stop the batch, e.g. a calendar that excludes every day a schedule fires on. */
  warnings: ValidationIssue[];
}

export interface PrepareOptions {
  strict?: boolean;
  /** Existing names are allowed (they will be updated) instead of refused. */
  replace?: boolean;
  /** Every definition must already exist (update). */
  mustExist?: boolean;
  calendarExists?: (name: string) => boolean;
  /** What is wrong with the file of a calendar that cannot be used. */
  calendarProblem?: (name: string) => string | undefined;
  /** The calendars schedules may name, to warn when one excludes every fire; loaded only when needed. */
  calendars?: () => CalendarSet;
  /** The instant "never fires" is judged from: the caller's clock (or next's --from). */
  now: number;
  /** Import: the batch replaces the whole store, so groups come from it and absent holders of ids go away. */
  sync?: boolean;
}

export function machineZone(): string {
  return DateTime.local().zoneName ?? 'UTC';
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** Parse and validate every document; with a store, also check names and ids against it (its definitions read once). */
export async function prepare(sources: SourceDocument[], store: Store | undefined, opts: PrepareOptions): Promise<Prepared> {
  const stored = store ? await store.defs.all() : undefined;
  const issues: ValidationIssue[] = [];
  const docs: { file: string; raw: unknown; duplicates: DuplicateKey[] }[] = [];
  for (const s of sources) {
    const parsed = parseJsonText(s.text, s.file);
    if (parsed.ok) docs.push({ file: s.file, raw: parsed.value, duplicates: parsed.duplicates });
    else issues.push(parsed.issue);
  }
  const v = validateBatch(docs, {
    strict: opts.strict,
    defaultTimezone: machineZone(),
    defaultOwner: currentUser(),
    calendarExists: opts.calendarExists,
    calendarProblem: opts.calendarProblem,
    storedGroupInstances: stored && !opts.sync ? storedGroupInstances(stored) : undefined,
  });
  issues.push(...v.issues);
  const items: PreparedItem[] = [
    ...v.groups.map((g) => ({ input: { kind: 'group', def: g.input } as DefinitionInput, file: g.file, index: g.index, pointer: g.pointer })),
    ...v.tasks.map((t) => ({ input: { kind: 'task', def: t.input } as DefinitionInput, file: t.file, index: t.index, pointer: t.pointer })),
  ];
  if (stored) issues.push(...storeConflicts(items, stored, opts));
  issues.push(...checkDependencies(items, stored, { sync: opts.sync }));
  const named = items.some((i) => i.input.def.calendar !== undefined);
  const fires = checkFires(items, named ? opts.calendars?.() : undefined, opts.now);
  issues.push(...fires.issues);
  return { items, issues, warnings: fires.warnings };
}

/** The instances of the store's groups by name, indexed on first use. */
function storedGroupInstances(stored: readonly StoredDefinition[]): (name: string) => readonly string[] {
  let byName: Map<string, string[]> | undefined;
  return (name) => {
    if (byName === undefined) {
      byName = new Map();
      for (const g of stored) {
        if (g.definition.kind !== 'group') continue;
        const { name: n, instance } = g.definition.def;
        byName.set(n, [...(byName.get(n) ?? []), instance]);
      }
    }
    return byName.get(name) ?? [];
  };
}

function storeConflicts(items: PreparedItem[], stored: readonly StoredDefinition[], opts: PrepareOptions): ValidationIssue[] {
  const byName = new Map(stored.map((s) => [`${s.definition.def.instance}/${s.definition.def.name}`, s]));
  const byExtId = new Map(stored.map((s) => [`${s.definition.kind}:${s.definition.def.instance}/${s.definition.kind === 'task' ? s.definition.def.tid : s.definition.def.gid}`, s]));
  const issues: ValidationIssue[] = [];
  const inBatch = new Set(items.map((i) => `${i.input.def.instance}/${i.input.def.name}`));
  for (const it of items) {
    const { name, instance } = it.input.def;
    const at = (field: string, value: unknown, message: string, expected: string): ValidationIssue => ({
      file: it.file, index: it.index, kind: it.input.kind, name, pointer: `${it.pointer}/${field}`, value, message, expected,
    });
    const existing = byName.get(`${instance}/${name}`);
    if (existing && !opts.replace && !opts.mustExist) {
      issues.push(at('name', name, `${existing.definition.kind} "${name}" already exists in instance ${instance}`, 'a new name, or --replace to update it (or: easytask update)'));
    } else if (!existing && opts.mustExist) {
      issues.push(at('name', name, `no ${it.input.kind} named "${name}" in instance ${instance}`, 'the name of an existing definition (use insert to add new ones)'));
    } else if (existing && existing.definition.kind !== it.input.kind) {
      issues.push(at('name', name, `"${name}" is already a ${existing.definition.kind}`, `a name not used by a ${existing.definition.kind}`));
    }
    const field = it.input.kind === 'task' ? 'tid' : 'gid';
    const id = it.input.kind === 'task' ? it.input.def.tid : it.input.def.gid;
    if (id !== undefined) {
      const holder = byExtId.get(`${it.input.kind}:${instance}/${id}`);
      const leaving = opts.sync && holder && !inBatch.has(`${instance}/${holder.definition.def.name}`);
      if (holder && holder.definition.def.name !== name && !leaving) {
        issues.push(at(field, id, `${field} ${id} is already used by "${holder.definition.def.name}"`, `an unused ${field}, or omit it to have one assigned`));
      }
    }
  }
  return issues;
}

/** Write every prepared definition as one unit: all of them, or none. */
export async function writeAll(store: Store, items: PreparedItem[], opts: { replace: boolean }): Promise<WriteOutcome[]> {
  return (await store.defs.apply({ write: items.map((it) => it.input), replace: opts.replace })).written;
}

export { formatIssue };
