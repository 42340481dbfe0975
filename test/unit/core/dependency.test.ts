import { describe, expect, it } from 'vitest';
import { atomsOf, evaluate, parseDependency } from '../../../src/core/dependency.js';

const parse = (t: string) => {
  const p = parseDependency(t);
  if (!p.ok) throw new Error(p.message);
  return p.expr;
};
const show = (t: string) => atomsOf(parse(t)).map((a) => `${a.letter}:${a.name}@${a.column}`);

describe('dependency expressions', () => {
  it.each([
    ['S:a', ['S:a@1']],
    ['(S:a) and not (F:b)', ['S:a@2', 'F:b@16']],
    ['S:a or S:b', ['S:a@1', 'S:b@8']],
    ['s:extract AND (S:x OR k:y)', ['S:extract@1', 'S:x@16', 'K:y@23']],
  ])('parses %s', (text, atoms) => {
    expect(show(text)).toEqual(atoms);
  });

  it.each([
    ['', 'the expression is empty; expected an atom such as S:name, "not" or "("', 1],
    ['S:a and', 'the expression ends early; expected an atom such as S:name, "not" or "("', 8],
    ['S:a S:b', 'unexpected "S:b" at column 5; expected "and", "or" or the end', 5],
    ['(S:a', 'a "(" is never closed; expected ")"', 5],
    ['S:a and & S:b', 'unexpected "&" at column 9; expected an atom such as S:name, "not" or "("', 9],
    ['Q:a', 'unknown state letter "Q" in "Q:a" at column 1; expected one of I P A Z D R E F S G T O U K', 1],
  ])('refuses %j, pointing at the column', (text, message, column) => {
    expect(parseDependency(text)).toEqual({ ok: false, message, column });
  });

  it('evaluates three-valued: true, false, or not yet known', () => {
    const v = (t: string, env: Record<string, boolean | undefined>) => evaluate(parse(t), (_l, n) => env[n]);
    expect(v('S:a and S:b', { a: true, b: undefined })).toBeUndefined();
    expect(v('S:a and S:b', { a: false, b: undefined })).toBe(false);
    expect(v('S:a or S:b', { a: undefined, b: true })).toBe(true);
    expect(v('not S:a', { a: undefined })).toBeUndefined();
    expect(v('not (S:a)', { a: false })).toBe(true);
  });
});
