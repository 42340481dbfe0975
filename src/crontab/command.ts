// A cron command as an EasyTask `cmd`: cron's % rule, and ${NAME} kept away from EasyTask's placeholders.

export interface PercentSplit {
  command: string;
  /** What cron would feed the command on standard input, if the line has an unescaped %. */
  stdin?: string;
}

/**
 * cron's rule, character for character (Vixie cron do_command.c): `\%` is a literal %; the first
 * unescaped % ends the command; in the rest, each unescaped % becomes a newline and the whole is
 * the command's standard input.
 */
export function splitPercent(raw: string): PercentSplit {
  let command = '';
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (escaped) {
      command = ch === '%' ? `${command.slice(0, -1)}%` : command + ch;
      escaped = false;
    } else if (ch === '%') {
      return { command, stdin: stdinText(raw.slice(i + 1)) };
    } else {
      command += ch;
      escaped = ch === '\\';
    }
  }
  return { command };
}

function stdinText(rest: string): string {
  let out = '';
  let escaped = false;
  for (const c of rest) {
    const ch: string = !escaped && c === '%' ? '\n' : c;
    if (escaped && c !== '%') out += '\\';
    escaped = ch === '\\';
    if (!escaped) out += ch;
  }
  if (escaped) out += '\\';
  // Debian's cron ends the input with a newline when it lacks one (checked against cron 3.0pl1-162).
  return out === '' || out.endsWith('\n') ? out : `${out}\n`;
}

/** A bash single-quoted word; `${` is split as `$''{` so EasyTask's placeholder pass leaves it alone. */
export function singleQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''").replace(/\$\{/g, () => "$''{")}'`;
}

/**
 * EasyTask replaces `${NAME}` in `cmd` with the variable's shell-quoted value, which would change a
 * command such as `echo "${HOME}/x"`. Outside single quotes `${NAME}` becomes `$NAME` (or `${NAME-}`
 * before a name character), which bash expands the same way; inside single quotes `${` becomes `$''{`.
 */
export function protectPlaceholders(command: string): string {
  let out = '';
  let quote: '' | "'" | '"' = '';
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote !== "'" && ch === '\\') {
      out += command.slice(i, i + 2);
      i++;
      continue;
    }
    if (ch === "'" && quote !== '"') quote = quote === "'" ? '' : "'";
    else if (ch === '"' && quote !== "'") quote = quote === '"' ? '' : '"';
    if (ch === '$' && command[i + 1] === '{') {
      if (quote === "'") {
        out += "$''{";
        i++;
        continue;
      }
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(command.slice(i));
      if (m) {
        out += /[A-Za-z0-9_]/.test(command[i + m[0].length] ?? '') ? `\${${m[1]}-}` : `$${m[1]}`;
        i += m[0].length - 1;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** The `cmd` for a cron command: with standard input from the % part when there is one. */
export function translateCommand(raw: string): string {
  const { command, stdin } = splitPercent(raw);
  const cmd = protectPlaceholders(command);
  if (stdin === undefined) return cmd;
  // A group, so the whole command line reads the input, as under cron's `sh -c`.
  return `{ ${cmd}\n} < <(printf %s ${singleQuote(stdin)})`;
}
