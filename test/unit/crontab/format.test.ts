import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, formatFromPath } from '../../../src/crontab/format.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/crontab/${name}`, import.meta.url), 'utf8');
const users = (...names: string[]) => (n: string) => names.includes(n);

describe('crontab format', () => {
  it('knows /etc/crontab and /etc/cron.d/* are system crontabs', () => {
    expect(formatFromPath('/etc/crontab')).toBe('system');
    expect(formatFromPath('/etc/cron.d/e2scrub_all')).toBe('system');
    expect(formatFromPath('/home/ops/my.cron')).toBeUndefined();
  });

  it('guesses system when every job names a user of the machine after the schedule', () => {
    expect(detectFormat(fixture('debian-crontab'), users('root'))).toBe('system');
    expect(detectFormat(fixture('debian-cron.d-e2scrub_all'), users('root'))).toBe('system');
  });

  it('guesses user otherwise', () => {
    expect(detectFormat(fixture('manpage-example'), users('root'))).toBe('user');
    expect(detectFormat(fixture('user-crontab'), users('root'))).toBe('user');
    expect(detectFormat(fixture('debian-crontab'), users('ops'))).toBe('user');
    expect(detectFormat(fixture('debian-cron.d-placeholder'), users('root'))).toBe('user');
  });
});
