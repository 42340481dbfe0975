import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkTranslation, documentOf, translateCrontab } from '../../../src/crontab/index.js';
import { validateBatch } from '../../../src/core/validate/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/crontab/${name}`, import.meta.url), 'utf8');
const DEBIAN_PATH = '/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin';
const opts = { defaultTimezone: 'UTC', defaultOwner: 'ops' };

describe('translateCrontab on real crontabs', () => {
  it("turns Debian's /etc/crontab into four root tasks with its PATH; its SHELL line is noted, not copied", () => {
    const t = translateCrontab(fixture('debian-crontab'), { format: 'system', source: '/etc/crontab' });
    expect(t.skipped).toEqual([]);
    expect(t.notes).toEqual([{ line: 7, text: 'SHELL=/bin/sh', note: 'SHELL=/bin/sh: not copied into env: EasyTask runs every cmd with bash -c and sets SHELL to that bash' }]);
    const base = { run_as_user: 'root', env: { PATH: DEBIAN_PATH }, catch_up: 'none', overlap: 'allow' };
    const anacron = (period: string) => `test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.${period}; }`;
    expect(t.tasks.map((x) => x.task)).toEqual([
      { name: 'run-parts-cron-hourly', description: 'from /etc/crontab line 18 (17 * * * *)', cron: '17 * * * *', cmd: 'cd / && run-parts --report /etc/cron.hourly', ...base },
      { name: 'run-parts-cron-daily', description: 'from /etc/crontab line 19 (25 6 * * *)', cron: '25 6 * * *', cmd: anacron('daily'), ...base },
      { name: 'run-parts-cron-weekly', description: 'from /etc/crontab line 20 (47 6 * * 7)', cron: '47 6 * * 7', cmd: anacron('weekly'), ...base },
      { name: 'run-parts-cron-monthly', description: 'from /etc/crontab line 21 (52 6 1 * *)', cron: '52 6 1 * *', cmd: anacron('monthly'), ...base },
    ]);
    expect(validateBatch([{ file: 'x', raw: documentOf(t) }], opts).issues).toEqual([]);
  });

  it('turns /etc/cron.d/e2scrub_all into two tasks, and the placeholder into none', () => {
    const t = translateCrontab(fixture('debian-cron.d-e2scrub_all'), { format: 'system', source: 'e2scrub_all' });
    expect(t.tasks.map((x) => [x.line, x.task.name, x.task.cron, x.task.cmd])).toEqual([
      [1, 'e2scrub_all_cron', '30 3 * * 0', 'test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron'],
      [2, 'e2scrub_all', '10 3 * * *', 'test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all -A -r'],
    ]);
    expect(t.tasks[0]!.task.env).toBeUndefined();
    expect(translateCrontab(fixture('debian-cron.d-placeholder'), { format: 'system', source: 'p' })).toEqual({ format: 'system', tasks: [], skipped: [], notes: [] });
  });

  it("translates the crontab(5) example, % input, SHELL and MAILTO notes included", () => {
    const t = checkTranslation(translateCrontab(fixture('manpage-example'), { format: 'user', source: 'example' }), opts);
    expect(t.skipped).toEqual([]);
    expect(t.notes).toEqual([
      { line: 2, text: 'SHELL=/bin/sh', note: 'SHELL=/bin/sh: not copied into env: EasyTask runs every cmd with bash -c and sets SHELL to that bash' },
      { line: 4, text: 'MAILTO=paul', note: "MAILTO=paul: paul is a local user, not a mail address: nothing is mailed; write user@domain to have it mailed (EasyTask keeps each run's output under logs/: easytask logs)" },
    ]);
    expect(t.tasks.map((x) => [x.task.name, x.task.cron])).toEqual([
      ['daily-job', '5 0 * * *'],
      ['monthly', '15 14 1 * *'],
      ['mail-It-s-10pm', '0 22 * * 1-5'],
      ['echo-run-23', '23 0-23/2 * * *'],
      ['echo-run-at', '5 4 * * sun'],
      ['echo-Wax-the', '33 22 * * *'],
    ]);
    expect(t.tasks[2]!.task.cmd).toBe(`{ mail -s "It's 10pm" joe\n} < <(printf %s 'Joe,\n\nWhere are your kids?\n')`);
    expect(t.tasks[0]!.task.env).toEqual({ MAILTO: 'paul' }); // cron gives its jobs MAILTO too
    expect(t.tasks[0]!.task.alert).toBeUndefined();
  });

  it('MAILTO with addresses gives the jobs below an email alert on failure or output; an empty MAILTO turns it off', () => {
    const text = '0 1 * * * quiet.sh\nMAILTO=ops@example.com, dev@example.com\n0 2 * * * backup.sh\nMAILTO=root,ops@example.com\n0 3 * * * sync.sh\nMAILTO=""\n0 4 * * * late.sh\n';
    const t = checkTranslation(translateCrontab(text, { format: 'user', source: 's' }), opts);
    expect(t.tasks.map((x) => [x.task.name, x.task.alert])).toEqual([
      ['quiet', undefined],
      ['backup', { alert_on: 'output', email: ['ops@example.com', 'dev@example.com'] }],
      ['sync', { alert_on: 'output', email: ['ops@example.com'] }],
      ['late', undefined],
    ]);
    expect(t.notes.map((n) => [n.line, n.note])).toEqual([
      [2, 'MAILTO=ops@example.com, dev@example.com: the tasks below this line mail ops@example.com, dev@example.com when a run fails or writes output, as cron would (an "alert" with alert_on "output" and an "email" action; the daemon needs SMTP settings: EASYTASK_SMTP_URL… or <home>/smtp.json)'],
      [4, "MAILTO=root,ops@example.com: the tasks below this line mail ops@example.com when a run fails or writes output, as cron would (an \"alert\" with alert_on \"output\" and an \"email\" action; the daemon needs SMTP settings: EASYTASK_SMTP_URL… or <home>/smtp.json); root is a local user, not a mail address: left out; write user@domain to have it mailed (EasyTask keeps each run's output under logs/: easytask logs)"],
    ]);
  });
});

