// Unknown keys: name the key and suggest the nearest known one.

import { report, type Path, type Scope } from './scope.js';
import { suggest } from './suggest.js';

export interface KnownKeys {
  /** What the keys belong to, e.g. "task fields". */
  what: string;
  keys: readonly string[];
  aliases?: Readonly<Record<string, string>>;
  /** Keys of the other kind of definition, for a clearer message, e.g. "cmd" on a group. */
  other?: { what: string; keys: readonly string[] };
}

export function reportUnknownKey(s: Scope, path: Path, key: string, known: KnownKeys): void {
  const guess = suggest(key, known.keys, known.aliases);
  const all = `one of the ${known.what}: ${known.keys.join(', ')}`;
  if (guess !== undefined) {
    report(s, path, { expected: `"${guess}"`, message: `unknown field "${key}"; did you mean "${guess}"?` });
  } else if (known.other?.keys.includes(key)) {
    report(s, path, { expected: all, message: `unknown field "${key}": it is one of the ${known.other.what}; expected ${all}` });
  } else {
    report(s, path, { expected: all, message: `unknown field "${key}"; expected ${all}` });
  }
}
