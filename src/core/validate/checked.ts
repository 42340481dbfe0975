// What checking one definition yields: its normalised input when valid, and its keys for batch checks.

import { isRecord, type Scope } from './scope.js';
import { NAME_RE } from './text-rules.js';
import type { RuleTable } from './rules.js';

export interface Checked<T> {
  /** Present only when the definition passed all its own checks. */
  input?: T;
  /** The instance it belongs to, when valid (given or default). */
  instance?: string;
  /** Whether the definition gives "instance" itself (a member that does not takes its group's). */
  instanceGiven?: boolean;
  /** tid or gid, when given and valid. */
  id?: number;
  /** task_group, when given and valid. */
  group?: string;
}

/** Sets the scope's name when the definition has a usable one, so every issue can name it. */
export function nameScope(s: Scope, raw: unknown): void {
  if (isRecord(raw) && typeof raw.name === 'string' && NAME_RE.test(raw.name)) s.name = raw.name;
}

/** Fields in rule-table order, each the given value or else its default. */
export function assemble(
  rules: RuleTable,
  fields: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(rules)) {
    const value = Object.hasOwn(fields, key) ? fields[key] : defaults[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The keys cross-definition checks need, from the fields that were valid. */
export function keysOf(
  fields: Record<string, unknown>,
  raw: Record<string, unknown>,
  idKey: 'tid' | 'gid',
  defaultInstance: string,
): Checked<never> {
  const instance = Object.hasOwn(raw, 'instance') ? fields.instance : defaultInstance;
  const out: Checked<never> = { instanceGiven: Object.hasOwn(raw, 'instance') };
  if (typeof instance === 'string') out.instance = instance;
  if (typeof fields[idKey] === 'number') out.id = fields[idKey];
  if (typeof fields.task_group === 'string') out.group = fields.task_group;
  return out;
}