describe('translateCrontab on the test crontab', () => {
  const t = checkTranslation(translateCrontab(fixture('user-crontab'), { format: 'user', source: 'user-crontab' }), opts);

  it('lists what it cannot translate, with the reason, in line order', () => {
    expect(t.skipped.map((s) => [s.line, s.reason])).toEqual([
      [7, '@reboot has no EasyTask equivalent: tasks run on a schedule, not when the machine starts (a systemd unit with WantedBy=multi-user.target does that)'],
      [15, 'cron: "61 * * * *" is not valid (Constraint error, got value 61 expected range 0-59); expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first (e.g. "*/15 9-17 * * 1-5")'],
      [16, 'unknown shorthand "@fortnightly" (cron knows @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)'],
    ]);
    expect(t.skipped[0]!.text).toBe('@reboot         /home/ops/bin/warm-cache');
  });

  it('applies environment lines to the jobs below them: CRON_TZ as the zone, TZ and the rest as env', () => {
    const byName = new Map(t.tasks.map((x) => [x.task.name, x.task]));
    expect(byName.get('rotate-logs')).toMatchObject({ cron: '0 0 * * *', env: { MAILTO: '', PATH: '/usr/local/bin:/usr/bin:/bin', GREETING: '  hello, world  ' } });
    expect(byName.get('rotate-logs')!.timezone).toBeUndefined();
    expect(byName.get('paris-log')).toMatchObject({ cron: '30 8 * * 1-5', timezone: 'Europe/Paris', cmd: 'echo "Paris breakfast at $(date +%H:%M)" >> $HOME/paris.log' });
    expect(byName.get('odd-monday-report')).toMatchObject({ cron: '0 9 */2 * *', day_of_week: '1000000', env: { TZ: 'Asia/Tokyo' } });
    expect(byName.get('odd-monday-report')!.timezone).toBeUndefined();
    expect(byName.get('rotate-logs-2')).toMatchObject({ cron: '0 0 * * 0' });
    expect(byName.get('cat')!.cmd).toBe("{ cat > /tmp/easytask-percent.txt\n} < <(printf %s 'first line\nsecond line\n')");
    expect(t.notes.map((n) => n.line)).toEqual([11]);
  });

  it('gives a document that validates as is', () => {
    expect(validateBatch([{ file: 'x', raw: documentOf(t) }], opts).issues).toEqual([]);
  });
});
