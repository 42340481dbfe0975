// Cross-checks the schedule engine against systemd's calendar-event evaluator, an independent
// implementation of local-time schedules. systemd skips a local time that does not exist (spring
// forward) where EasyTask fires at the end of the gap, so gap fires are left out of the comparison
// and counted instead; repeated times (fall back) fire once at the first occurrence in both.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ScheduleFields } from '../../src/core/task.js';
import { emptyCalendars, nextFires } from '../../src/schedule/index.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasSystemdAnalyze) {
  console.warn('systemd-oracle: systemd-analyze not found; skipping (install it with: apt-get install -y systemd)');
}

const ELAPSE = /^\s*(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC$/;

/** The next `iterations` elapses of one systemd calendar expression after `base`, in epoch ms. */
function systemdElapses(expr: string, base: number, iterations: number): number[] {
  {
    const out = execFileSync(
      'systemd-analyze',
      ['calendar', '--iterations', String(iterations), '--base-time', `@${Math.floor(base / 1000)}`, expr],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } },
    );
    return out
      .split('\n')
      .map((line) => ELAPSE.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Date.parse(`${m[1]}T${m[2]}Z`));
  }
}

interface OracleCase {
  name: string;
  schedule: ScheduleFields;
  systemd: string[];
  base: string;
  iterations: number;
  /** The least number of spring-forward gap fires in the compared span (systemd has none of them). */
  gapFires: number;
}

const day = (timezone: string, extra: Partial<ScheduleFields>): ScheduleFields => ({ timezone, day_of_week: '1111111', ...extra });

const cases: OracleCase[] = [
  { name: 'New York daily 02:30 (spring gap)', schedule: day('America/New_York', { trigger_times: '02:30' }), systemd: ['*-*-* 02:30:00 America/New_York'], base: '2023-01-01T00:00:00Z', iterations: 1200, gapFires: 3 },
  { name: 'New York daily 01:30 (fall-back repeat)', schedule: day('America/New_York', { trigger_times: '01:30' }), systemd: ['*-*-* 01:30:00 America/New_York'], base: '2023-01-01T00:00:00Z', iterations: 1200, gapFires: 0 },
  { name: 'London weekdays 09:00', schedule: day('Europe/London', { trigger_times: '09:00', day_of_week: '1111100' }), systemd: ['Mon..Fri *-*-* 09:00:00 Europe/London'], base: '2023-06-01T00:00:00Z', iterations: 900, gapFires: 0 },
  { name: 'London daily 01:30 (both changes)', schedule: day('Europe/London', { trigger_times: '01:30' }), systemd: ['*-*-* 01:30:00 Europe/London'], base: '2023-01-01T00:00:00Z', iterations: 1200, gapFires: 3 },
  { name: 'Berlin weekends 02:15 and 02:45:30', schedule: day('Europe/Berlin', { trigger_times: '02:15,02:45:30', day_of_week: '0000011' }), systemd: ['Sat,Sun *-*-* 02:15:00 Europe/Berlin', 'Sat,Sun *-*-* 02:45:30 Europe/Berlin'], base: '2023-01-01T00:00:00Z', iterations: 400, gapFires: 3 },
  { name: 'Lord Howe daily 01:45 and 02:15 (30-minute shifts)', schedule: day('Australia/Lord_Howe', { trigger_times: '01:45,02:15' }), systemd: ['*-*-* 01:45:00 Australia/Lord_Howe', '*-*-* 02:15:00 Australia/Lord_Howe'], base: '2023-01-01T00:00:00Z', iterations: 1100, gapFires: 3 },
  { name: 'Santiago daily 00:00 and 23:30 (changes at midnight)', schedule: day('America/Santiago', { trigger_times: '00:00,23:30' }), systemd: ['*-*-* 00:00:00 America/Santiago', '*-*-* 23:30:00 America/Santiago'], base: '2023-01-01T00:00:00Z', iterations: 1100, gapFires: 3 },
  { name: 'Kolkata weekdays 09:30 every hour to 17:30', schedule: day('Asia/Kolkata', { run_frequency: '09:30-17:30-60', day_of_week: '1111100' }), systemd: ['Mon..Fri *-*-* 09..17:30:00 Asia/Kolkata'], base: '2024-01-01T00:00:00Z', iterations: 2000, gapFires: 0 },
  { name: 'New York cron every 20 minutes 01:00-02:59', schedule: day('America/New_York', { cron: '*/20 1-2 * * *' }), systemd: ['*-*-* 01,02:00/20:00 America/New_York'], base: '2024-01-01T00:00:00Z', iterations: 1500, gapFires: 1 },
  { name: 'Sydney multi-time weekdays', schedule: day('Australia/Sydney', { trigger_times: '02:30,08:00,17:45', day_of_week: '1111100' }), systemd: ['Mon..Fri *-*-* 02:30:00 Australia/Sydney', 'Mon..Fri *-*-* 08:00:00 Australia/Sydney', 'Mon..Fri *-*-* 17:45:00 Australia/Sydney'], base: '2023-01-01T00:00:00Z', iterations: 800, gapFires: 0 },
];

describe('systemd-analyze calendar as an oracle', () => {
  it.skipIf(!hasSystemdAnalyze).each(cases)('$name', ({ schedule, systemd, base, iterations, gapFires }) => {
    const after = Date.parse(base);
    const lists = systemd.map((e) => systemdElapses(e, after, iterations));
    // Compare up to the earliest "last elapse" of the expressions, where every list is complete.
    const until = Math.min(...lists.map((l) => l.at(-1)!));
    const expected = [...new Set(lists.flat())].sort((a, b) => a - b).filter((t) => t <= until);
    const ours = nextFires(schedule, emptyCalendars, after, expected.length + 50).fires.filter((f) => f.at <= until);
    expect(ours.filter((f) => f.shifted === undefined).map((f) => new Date(f.at).toISOString())).toEqual(
      expected.map((t) => new Date(t).toISOString()),
    );
    const gaps = ours.filter((f) => f.shifted === 'gap');
    if (gapFires === 0) expect(gaps).toEqual([]);
    else expect(gaps.length).toBeGreaterThanOrEqual(gapFires);
    expect(expected.length).toBeGreaterThan(300);
  }, 30_000);
});
