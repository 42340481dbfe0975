// The three document shapes: one definition, an array of definitions, or {"tasks": [...], "groups": [...]}.

import type { ValidationIssue } from './issue.js';
import { compact, isRecord, reportType, type Scope } from './scope.js';
import { reportUnknownKey } from './unknown.js';

export const DOCUMENT_EXPECTED = 'a task object, an array of tasks, or {"tasks": [...], "groups": [...]}';
const WRAPPER_KEYS = ['tasks', 'groups'] as const;

export interface RawDefinition {
  /** null when the item is not an object, so neither kind applies. */
  kind: 'task' | 'group' | null;
  index: number;
  /** JSON pointer of the definition within the document. */
  base: string;
  raw: unknown;
}

/**
 * In a single object or an array, an object with "gid" and no "cmd" is a group and anything else
 * a task: a group always has an id that way, a task never has "gid", and "cmd" is what makes a task.
 * In {"tasks", "groups"} the list decides.
 */
export function kindOf(item: unknown): 'task' | 'group' | null {
  if (!isRecord(item)) return null;
  return Object.hasOwn(item, 'gid') && !Object.hasOwn(item, 'cmd') ? 'group' : 'task';
}

/** Splits a document into its definitions, reporting shape problems as document-level issues. */
export function splitDocument(document: unknown, file: string, issues: ValidationIssue[]): RawDefinition[] {
  const doc: Scope = { file, index: null, kind: null, base: '', issues };
  const raw = compact(document);
  if (Array.isArray(raw)) return raw.map((item: unknown, i) => define(undefined, i, `/${i}`, item));
  if (isRecord(raw) && isWrapper(raw)) return splitWrapper(raw, doc);
  if (isRecord(raw)) return [define(undefined, 0, '', raw)];
  reportType(doc, [], raw, DOCUMENT_EXPECTED);
  return [];
}

/** `kind` undefined: decided by kindOf. */
function define(kind: 'task' | 'group' | undefined, index: number, base: string, item: unknown): RawDefinition {
  const raw = compact(item);
  return { kind: kind ?? kindOf(raw), index, base, raw };
}

/**
 * An object is the {"tasks", "groups"} form when it has none of the keys that make a definition
 * and either has "tasks"/"groups" or holds only arrays (so `{"task": [...]}` is a misspelt wrapper).
 */
function isWrapper(raw: Record<string, unknown>): boolean {
  const keys = Object.keys(raw);
  if (keys.length === 0 || ['cmd', 'name', 'tid', 'gid'].some((k) => Object.hasOwn(raw, k))) return false;
  return WRAPPER_KEYS.some((k) => Object.hasOwn(raw, k)) || keys.every((k) => Array.isArray(raw[k]));
}

function splitWrapper(raw: Record<string, unknown>, doc: Scope): RawDefinition[] {
  const out: RawDefinition[] = [];
  for (const key of Object.keys(raw)) {
    if (!(WRAPPER_KEYS as readonly string[]).includes(key)) {
      reportUnknownKey(doc, [key], key, { what: 'document keys', keys: WRAPPER_KEYS });
    }
  }
  for (const key of WRAPPER_KEYS) {
    if (!Object.hasOwn(raw, key)) continue;
    const list = raw[key];
    const kind = key === 'tasks' ? 'task' : 'group';
    if (!Array.isArray(list)) {
      reportType(doc, [key], list, `an array of ${kind} objects`);
      continue;
    }
    list.forEach((item: unknown, i) => out.push(define(kind, i, `/${key}/${i}`, item)));
  }
  return out;
}
