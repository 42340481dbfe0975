// The env object: extra environment variables, NAME → string value.

import { isRecord, reportText, reportType, type Path, type Scope } from './scope.js';
import { ENV_NAME_RE } from './text-rules.js';
import { OutOfRangeNumber } from '../json-number.js';

export const ENV_EXPECTED = 'an object of variables with string values, e.g. {"LANG": "C.UTF-8"}';
const ENV_NAME_EXPECTED = 'a variable name of letters, digits and "_", not starting with a digit';

/** Returns the variables, or undefined after reporting what is wrong. */
export function readEnv(s: Scope, value: unknown, path: Path): Record<string, string> | undefined {
  if (!isRecord(value)) {
    reportType(s, path, value, ENV_EXPECTED);
    return undefined;
  }
  const before = s.issues.length;
  const entries: [string, string][] = [];
  for (const [name, v] of Object.entries(value)) {
    if (!ENV_NAME_RE.test(name)) reportText(s, [...path, name], name, ENV_NAME_EXPECTED, 'is not a valid variable name');
    if (typeof v === 'string') entries.push([name, v]);
    else reportType(s, [...path, name], v, stringExpected(v));
  }
  // fromEntries defines own properties, so a "__proto__" key stays a plain key.
  return s.issues.length === before ? Object.fromEntries(entries) : undefined;
}

/** Numbers and booleans get a hint to quote them. */
function stringExpected(v: unknown): string {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof OutOfRangeNumber ? `a string (in quotes: "${String(v)}")` : 'a string';
}
