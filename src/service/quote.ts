// Quoting for systemd unit files: ExecStart words and Environment= assignments (systemd.syntax(7), systemd.service(5)).

/** `%` starts a specifier in every unit setting; `%%` is a literal percent sign. */
const escapeSpecifiers = (s: string): string => s.replace(/%/g, '%%');

/** Double-quote `s` when it needs it, escaping backslashes, double quotes and control characters. */
function quoteWord(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  const body = s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return `"${body}"`;
}

/** One ExecStart word: `$` would expand an environment variable, so it is doubled. */
export function execWord(arg: string): string {
  return quoteWord(escapeSpecifiers(arg).replace(/\$/g, '$$$$'));
}

/** The value of an `Environment=` setting: `NAME=value`, quoted as a whole when needed. */
export function environmentAssignment(name: string, value: string): string {
  return quoteWord(`${name}=${escapeSpecifiers(value)}`);
}
