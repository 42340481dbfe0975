// Reads every field of a definition against its rule table, reporting each problem found.

import type { FieldRule, RuleTable } from './rules.js';
import { report, reportText, reportType, type Path, type Scope } from './scope.js';
import { showValue } from './issue.js';
import { reportUnknownKey, type KnownKeys } from './unknown.js';

/** The valid fields, normalised; unknown and invalid fields are reported and left out. */
export function readFields(
  s: Scope,
  raw: Record<string, unknown>,
  rules: RuleTable,
  known: KnownKeys,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (rule === undefined) {
      reportUnknownKey(s, [key], key, known);
      continue;
    }
    const value = readField(s, [key], raw[key], rule);
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

export function readField(s: Scope, path: Path, value: unknown, rule: FieldRule): unknown {
  switch (rule.kind) {
    case 'integer':
      return readInteger(s, path, value, rule);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      reportType(s, path, value, rule.expected);
      return undefined;
    case 'text': {
      if (typeof value !== 'string') {
        reportType(s, path, value, rule.expected);
        return undefined;
      }
      const r = rule.parse(value);
      if (r.ok) return r.value;
      reportText(s, path, value, r.expected ?? rule.expected, r.problem);
      return undefined;
    }
    case 'object':
      return rule.read(s, value, path);
  }
}

function readInteger(s: Scope, path: Path, value: unknown, rule: FieldRule & { kind: 'integer' }): number | undefined {
  const inRange = (n: number): boolean => n >= rule.min && (rule.max === undefined || n <= rule.max);
  if (typeof value === 'number' && Number.isSafeInteger(value) && inRange(value)) return value;
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) {
    const zeros = /^\s*[-+]?0\d/.test(value) ? ' and without leading zeros' : '';
    report(s, path, {
      value,
      expected: rule.expected,
      message: `expected ${rule.expected}, got ${showValue(value)}; write it as a JSON number, without quotes${zeros}`,
    });
    return undefined;
  }
  reportType(s, path, value, rule.expected);
  return undefined;
}
