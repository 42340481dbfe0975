// Dependency expressions (product.md §4): `S:a and not (F:b)`, parsed once, evaluated three-valued.
import { STATE_LETTERS } from './states.js';

export type Expr =
  | { kind: 'atom'; letter: string; name: string; column: number }
  | { kind: 'not'; expr: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr };

export type ParseDependency = { ok: true; expr: Expr } | { ok: false; column: number; message: string };

interface Token {
  text: string;
  column: number;
}

const TOKEN = /\s*(\(|\)|[A-Za-z]:[A-Za-z0-9_-]+|[A-Za-z]+|\S+)/y;
const ATOM_EXPECTED = 'an atom such as S:name, "not" or "("';

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < text.length && (m = TOKEN.exec(text))) {
    tokens.push({ text: m[1]!, column: m.index + m[0].length - m[1]!.length + 1 });
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly end: number,
  ) {}

  parse(): Expr {
    const e = this.or();
    const t = this.tokens[this.i];
    if (t) throw this.error(t, '"and", "or" or the end');
    return e;
  }

  private peekWord(): string | undefined {
    return this.tokens[this.i]?.text.toLowerCase();
  }

  private or(): Expr {
    let left = this.and();
    while (this.peekWord() === 'or') (this.i++, (left = { kind: 'or', left, right: this.and() }));
    return left;
  }

  private and(): Expr {
    let left = this.unary();
    while (this.peekWord() === 'and') (this.i++, (left = { kind: 'and', left, right: this.unary() }));
    return left;
  }

  private unary(): Expr {
    if (this.peekWord() === 'not') {
      this.i++;
      return { kind: 'not', expr: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.tokens[this.i++];
    if (!t) throw { column: this.end, message: `the expression ends early; expected ${ATOM_EXPECTED}` };
    if (t.text === '(') {
      const e = this.or();
      const close = this.tokens[this.i++];
      if (close?.text !== ')') throw close ? this.error(close, '")"') : { column: this.end, message: 'a "(" is never closed; expected ")"' };
      return e;
    }
    const m = /^([A-Za-z]):([A-Za-z0-9_-]+)$/.exec(t.text);
    if (!m) throw this.error(t, ATOM_EXPECTED);
    const letter = m[1]!.toUpperCase();
    if (!(letter in STATE_LETTERS)) {
      throw { column: t.column, message: `unknown state letter "${m[1]}" in "${t.text}" at column ${t.column}; expected one of ${Object.keys(STATE_LETTERS).join(' ')}` };
    }
    return { kind: 'atom', letter, name: m[2]!, column: t.column };
  }

  private error(t: Token, expected: string): { column: number; message: string } {
    return { column: t.column, message: `unexpected "${t.text}" at column ${t.column}; expected ${expected}` };
  }
}

export function parseDependency(text: string): ParseDependency {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { ok: false, column: 1, message: `the expression is empty; expected ${ATOM_EXPECTED}` };
  try {
    return { ok: true, expr: new Parser(tokens, text.length + 1).parse() };
  } catch (e) {
    const err = e as { column: number; message: string };
    return { ok: false, column: err.column, message: err.message };
  }
}

export function atomsOf(e: Expr, out: Extract<Expr, { kind: 'atom' }>[] = []): Extract<Expr, { kind: 'atom' }>[] {
  switch (e.kind) {
    case 'atom':
      out.push(e);
      break;
    case 'not':
      atomsOf(e.expr, out);
      break;
    case 'and':
    case 'or':
      atomsOf(e.left, out);
      atomsOf(e.right, out);
      break;
  }
  return out;
}

/** true, false, or undefined while the answer can still change. */
export type Truth = boolean | undefined;

/**
 * Kleene three-valued evaluation: `atom` says whether an atom holds now (true), can never hold
 * again (false), or may still change (undefined).
 */
export function evaluate(e: Expr, atom: (letter: string, name: string) => Truth): Truth {
  switch (e.kind) {
    case 'atom':
      return atom(e.letter, e.name);
    case 'not': {
      const v = evaluate(e.expr, atom);
      return v === undefined ? undefined : !v;
    }
    case 'and': {
      const l = evaluate(e.left, atom);
      if (l === false) return false;
      const r = evaluate(e.right, atom);
      return r === false ? false : l === true && r === true ? true : undefined;
    }
    case 'or': {
      const l = evaluate(e.left, atom);
      if (l === true) return true;
      const r = evaluate(e.right, atom);
      return r === true ? true : l === false && r === false ? false : undefined;
    }
  }
}
