// JSON text to a value: empty files, a BOM, and malformed JSON by line and column.
import { describe, expect, it } from 'vitest';
import { describeSyntaxError, findDuplicateKeys, findErrorOffset, findTooDeep, lineColumnAt, MAX_JSON_DEPTH, parseJsonText } from '../../../src/core/json-source.js';
import { OutOfRangeNumber } from '../../../src/core/json-number.js';
import { showValue } from '../../../src/core/validate/issue.js';
import { firstInvalidUtf8 } from '../../../src/definitions/load.js';
import { formatIssue } from '../../../src/core/validate/index.js';

const line = (text: string): string => {
  const r = parseJsonText(text, 'tasks.json');
  if (r.ok) throw new Error('expected a failure');
  return formatIssue(r.issue);
};

describe('parseJsonText', () => {
  it('parses, with or without a UTF-8 BOM', () => {
    expect(parseJsonText('{"name": "a"}', 'f')).toEqual({ ok: true, value: { name: 'a' }, duplicates: [] });
    expect(parseJsonText('\uFEFF[1, 2]\n', 'f')).toEqual({ ok: true, value: [1, 2], duplicates: [] });
  });

  it.each(['', '   \n\t\r\n', '\uFEFF', '\uFEFF  \n'])('an empty file %j', (text) => {
    const r = parseJsonText(text, 'tasks.json');
    expect(r).toEqual({
      ok: false,
      issue: {
        file: 'tasks.json',
        index: null,
        kind: null,
        pointer: '',
        expected: 'a task object, an array of tasks, or {"tasks": [...], "groups": [...]}',
        message: 'file is empty; expected a task object, an array of tasks, or {"tasks": [...], "groups": [...]}',
      },
    });
    expect(line(text)).toBe('tasks.json: file is empty; expected a task object, an array of tasks, or {"tasks": [...], "groups": [...]}');
  });

  it.each([
    ['{\n  "name": "a",\n  "cmd": "x",\n  "cron": "* * * * *" "active": true\n}', 'line 4, column 23: Expected \',\' or \'}\' after property value'],
    ['{\n  "name": "a",\n  "cmd": x\n}', "line 3, column 10: Unexpected token 'x'"],
    ['[\n  {"name": "a"},\n]', "line 3, column 1: Unexpected token ']'"],
    ['{"a": tru}', "line 1, column 10: Unexpected token '}'"],
    ['{\n  "name": "a",\n', 'line 3, column 1: Expected double-quoted property name'],
    ['{\n  "name":', 'line 2, column 10: Unexpected end of JSON input'],
    ['[\n  "\u00e9t\u00e9", \u00e9]', "line 2, column 10: Unexpected token 'é'"],
    ['{"a": 1}}', 'line 1, column 9: Unexpected non-whitespace character after JSON'],
    ['{\n"a": "x\ny"}', 'line 2, column 8: Bad control character in string literal'],
    ["{'name': 'a'}", "line 1, column 2: Expected property name or '}'"],
    ['{"a": 1,}', 'line 1, column 9: Expected double-quoted property name'],
    ['{"tid": 0100123}', 'line 1, column 10: Unexpected number'],
    ['\uFEFF{\r\n  "a": 1\r\n  "b": 2}', "line 3, column 3: Expected ',' or '}' after property value"],
    ['// comment\n{}', "line 1, column 1: Unexpected token '/'"],
  ])('%j', (text, where) => {
    expect(line(text)).toBe(`tasks.json: malformed JSON at ${where}`);
  });

  it('carries what valid JSON looks like', () => {
    const r = parseJsonText('{', 'f');
    expect(!r.ok && r.issue.expected).toBe('valid JSON (double-quoted names and strings, commas between items, no trailing commas or comments)');
  });
});

describe('describeSyntaxError', () => {
  it('reads the "(line L column C)" style of newer V8', () => {
    const msg = "Expected ',' or '}' after property value in JSON at position 40 (line 4 column 17)";
    expect(describeSyntaxError('irrelevant', msg)).toEqual({ line: 4, column: 17, reason: "Expected ',' or '}' after property value" });
  });

  it('reads the "at position N" style', () => {
    expect(describeSyntaxError('{\n\n  "a" 1}', 'Expected \':\' after property name in JSON at position 8')).toEqual({
      line: 3,
      column: 6,
      reason: "Expected ':' after property name",
    });
  });

  it('scans for the position when the message has none', () => {
    expect(describeSyntaxError('[1,\n 2,\n x]', 'Unexpected token \'x\', "[1,\n 2,\n x]" is not valid JSON')).toEqual({
      line: 3,
      column: 2,
      reason: "Unexpected token 'x'",
    });
  });
});

describe('lineColumnAt and findErrorOffset', () => {
  it.each([
    ['abc', 0, 1, 1],
    ['abc', 3, 1, 4],
    ['a\nb', 2, 2, 1],
    ['a\r\nb', 3, 2, 1],
    ['a\rb', 2, 2, 1],
  ])('%j at %i is line %i column %i', (text, offset, l, c) => {
    expect(lineColumnAt(text, offset)).toEqual({ line: l, column: c });
  });

  it.each([
    ['{"a": [1, 2, ]}', 13],
    ['{"a": "\\q"}', 8],
    ['{"a": "\\u12G4"}', 8],
    ['{"a": -}', 6],
    ['[1] x', 4],
    ['{"a": {"b": [true, false, null, 1.5e3, "s"]}', 44],
    ['nul', 3],
  ])('%j fails at offset %i', (text, offset) => {
    expect(findErrorOffset(text)).toBe(offset);
  });
});

