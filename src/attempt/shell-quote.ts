// Quoting for values spliced into `bash -c` command text, so they arrive as one literal word.

/** Single-quote a value for bash: `it's` becomes `'it'\''s'`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
