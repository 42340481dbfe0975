// Which bash quoting context each character of a command text is in, so a placeholder can be
// replaced by a variable reference that bash expands as one literal value wherever it stands.

/**
 * - `plain`: unquoted (also inside `$(…)`, backticks and comments);
 * - `double`: inside "…" (or an unquoted `${…}` word inside it);
 * - `single`: inside '…'; `ansi`: inside $'…';
 * - `arith`: inside `$((…))` or `((…))`, where a value is evaluated as an expression;
 * - `heredoc`: the body of a here-document whose delimiter is unquoted (expanded like "…");
 * - `heredoc-literal`: the body of `<<'EOF'`, `<<"EOF"` or `<<\EOF`, where nothing is expanded.
 */
export type ShellContext = 'plain' | 'double' | 'single' | 'ansi' | 'arith' | 'heredoc' | 'heredoc-literal';

type FrameKind = 'plain' | 'double' | 'single' | 'ansi' | 'subst' | 'backtick' | 'arith' | 'param';

interface Frame {
  kind: FrameKind;
  /** Open parentheses (subst, arith) or braces (param) inside the frame. */
  depth: number;
  /** What a `param` frame's text counts as: the context the `${` stood in. */
  as: ShellContext;
}

interface Heredoc {
  delimiter: string;
  literal: boolean;
  /** `<<-`: leading tabs are stripped before comparing with the delimiter. */
  stripTabs: boolean;
}

const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/** The context of every character of `text` (one entry per UTF-16 unit). */
export function shellContexts(text: string): ShellContext[] {
  return new Scanner(text).scan();
}

class Scanner {
  private readonly marks: ShellContext[];
  private readonly stack: Frame[] = [{ kind: 'plain', depth: 0, as: 'plain' }];
  private pending: Heredoc[] = [];
  private i = 0;

  constructor(private readonly text: string) {
    this.marks = new Array<ShellContext>(text.length);
  }

