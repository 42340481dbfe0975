// JSON text to a value, with malformed input reported by line and column, and repeated keys found.

import { OutOfRangeNumber } from './json-number.js';
import { DOCUMENT_EXPECTED } from './validate/document.js';
import { joinPointer, type ValidationIssue } from './validate/issue.js';

/**
 * Deepest nesting of arrays and objects a document may have. Definitions are shallow (a task in the
 * {"tasks": [...]} wrapper, with an alert action's headers, is 6 levels); the limit keeps a hostile or
 * broken file from exhausting the stack of JSON.parse or of the checks that walk the value.
 */
export const MAX_JSON_DEPTH = 64;

/** A name given twice in one object: JSON.parse keeps the last value and drops the other silently. */
export interface DuplicateKey {
  /** JSON pointer of the object that holds the name twice. */
  pointer: string;
  key: string;
  /** Where the name first appears and where it appears again (1-based). */
  first: { line: number; column: number };
  again: { line: number; column: number };
}

export type JsonSourceResult =
  | { ok: true; value: unknown; duplicates: DuplicateKey[] }
  | { ok: false; issue: ValidationIssue };

const JSON_EXPECTED = 'valid JSON (double-quoted names and strings, commas between items, no trailing commas or comments)';

export function parseJsonText(text: string, file: string): JsonSourceResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    const message = `file is empty; expected ${DOCUMENT_EXPECTED}`;
    return { ok: false, issue: { file, index: null, kind: null, pointer: '', expected: DOCUMENT_EXPECTED, message } };
  }
  const tooDeep = findTooDeep(body, MAX_JSON_DEPTH);
  if (tooDeep !== undefined) {
    const { line, column } = lineColumnAt(body, tooDeep);
    const expected = `at most ${MAX_JSON_DEPTH} levels of nested arrays and objects`;
    const message = `JSON nested more than ${MAX_JSON_DEPTH} levels deep at line ${line}, column ${column}; expected ${expected}`;
    return { ok: false, issue: { file, index: null, kind: null, pointer: '', expected, message } };
  }
  try {
    const value = keepOutOfRangeNumbers(body, JSON.parse(body) as unknown);
    return { ok: true, value, duplicates: findDuplicateKeys(body) };
  } catch (e) {
    const { line, column, reason } = describeSyntaxError(body, e instanceof Error ? e.message : String(e));
    const message = `malformed JSON at line ${line}, column ${column}: ${reason}`;
    return { ok: false, issue: { file, index: null, kind: null, pointer: '', expected: JSON_EXPECTED, message } };
  }
}

/**
 * Offset of the first "[" or "{" that opens level `limit + 1`, outside strings; undefined when the text
 * nests no deeper than `limit`. A loop, not a recursion, so any depth can be measured.
 */
export function findTooDeep(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i += 1; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 1;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth += 1;
      if (depth > limit) return i;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/**
 * JSON.parse turns a number beyond the range of a double (1e400) into Infinity, which prints as null.
 * Each such number becomes an OutOfRangeNumber holding the text the file gave, so the checks refuse it
 * (it is no number) and say what was written. `value` nests at most MAX_JSON_DEPTH levels.
 */
function keepOutOfRangeNumbers(text: string, value: unknown): unknown {
  if (!hasNonFinite(value)) return value;
  const scan = new Scanner(text, undefined, new Map());
  scan.value();
  const literals = scan.numbers!;
  // In place: the value is JSON.parse's own, and an own "__proto__" member is assigned as a member.
  const replace = (v: unknown, pointer: string): unknown => {
    if (typeof v === 'number' && !Number.isFinite(v)) return new OutOfRangeNumber(literals.get(pointer) ?? String(v));
    if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = replace(o[k], joinPointer(pointer, Array.isArray(v) ? Number(k) : k));
    }
    return v;
  };
  return replace(value, '');
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v !== 'object' || v === null) return false;
  return (Array.isArray(v) ? v : Object.values(v)).some(hasNonFinite);
}

/**
 * Where and why JSON.parse failed. V8 says "… in JSON at position N", in newer versions followed by
 * "(line L column C)"; some messages ("Unexpected token 'x', "…" is not valid JSON", "Unexpected end of
 * JSON input") carry no position, and then a scan of the text finds it.
 */
export function describeSyntaxError(text: string, message: string): { line: number; column: number; reason: string } {
  const lineCol = /\(line (\d+) column (\d+)\)/.exec(message);
  const pos = /at position (\d+)/.exec(message);
  const reason = cleanReason(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]), reason };
  const offset = pos ? Number(pos[1]) : findErrorOffset(text);
  return { ...lineColumnAt(text, offset), reason };
}

