import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'crontab');
const fixture = (name: string) => join(FIXTURES, name);

describe('easytask import-crontab', () => {
  it("prints Debian's /etc/crontab as a document insert accepts, and inserts it", () => {
    const home = tempHome();
    const r = cli(home, ['import-crontab', fixture('debian-crontab'), '--format', 'system']);
    expect(r.stderr).toBe(
      `${fixture('debian-crontab')}:7: note: SHELL=/bin/sh: not copied into env: EasyTask runs every cmd with bash -c and sets SHELL to that bash\n` +
        `Translated 4 of 4 cron lines from ${fixture('debian-crontab')} (system format).\n`,
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    for (const t of doc.tasks) expect(t.env).toEqual({ PATH: '/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin' });
    expect(doc.tasks.map((t: { name: string; cron: string }) => `${t.name} ${t.cron}`)).toEqual([
      'run-parts-cron-hourly 17 * * * *',
      'run-parts-cron-daily 25 6 * * *',
      'run-parts-cron-weekly 47 6 * * 7',
      'run-parts-cron-monthly 52 6 1 * *',
    ]);
    const ins = cli(home, ['insert', '-'], { input: r.stdout });
    expect(ins.stdout).toBe(
      'Validation completed: 4 tasks in <stdin>.\n' +
        ['run-parts-cron-hourly', 'run-parts-cron-daily', 'run-parts-cron-weekly', 'run-parts-cron-monthly'].map((n, i) => `Task inserted successfully: ${n} (tid ${1000001 + i})\n`).join(''),
    );
  });

  it('says, naming the line, that SHELL is not copied (another shell: check the commands) and that MAILTO becomes an email alert', () => {
    const crontab = 'SHELL=/bin/zsh\nMAILTO=ops@example.com\n0 3 * * * backup.sh\n';
    const home = tempHome();
    const r = cli(home, ['import-crontab', '-', '--insert'], { input: crontab });
    expect(r.code).toBe(0);
    const shown = JSON.parse(cli(home, ['show', 'backup', '--json']).stdout) as { alert?: unknown };
    expect(JSON.stringify(shown)).toContain('"alert":{"alert_on":"output","actions":[{"email":["ops@example.com"]}]}');
    expect(r.stderr).toBe(
      [
        '<stdin>:1: note: SHELL=/bin/zsh: not copied into env: EasyTask runs every cmd with bash -c and sets SHELL to that bash; check that the commands below this line run under bash, not /bin/zsh',
        '<stdin>:2: note: MAILTO=ops@example.com: the tasks below this line mail ops@example.com when a run fails or writes output, as cron would (an "alert" with alert_on "output" and an "email" action; the daemon needs SMTP settings: EASYTASK_SMTP_URL… or <home>/smtp.json)',
        'Translated 1 of 1 cron line from <stdin> (user format).',
        '',
      ].join('\n'),
    );
  });

  it('guesses the system format from the user column and inserts /etc/cron.d files with --insert', () => {
    const home = tempHome();
    const r = cli(home, ['import-crontab', fixture('debian-cron.d-e2scrub_all'), '--insert']);
    expect(r.stderr).toBe(`Translated 2 of 2 cron lines from ${fixture('debian-cron.d-e2scrub_all')} (system format).\n`);
    expect(r.stdout).toBe('Task inserted: e2scrub_all_cron (tid 1000001) from line 1\nTask inserted: e2scrub_all (tid 1000002) from line 2\n');
    expect(r.code).toBe(0);
    expect(cli(home, ['list']).stdout).toMatch(/e2scrub_all_cron +task +1000001 +ACTIVE +cron 30 3 \* \* 0/);
  });

  it('lists untranslatable lines with the reason on stderr and keeps going', () => {
    const r = cli(tempHome(), ['import-crontab', '-', '--json'], { input: readFileSync(fixture('user-crontab'), 'utf8') });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        '<stdin>:7: not translated: @reboot has no EasyTask equivalent: tasks run on a schedule, not when the machine starts (a systemd unit with WantedBy=multi-user.target does that)',
        '    @reboot         /home/ops/bin/warm-cache',
        "<stdin>:11: note: TZ=Asia/Tokyo: passed to the commands, as cron does; the schedule stays in the machine's zone (CRON_TZ sets that)",
        '<stdin>:15: not translated: cron: "61 * * * *" is not valid (Constraint error, got value 61 expected range 0-59); expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first (e.g. "*/15 9-17 * * 1-5")',
        '    61 * * * *      echo bad minute',
        '<stdin>:16: not translated: unknown shorthand "@fortnightly" (cron knows @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
        '    @fortnightly    echo no such shorthand',
        'Translated 6 of 9 cron lines from <stdin> (user format); 3 not translated.',
        '',
      ].join('\n'),
    );
    const report = JSON.parse(r.stdout);
    expect(report.format).toBe('user');
    expect(report.document.tasks.map((t: { name: string }) => t.name)).toEqual(['rotate-logs', 'curl-ping', 'paris-log', 'odd-monday-report', 'rotate-logs-2', 'cat']);
    expect(report.skipped.map((s: { line: number }) => s.line)).toEqual([7, 15, 16]);
  });

  it('refuses bytes that are not UTF-8, naming the line and byte, and imports nothing', () => {
    const home = tempHome();
    const file = join(home, 'latin1-crontab');
    writeFileSync(file, Buffer.concat([Buffer.from('0 5 * * * echo caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const r = cli(home, ['import-crontab', file, '--insert']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`error: ${file}: not valid UTF-8 at line 1, column 19 (byte offset 18: 0xe9); save the file as UTF-8\n`);
    expect(existsSync(join(home, 'easytask.db'))).toBe(false);
  });

  it('exits 1 when nothing could be translated, and 2 when there is no job at all', () => {
    const none = cli(tempHome(), ['import-crontab', '-'], { input: '@reboot /bin/warm\n' });
    expect(none.stderr.split('\n').slice(-2)).toEqual(['error: none of the 1 cron line in <stdin> could be translated', '']);
    expect(none.code).toBe(1);
    const empty = cli(tempHome(), ['import-crontab', fixture('debian-cron.d-placeholder')]);
    expect(empty.stderr).toBe(`Translated 0 of 0 cron lines from ${fixture('debian-cron.d-placeholder')} (user format).\nerror: ${fixture('debian-cron.d-placeholder')}: no cron jobs found\n`);
    expect(empty.code).toBe(2);
    const missing = cli(tempHome(), ['import-crontab', '/nonexistent/crontab']);
    expect(missing.stderr).toBe('error: /nonexistent/crontab: file does not exist\n');
    expect(missing.code).toBe(2);
  });

  it('refuses --insert when a name is taken, inserting nothing, and updates with --replace', () => {
    const home = tempHome();
    const crontab = '0 1 * * * /opt/backup.sh\n0 2 * * * /opt/report.sh\n';
    expect(cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'backup', cmd: 'true', trigger_times: '05:00' }) }).code).toBe(0);
    const r = cli(home, ['import-crontab', '-', '--insert'], { input: crontab });
    expect(r.stderr).toContain('<stdin>: task #1 "backup" /tasks/0/name: task "backup" already exists in instance default');
    expect(r.stderr).toContain('error: 1 problem found; nothing was inserted.\n');
    expect(r.code).toBe(2);
    expect(cli(home, ['list', '--json']).stdout).not.toContain('report');
    const again = cli(home, ['import-crontab', '-', '--insert', '--replace', '--json'], { input: crontab });
    expect(JSON.parse(again.stdout).inserted).toEqual([
      { action: 'updated', name: 'backup', tid: 1000001, line: 1 },
      { action: 'created', name: 'report', tid: 1000002, line: 2 },
    ]);
  });

  it('runs an imported % line with the same standard input cron gives it', async () => {
    const home = tempHome();
    const out = join(home, 'stdin.txt');
    const crontab = `GREETING=hi\n0 4 * * * cat > ${out}; echo "$GREETING \\%s" >> ${out}%first line%second \\% line\n`;
    expect(cli(home, ['import-crontab', '-', '--insert'], { input: crontab }).stdout).toBe('Task inserted: echo-GREETING-s (tid 1000001) from line 2\n');
    await startDaemonProcess(home);
    expect(cli(home, ['force-run', 'echo-GREETING-s']).code).toBe(0);
    await waitFor(() => JSON.parse(cli(home, ['runs', '--json']).stdout).find((r: { state: string }) => r.state === 'SUCCESS'), 'the run to succeed');
    expect(readFileSync(out, 'utf8')).toBe('first line\nsecond % line\nhi %s\n');
  });
});
