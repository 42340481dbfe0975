// Tells a system crontab (a user column after the time fields) from a user crontab.
import { parseLine } from './lines.js';
import type { CrontabFormat } from './types.js';

/** /etc/crontab and the files in /etc/cron.d are system crontabs, whatever they contain. */
export function formatFromPath(path: string): CrontabFormat | undefined {
  return path === '/etc/crontab' || /^\/etc\/cron\.d\/[^/]+$/.test(path) ? 'system' : undefined;
}

/**
 * Otherwise: system when every job line's word after the schedule is a user of this machine (so a
 * user crontab whose commands start with a user name is the one case this guesses wrong; say --format).
 */
export function detectFormat(text: string, isUser: (name: string) => boolean): CrontabFormat {
  let jobs = 0;
  for (const raw of text.split('\n')) {
    const parsed = parseLine(raw, 'system');
    if (parsed.kind === 'bad') return 'user';
    if (parsed.kind !== 'job') continue;
    jobs++;
    if (!isUser(parsed.user!)) return 'user';
  }
  return jobs > 0 ? 'system' : 'user';
}