  scan(): ShellContext[] {
    while (this.i < this.text.length) this.step();
    return this.marks;
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private mark(count: number, as: ShellContext): void {
    for (let k = 0; k < count && this.i < this.text.length; k++) this.marks[this.i++] = as;
  }

  private push(kind: FrameKind, as: ShellContext = 'plain'): void {
    this.stack.push({ kind, depth: 0, as });
  }

  private pop(): void {
    if (this.stack.length > 1) this.stack.pop();
  }

  private step(): void {
    const { text, i } = this;
    const c = text[i]!;
    const frame = this.top;
    switch (frame.kind) {
      case 'single':
        this.mark(1, 'single');
        if (c === "'") this.pop();
        return;
      case 'ansi':
        if (c === '\\') return this.mark(2, 'ansi');
        this.mark(1, 'ansi');
        if (c === "'") this.pop();
        return;
      case 'double':
        return this.inDouble(c);
      default:
        return this.inCode(c, frame);
    }
  }

  private inDouble(c: string): void {
    if (c === '\\') return this.mark(2, 'double');
    if (c === '"') {
      this.mark(1, 'double');
      return this.pop();
    }
    if (this.expansion('double')) return;
    this.mark(1, 'double');
  }

  /** `$((`, `$(`, `${` and backticks, which open a frame in any context that expands. */
  private expansion(as: ShellContext): boolean {
    const rest = this.text.slice(this.i, this.i + 3);
    if (rest.startsWith('$((')) {
      this.mark(3, as);
      this.push('arith');
      return true;
    }
    if (rest.startsWith('$(')) {
      this.mark(2, as);
      this.push('subst');
      return true;
    }
    if (rest.startsWith('${')) {
      this.mark(2, as);
      this.push('param', as);
      return true;
    }
    if (rest[0] === '`') {
      this.mark(1, as);
      if (this.top.kind === 'backtick') this.pop();
      else this.push('backtick');
      return true;
    }
    return false;
  }

  private inCode(c: string, frame: Frame): void {
    const as: ShellContext = frame.kind === 'arith' ? 'arith' : frame.kind === 'param' ? frame.as : 'plain';
    if (c === '\\') return this.mark(2, as);
    if (c === '\n' && this.pending.length > 0) {
      this.mark(1, as);
      return this.heredocBodies();
    }
    if (frame.kind === 'param' && c === '}') {
      this.mark(1, as);
      if (frame.depth === 0) this.pop();
      else frame.depth--;
      return;
    }
    if (frame.kind === 'param' && c === '{') frame.depth++;
    if (c === "'" && !(frame.kind === 'param' && frame.as === 'double')) {
      this.mark(1, as);
      return this.push('single');
    }
    if (c === '$' && this.text[this.i + 1] === "'") {
      this.mark(2, as);
      return this.push('ansi');
    }
    if (c === '"') {
      this.mark(1, as);
      return this.push('double');
    }
    if (this.expansion(as)) return;
    if (frame.kind === 'subst' || frame.kind === 'arith') {
      if (c === '(') frame.depth++;
      if (c === ')') {
        if (frame.depth > 0) frame.depth--;
        else if (frame.kind === 'subst') {
          this.mark(1, as);
          return this.pop();
        } else if (this.text[this.i + 1] === ')') {
          this.mark(2, as);
          return this.pop();
        }
      }
    }
    if (frame.kind !== 'param' && frame.kind !== 'arith' && this.atWordStart()) {
      if (c === '#') return this.comment();
      if (this.text.startsWith('((', this.i)) {
        this.mark(2, as);
        return this.push('arith');
      }
    }
    if (frame.kind !== 'arith' && frame.kind !== 'param' && this.text.startsWith('<<', this.i) && this.text[this.i + 2] !== '<') {
      return this.heredocStart(as);
    }
    this.mark(1, as);
  }

  private atWordStart(): boolean {
    return this.i === 0 || WORD_BREAK.has(this.text[this.i - 1]!);
  }

  /** A comment runs to the end of the line; quotes in it open nothing. */
  private comment(): void {
    const end = this.text.indexOf('\n', this.i);
    this.mark((end < 0 ? this.text.length : end) - this.i, 'plain');
  }

  /** `<<WORD` or `<<-WORD`: the body starts after the end of this line. */
  private heredocStart(as: ShellContext): void {
    let j = this.i + 2;
    const stripTabs = this.text[j] === '-';
    if (stripTabs) j++;
    while (this.text[j] === ' ' || this.text[j] === '\t') j++;
    let word = '';
    let literal = false;
    while (j < this.text.length && !WORD_BREAK.has(this.text[j]!)) {
      const ch = this.text[j]!;
      if (ch === "'" || ch === '"') {
        literal = true;
        const close = this.text.indexOf(ch, j + 1);
        const end = close < 0 ? this.text.length : close;
        word += this.text.slice(j + 1, end);
        j = end + 1;
        continue;
      }
      if (ch === '\\') {
        literal = true;
        word += this.text[j + 1] ?? '';
        j += 2;
        continue;
      }
      word += ch;
      j++;
    }
    this.mark(j - this.i, as);
    if (word !== '') this.pending.push({ delimiter: word, literal, stripTabs });
  }

  /** Mark the bodies of the here-documents opened on the line that just ended. */
  private heredocBodies(): void {
    const docs = this.pending;
    this.pending = [];
    for (const doc of docs) {
      const as: ShellContext = doc.literal ? 'heredoc-literal' : 'heredoc';
      while (this.i < this.text.length) {
        const end = this.text.indexOf('\n', this.i);
        const lineEnd = end < 0 ? this.text.length : end;
        const line = this.text.slice(this.i, lineEnd);
        const closes = (doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter;
        this.mark(lineEnd - this.i + 1, closes ? 'plain' : as);
        if (closes) break;
      }
    }
  }
}