function cleanReason(message: string): string {
  return message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*(?:in JSON )?at position \d+/, '')
    .replace(/^(Unexpected token '.+?'), .*is not valid JSON$/su, '$1')
    .trim();
}

/** 1-based line and column of a 0-based offset; "\n", "\r\n" and a lone "\r" end a line. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line += 1;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** Offset of the first character that makes `text` invalid JSON (text.length when it ends too soon). */
export function findErrorOffset(text: string): number {
  const scan = new Scanner(text);
  try {
    scan.value();
    scan.space();
    return scan.at < text.length ? scan.at : text.length;
  } catch (e) {
    if (e instanceof ScanError) return e.offset;
    return 0;
  }
}

/**
 * Every repeat of a name within one object of valid JSON `text`, in the order they appear. Repeats inside a
 * value that a later repeat of its name replaces are left out: JSON.parse drops that value, and its pointer
 * would name what replaced it. The repeat of the name itself is reported.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const scan = new Scanner(text, []);
  try {
    scan.value();
  } catch {
    // Not valid JSON, or nested beyond the stack: JSON.parse reports the former, and the latter is no definition.
    return [];
  }
  return scan.found!
    .filter((d) => !d.replaced)
    .map((d) => ({ pointer: d.pointer, key: d.key, first: lineColumnAt(text, d.first), again: lineColumnAt(text, d.again) }));
}

interface FoundDuplicate {
  pointer: string;
  key: string;
  first: number;
  again: number;
  /** Inside a value that a later repeat of its name replaces. */
  replaced?: boolean;
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class ScanError {
  constructor(readonly offset: number) {}
}

/** A strict JSON recogniser that tracks where it is and, given `found`, the names each object repeats. */
class Scanner {
  at = 0;
  constructor(
    private readonly text: string,
    readonly found?: FoundDuplicate[],
    /** Given, the text of each number beyond a double's range, by pointer (the last of a repeated name wins). */
    readonly numbers?: Map<string, string>,
  ) {}

  space(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at]!)) this.at += 1;
  }

  private fail(): never {
    throw new ScanError(Math.min(this.at, this.text.length));
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) this.fail();
    this.at += 1;
  }

  /** `pointer`: where the value is, for naming the object that repeats a name. */
  value(pointer = ''): void {
    this.space();
    const c = this.text[this.at];
    if (c === '{') this.object(pointer);
    else if (c === '[') {
      let i = 0;
      this.list(']', () => this.value(joinPointer(pointer, i++)));
    }
    else if (c === '"') this.string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) this.number(pointer);
    else this.literal();
  }

  private object(pointer: string): void {
    // Per name: where it first appears, and which of `found` lie inside its latest value.
    const seen = new Map<string, { first: number; from: number; to: number }>();
    const found = this.found;
    const named = found !== undefined || this.numbers !== undefined;
    this.list('}', () => {
      const start = this.at;
      this.string();
      const key = named ? (JSON.parse(this.text.slice(start, this.at)) as string) : '';
      let entry: { first: number; from: number; to: number } | undefined;
      if (found) {
        entry = seen.get(key);
        if (entry === undefined) {
          entry = { first: start, from: 0, to: 0 };
          seen.set(key, entry);
        } else {
          // The earlier value is replaced: what repeats inside it belongs to no value JSON.parse keeps.
          for (let i = entry.from; i < entry.to; i++) found[i]!.replaced = true;
          found.push({ pointer, key, first: entry.first, again: start });
        }
      }
      this.space();
      this.expect(':');
      if (entry) entry.from = found!.length;
      this.value(named ? joinPointer(pointer, key) : pointer);
      if (entry) entry.to = found!.length;
    });
  }

  private list(close: string, item: () => void): void {
    this.at += 1;
    this.space();
    if (this.text[this.at] === close) {
      this.at += 1;
      return;
    }
    for (;;) {
      this.space();
      item();
      this.space();
      if (this.text[this.at] === close) {
        this.at += 1;
        return;
      }
      this.expect(',');
    }
  }

  private string(): void {
    this.expect('"');
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || c < ' ') this.fail();
      this.at += 1;
      if (c === '"') return;
      if (c === '\\') {
        const e = this.text[this.at];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 1, this.at + 5))) this.fail();
          this.at += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.at += 1;
        else this.fail();
      }
    }
  }

  private number(pointer: string): void {
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail();
    this.at += m[0].length;
    if (this.numbers && !Number.isFinite(Number(m[0]))) this.numbers.set(pointer, m[0]);
  }

  /** Fails at the first character that departs from true, false or null. */
  private literal(): void {
    const word = ['true', 'false', 'null'].find((w) => w[0] === this.text[this.at]);
    if (word === undefined) this.fail();
    for (const c of word) this.expect(c);
  }
}
