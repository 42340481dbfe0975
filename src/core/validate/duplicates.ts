// Names given twice in one object of a document: reported at the definition that holds them.

import type { DuplicateKey } from '../json-source.js';
import type { RawDefinition } from './document.js';
import { report, type Scope } from './scope.js';

export const DUPLICATE_EXPECTED = 'each field at most once in an object (JSON keeps only the last value)';

const at = (p: { line: number; column: number }): string => `line ${p.line}, column ${p.column}`;

/** Whether `pointer` is `base` or below it. */
const within = (pointer: string, base: string): boolean =>
  base === '' || pointer === base || pointer.startsWith(base + '/');

/** The repeats inside `def`, or (def undefined) those inside no definition, e.g. in the {"tasks", "groups"} wrapper. */
export function duplicatesOf(
  duplicates: readonly DuplicateKey[],
  defs: readonly RawDefinition[],
  def: RawDefinition | undefined,
): DuplicateKey[] {
  if (def !== undefined) return duplicates.filter((d) => within(d.pointer, def.base));
  return duplicates.filter((d) => !defs.some((x) => within(d.pointer, x.base)));
}

/** One issue per repeat, at the repeated field below the scope's definition (or document). */
export function reportDuplicates(s: Scope, duplicates: readonly DuplicateKey[]): void {
  for (const d of duplicates) {
    const inner = d.pointer.slice(s.base.length);
    const path = inner === '' ? [] : inner.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    report(s, [...path, d.key], {
      expected: DUPLICATE_EXPECTED,
      message: `duplicate field "${d.key}" at ${at(d.again)} (first at ${at(d.first)}); expected ${DUPLICATE_EXPECTED}`,
    });
  }
}
