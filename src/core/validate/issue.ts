// One validation problem, where it is (file, definition, JSON pointer) and how it prints as a line.

import { OutOfRangeNumber } from '../json-number.js';

export interface ValidationIssue {
  /** As given by the caller, e.g. "tasks/daily.json" or "<stdin>". */
  file: string;
  /** 0-based position of the definition in the document's list; null for document-level problems. */
  index: number | null;
  kind: 'task' | 'group' | null;
  /** The definition's name when it has a usable one. */
  name?: string;
  /** JSON pointer of the field within the document ("" = the whole document). */
  pointer: string;
  /** The bad value, when there is one. */
  value?: unknown;
  /** What was expected, in words a newcomer can act on. */
  expected: string;
  /** The complete statement of the problem, including what was expected. */
  message: string;
}

const MAX_SHOWN = 60;

/** A value as JSON, cut to about 60 characters, for messages; a number too large for a double as written. */
export function showValue(value: unknown): string {
  if (value instanceof OutOfRangeNumber) return `${cut(value.literal)}, which is out of range`;
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return cut(text);
}

const cut = (text: string): string => (text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text);

/** Appends keys to a JSON pointer (RFC 6901 escaping). */
export function joinPointer(base: string, ...path: readonly (string | number)[]): string {
  return base + path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * One line: `file: task #3 "nightly" /tasks/2/trigger_times: <message>`,
 * or `file: <message>` for a document-level issue.
 */
export function formatIssue(i: ValidationIssue): string {
  if (i.index === null) return i.pointer === '' ? `${i.file}: ${i.message}` : `${i.file}: ${i.pointer}: ${i.message}`;
  const name = i.name === undefined ? '' : ` "${i.name}"`;
  const pointer = i.pointer === '' ? '' : ` ${i.pointer}`;
  return `${i.file}: ${i.kind ?? 'definition'} #${i.index + 1}${name}${pointer}: ${i.message}`;
}
