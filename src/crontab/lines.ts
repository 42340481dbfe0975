// Splits one crontab line the way cron reads it: a comment, an environment setting, or a job.
import type { CrontabFormat } from './types.js';

export type CrontabLine =
  | { kind: 'blank' }
  | { kind: 'env'; name: string; value: string }
  | { kind: 'job'; schedule: string; user?: string; command: string }
  | { kind: 'bad'; reason: string };

/** `name = value`: spaces around "=" optional; a value in matching single or double quotes loses them. */
const ENV_LINE = /^\s*([^\s=]+)\s*=\s*(.*?)\s*$/;

function envValue(raw: string): string {
  const q = raw[0];
  if (raw.length >= 2 && (q === '"' || q === "'") && raw.endsWith(q)) return raw.slice(1, -1);
  return raw;
}

/** Take `count` whitespace-separated words off the front; the rest keeps its inner spacing. */
function takeWords(text: string, count: number): { words: string[]; rest: string } | undefined {
  const words: string[] = [];
  let rest = text.replace(/^[ \t]+/, '');
  for (let i = 0; i < count; i++) {
    const m = /^(\S+)[ \t]*/.exec(rest);
    if (!m) return undefined;
    words.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  return { words, rest };
}

function parseJob(text: string, format: CrontabFormat): CrontabLine {
  const timeFields = text.trimStart().startsWith('@') ? 1 : 5;
  const userField = format === 'system' ? 1 : 0;
  const parts = takeWords(text, timeFields + userField);
  if (parts === undefined || parts.rest.trim() === '') {
    const wanted = `${timeFields === 1 ? 'a @ shorthand' : '5 time fields'}${userField ? ', a user' : ''} and a command`;
    return { kind: 'bad', reason: `expected ${wanted}` };
  }
  return {
    kind: 'job',
    schedule: parts.words.slice(0, timeFields).join(' '),
    ...(userField ? { user: parts.words[timeFields] } : {}),
    command: parts.rest,
  };
}

export function parseLine(raw: string, format: CrontabFormat): CrontabLine {
  const text = raw.replace(/\r$/, '');
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { kind: 'blank' };
  const env = ENV_LINE.exec(text);
  if (env) return { kind: 'env', name: env[1]!, value: envValue(env[2]!) };
  return parseJob(text, format);
}