describe('findDuplicateKeys', () => {
  it('finds a name repeated in one object, with both places', () => {
    const text = '{"tasks": [\n  {"name": "a",\n   "cmd": "x",\n   "cmd": "y"}\n]}';
    expect(findDuplicateKeys(text)).toEqual([
      { pointer: '/tasks/0', key: 'cmd', first: { line: 3, column: 4 }, again: { line: 4, column: 4 } },
    ]);
    expect(parseJsonText('\uFEFF' + text, 'f')).toEqual({
      ok: true,
      value: { tasks: [{ name: 'a', cmd: 'y' }] },
      duplicates: [{ pointer: '/tasks/0', key: 'cmd', first: { line: 3, column: 4 }, again: { line: 4, column: 4 } }],
    });
  });

  it('compares names after escapes, reports every repeat, and escapes the pointer', () => {
    expect(findDuplicateKeys('[{}, {"a/b": {"c": 1, "\\u0063": 2, "c": 3}}]')).toEqual([
      { pointer: '/1/a~1b', key: 'c', first: { line: 1, column: 15 }, again: { line: 1, column: 23 } },
      { pointer: '/1/a~1b', key: 'c', first: { line: 1, column: 15 }, again: { line: 1, column: 36 } },
    ]);
  });

  it('a repeated name is reported itself, and repeats inside the value it replaces are left out', () => {
    const text = '{"tasks": [{"name": "a", "cmd": "x",\n "cmd": "y"}],\n "tasks": [{"name": "b", "cmd": "z"}]}';
    expect(findDuplicateKeys(text)).toEqual([
      { pointer: '', key: 'tasks', first: { line: 1, column: 2 }, again: { line: 3, column: 2 } },
    ]);
    // Replaced twice: only the last value counts, and repeats inside the kept value are still reported.
    expect(findDuplicateKeys('{"a": {"x": 1, "x": 2}, "a": {"y": 1, "y": 2}, "a": {"z": 1, "z": 2}, "b": {"w": 1, "w": 2}}')).toEqual([
      { pointer: '', key: 'a', first: { line: 1, column: 2 }, again: { line: 1, column: 25 } },
      { pointer: '', key: 'a', first: { line: 1, column: 2 }, again: { line: 1, column: 48 } },
      { pointer: '/a', key: 'z', first: { line: 1, column: 54 }, again: { line: 1, column: 62 } },
      { pointer: '/b', key: 'w', first: { line: 1, column: 77 }, again: { line: 1, column: 85 } },
    ]);
  });

  it('the same name in different objects, or as a value, is no repeat', () => {
    expect(findDuplicateKeys('[{"cmd": "cmd"}, {"cmd": "x", "env": {"cmd": "y"}}]')).toEqual([]);
    expect(findDuplicateKeys('{"a": 1')).toEqual([]);
  });
});

describe('nesting depth', () => {
  it('finds the bracket that opens one level too many, outside strings', () => {
    expect(findTooDeep('[[[]]]', 3)).toBeUndefined();
    expect(findTooDeep('[[[[]]]]', 3)).toBe(3);
    expect(findTooDeep('[{"a": [], "b": {"c": [1]}}]', 4)).toBeUndefined();
    expect(findTooDeep('[{"a": [], "b": {"c": [1]}}]', 3)).toBe(22);
    expect(findTooDeep('["[[[[", "\\"[[[["]', 2)).toBeUndefined();
    expect(findTooDeep('[[], [[[]]]]', 3)).toBe(7);
  });

  it('a document deeper than the limit is refused by line and column, at any depth', () => {
    const ok = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parseJsonText(ok, 'f').ok).toBe(true);
    expect(line('\n  ' + '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toBe(
      `tasks.json: JSON nested more than 64 levels deep at line 2, column ${3 + MAX_JSON_DEPTH}; expected at most 64 levels of nested arrays and objects`,
    );
    expect(line('['.repeat(1_000_000))).toContain('line 1, column 65');
  });
});

describe('numbers beyond the range of a double', () => {
  it('are kept as the text the file gave, where they are, and print as that text', () => {
    const r = parseJsonText('{"a": [1, 1e400], "b": {"c": -2E+999, "d": 1e308}, "__proto__": 1e999}', 'f');
    if (!r.ok) throw new Error('expected success');
    const v = r.value as { a: unknown[]; b: { c: unknown; d: number } } & Record<string, unknown>;
    expect(v.a[1]).toEqual(new OutOfRangeNumber('1e400'));
    expect(v.b.c).toEqual(new OutOfRangeNumber('-2E+999'));
    expect(v.b.d).toBe(1e308);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toEqual(new OutOfRangeNumber('1e999'));
    expect(showValue(v.a[1])).toBe('1e400, which is out of range');
    expect(JSON.stringify(v.b)).toBe('{"c":"-2E+999","d":1e+308}');
  });

  it('a repeated name takes the literal of the value JSON keeps', () => {
    const r = parseJsonText('{"a": 1e400, "a": 2e400}', 'f');
    expect(r.ok && (r.value as { a: OutOfRangeNumber }).a.literal).toBe('2e400');
  });
});

describe('firstInvalidUtf8', () => {
  const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
  it('passes well-formed text and stops at the first bad byte', () => {
    expect(firstInvalidUtf8(Buffer.from('aé☕𝄞'))).toBe(Buffer.byteLength('aé☕𝄞'));
    expect(at(0x61, 0xff)).toBe(1);
    expect(at(0x61, 0xc3)).toBe(1); // cut short
    expect(at(0xc0, 0x80)).toBe(0); // overlong
    expect(at(0xe0, 0x80, 0x80)).toBe(0); // overlong
    expect(at(0xed, 0xa0, 0x80)).toBe(0); // surrogate
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // beyond U+10FFFF
    expect(at(0xe2, 0x98, 0x41)).toBe(0);
    expect(at(0x80)).toBe(0);
  });
});
