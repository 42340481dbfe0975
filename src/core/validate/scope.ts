// Where the checks of one definition report to: its file, position, name and pointer.

import { OutOfRangeNumber } from '../json-number.js';
import { joinPointer, showValue, type ValidationIssue } from './issue.js';

export interface Scope {
  file: string;
  index: number | null;
  kind: 'task' | 'group' | null;
  name?: string;
  /** JSON pointer of the definition itself. */
  base: string;
  issues: ValidationIssue[];
}

export type Path = readonly (string | number)[];

interface Problem {
  expected: string;
  message: string;
  value?: unknown;
}

/** Records one issue at `path` below the scope's definition. */
export function report(s: Scope, path: Path, p: Problem): void {
  const issue: ValidationIssue = {
    file: s.file,
    index: s.index,
    kind: s.kind,
    ...(s.name === undefined ? {} : { name: s.name }),
    pointer: joinPointer(s.base, ...path),
    ...('value' in p ? { value: p.value } : {}),
    expected: p.expected,
    message: p.message,
  };
  s.issues.push(issue);
}

/** `expected <expected>, got <value>`: a value of the wrong type or out of range. */
export function reportType(s: Scope, path: Path, value: unknown, expected: string): void {
  report(s, path, { value, expected, message: `expected ${expected}, got ${showValue(value)}` });
}

/** `<value> is not valid; expected <expected>`: a text of the wrong form. */
export function reportText(s: Scope, path: Path, value: unknown, expected: string, problem?: string): void {
  const what = problem ?? 'is not valid';
  report(s, path, { value, expected, message: `${showValue(value)} ${what}; expected ${expected}` });
}

/** A required field that is absent. */
export function reportMissing(s: Scope, path: Path, expected: string, why = 'missing required field'): void {
  const field = String(path[path.length - 1]);
  report(s, path, { expected, message: `${why} "${field}"; expected ${expected}` });
}

/** A JSON object (a number too large for a double, held as an object, is none). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof OutOfRangeNumber);
}

/** A copy without `undefined` members (never from JSON, possible from code): absent, not invalid. */
export function compact(v: unknown): unknown {
  return isRecord(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) : v;
}
