// Runs the translated tasks through EasyTask's own validation; a task it refuses becomes an untranslated line.
import { validateBatch, type ValidateOptions } from '../core/validate/index.js';
import type { Translation } from './types.js';

/** The document `insert` accepts. */
export const documentOf = (t: Translation) => ({ tasks: t.tasks.map((x) => x.task) });

/** A copy of `t` in which every task validation refuses is listed as skipped, with validation's message. */
export function checkTranslation(t: Translation, opts: Pick<ValidateOptions, 'defaultTimezone' | 'defaultOwner' | 'calendarExists'>): Translation {
  const v = validateBatch([{ file: 'crontab', raw: documentOf(t) }], opts);
  const problems = new Map<number, string[]>();
  for (const issue of v.issues) {
    if (issue.index === null) continue;
    const field = issue.pointer.split('/').slice(3).join('.');
    problems.set(issue.index, [...(problems.get(issue.index) ?? []), field ? `${field}: ${issue.message}` : issue.message]);
  }
  if (problems.size === 0) return t;
  const skipped = [...t.skipped];
  const tasks = t.tasks.filter((x, i) => {
    const p = problems.get(i);
    if (p !== undefined) skipped.push({ line: x.line, text: x.text, reason: p.join('; ') });
    return p === undefined;
  });
  skipped.sort((a, b) => a.line - b.line);
  return { ...t, tasks, skipped };
}
