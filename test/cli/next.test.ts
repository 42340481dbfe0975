import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomDelayMs } from '../../src/schedule/random-delay.js';
import { cli } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

const SEED = join(__dirname, '..', 'fixtures', 'defs', 'seed-task2.json');

function file(home: string, def: object): string {
  const path = join(home, 'def.json');
  writeFileSync(path, JSON.stringify(def));
  return path;
}

describe('easytask next', () => {
  it('lists fires in UTC and local time and skips a holiday, naming it', () => {
    const home = tempHome();
    cli(home, ['insert', SEED]);
    const json = JSON.parse(cli(home, ['next', 'task2', '-n', '3', '--from', '2026-11-25T00:00:00Z', '--json']).stdout);
    expect(json.map((f: { utc: string; local: string }) => [f.utc, f.local])).toEqual([
      ['2026-11-25T13:30:00.000Z', '2026-11-25T08:30:00-05:00'],
      ['2026-11-27T13:30:00.000Z', '2026-11-27T08:30:00-05:00'],
      ['2026-11-28T13:30:00.000Z', '2026-11-28T08:30:00-05:00'],
    ]);
    expect(json[1].skipped_before).toEqual([{ date: '2026-11-26', cause: 'holiday', detail: 'Thanksgiving Day' }]);
    const text = cli(home, ['next', 'task2', '-n', '2', '--from', '2026-11-25T00:00:00Z']).stdout;
    expect(text).toBe(
      [
        'Next 2 fires of task task2 (US/Eastern) after 2026-11-25T00:00:00Z:',
        '  UTC                   LOCAL',
        '  2026-11-25T13:30:00Z  2026-11-25 08:30:00-05:00 Wed',
        '             skipped 2026-11-26  holiday: Thanksgiving Day',
        '  2026-11-27T13:30:00Z  2026-11-27 08:30:00-05:00 Fri',
        '',
      ].join('\n'),
    );
  });

  it('reads a definition file without touching the store, with daylight saving in its zone', () => {
    const home = tempHome();
    const path = file(home, { name: 'ny', cmd: 'true', trigger_times: '02:30', timezone: 'America/New_York' });
    const spring = JSON.parse(cli(home, ['next', path, '-n', '2', '--from', '2026-03-07T12:00:00Z', '--json']).stdout);
    expect(spring.map((f: { local: string }) => f.local)).toEqual(['2026-03-08T03:00:00-04:00', '2026-03-09T02:30:00-04:00']);
    expect(spring[0].shifted).toBe('gap');
    // 01:30 happens twice on 1 November: it fires once, at the first (daylight-time) occurrence.
    const twice = file(home, { name: 'ny', cmd: 'true', trigger_times: '01:30', timezone: 'America/New_York' });
    const fall = JSON.parse(cli(home, ['next', twice, '-n', '2', '--from', '2026-10-31T12:00:00Z', '--json']).stdout);
    expect(fall.map((f: { local: string }) => f.local)).toEqual(['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00']);
    // Not even a store was made.
    expect(existsSync(join(home, 'easytask.db'))).toBe(false);
    expect(cli(home, ['list', '--json'])).toMatchObject({ code: 2, stdout: '' });
  });

  it('covers groups and says when a schedule never fires', () => {
    const home = tempHome();
    cli(home, ['insert', '-'], { input: JSON.stringify({ groups: [{ name: 'g', trigger_times: '06:00', timezone: 'Europe/London' }], tasks: [{ name: 'm', task_group: 'g', cmd: 'true' }] }) });
    const g = JSON.parse(cli(home, ['next', 'm', '-n', '1', '--from', '2026-07-01T00:00:00Z', '--json']).stdout);
    expect(g[0].local).toBe('2026-07-01T06:00:00+01:00');
    const r = cli(home, ['next', file(home, { name: 'never', cmd: 'true', cron: '0 0 30 2 *' }), '-n', '1']);
    expect(r.code).toBe(2);
  });

  it('judges whether a file\'s schedule ever fires from --from, not from now', () => {
    const home = tempHome();
    // 29 February on a Tuesday: in 2028, then not between 2090 and 2124 (2100 is no leap year).
    const path = file(home, { name: 'leap', cmd: 'true', cron: '0 0 29 2 *', day_of_week: '0100000', timezone: 'UTC' });
    expect(cli(home, ['next', path, '-n', '1', '--from', '2026-01-01T00:00:00Z', '--json'])).toEqual({
      code: 0, stderr: '', stdout: JSON.stringify([{ utc: '2028-02-29T00:00:00.000Z', local: '2028-02-29T00:00:00+00:00', date: '2028-02-29', slot: '00:00', skipped_before: [] }], null, 2) + '\n',
    });
    expect(cli(home, ['next', path, '-n', '1', '--from', '2090-01-01T00:00:00Z'])).toEqual({
      code: 2, stdout: '',
      stderr: `${path}: task #1 "leap" /day_of_week: never fires: cron "0 0 29 2 *" has slots only on days that day_of_week "0100000" excludes, in the next 28 years; expected a schedule that fires at least once in the next 28 years\nerror: ${path}: 1 problem(s) found\n`,
    });
  });

  it('finds a fire that validation accepts however far off it is: 29 February on a Monday, in 2044', () => {
    const home = tempHome();
    expect(cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'leap', cmd: 'true', cron: '0 7 29 2 *', day_of_week: '1000000', timezone: 'UTC' }) }).code).toBe(0);
    const json = JSON.parse(cli(home, ['next', 'leap', '-n', '1', '--from', '2026-12-01T00:00:00Z', '--json']).stdout);
    expect(json.map((f: { utc: string }) => f.utc)).toEqual(['2044-02-29T07:00:00.000Z']);
    expect(JSON.parse(cli(home, ['show', 'leap', '--json']).stdout).next).toBe('2044-02-29T07:00:00.000Z');
  });

  it('rejects a bad --from with exit 2', () => {
    const r = cli(tempHome(), ['next', SEED, '--from', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --from must be an ISO 8601 time such as 2026-03-08T00:00:00Z, got "yesterday"\n');
  });
});

describe('easytask calendar', () => {
  it('lists the shipped calendars and shows a year of one', () => {
    const home = tempHome();
    const list = JSON.parse(cli(home, ['calendar', 'list', '--json']).stdout);
    expect(list.calendars.map((c: { name: string }) => c.name)).toEqual(['UK_BANK_HOLIDAYS', 'US_HOLIDAYS', 'US_MARKET_HOLIDAYS']);
    for (const c of list.calendars) expect([c.first.slice(0, 4), c.last.slice(0, 4)]).toEqual(['2024', '2030']);
    const show = JSON.parse(cli(home, ['calendar', 'show', 'US_HOLIDAYS', '--year', '2026', '--json']).stdout);
    expect(show.dates).toContainEqual({ date: '2026-07-03', reason: expect.stringMatching(/Independence Day/) });
    expect(cli(home, ['calendar', 'show', 'NOPE']).stderr).toMatch(/^error: calendar "NOPE" does not exist/);
  });

  it('list prints its warnings on standard error; --json keeps them in the JSON', () => {
    const home = tempHome();
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(join(home, 'calendars'));
    const file = join(home, 'calendars', 'OLD.json');
    writeFileSync(file, JSON.stringify({ name: 'OLD', description: 'past closures', dates: [{ date: '2020-01-01', reason: 'closed' }] }));
    const ago = Math.floor(Date.now() / 86_400_000) - Date.UTC(2020, 0, 1) / 86_400_000;
    const warning = `calendar "OLD" (${file}) runs out: its last date 2020-01-01 is ${ago} days ago; add later dates`;
    const r = cli(home, ['calendar', 'list']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: ${warning}\n`);
    expect(r.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['NAME', 'OLD', 'UK_BANK_HOLIDAYS', 'US_HOLIDAYS', 'US_MARKET_HOLIDAYS', '']);
    const json = cli(home, ['calendar', 'list', '--json']);
    expect([json.code, json.stderr]).toEqual([0, '']);
    expect(JSON.parse(json.stdout).warnings).toEqual([warning]);
  });

  it('a broken calendar file fails only what uses that calendar; the rest warn and carry on', () => {
    const home = tempHome();
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(join(home, 'calendars'));
    const file = join(home, 'calendars', 'BROKEN.json');
    writeFileSync(file, '{\n  "name": "BROKEN",\n  "dates": [,]\n}');
    const problem = `calendar file ${file}: not valid JSON (line 3, column 13: Unexpected token ',')`;
    const warning = `warning: ${problem}; calendar "BROKEN" cannot be used until the file is fixed\n`;

    const list = cli(home, ['calendar', 'list']);
    expect([list.code, list.stderr]).toEqual([0, warning]);
    expect(list.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['NAME', 'UK_BANK_HOLIDAYS', 'US_HOLIDAYS', 'US_MARKET_HOLIDAYS', '']);
    const json = cli(home, ['calendar', 'list', '--json']);
    expect([json.code, json.stderr]).toEqual([0, '']);
    expect(JSON.parse(json.stdout).broken).toEqual([{ name: 'BROKEN', file, problem }]);
    const show = cli(home, ['calendar', 'show', 'BROKEN']);
    expect([show.code, show.stdout, show.stderr]).toEqual([2, '', `error: calendar "BROKEN" cannot be used: ${problem}\n`]);

    const uses = (calendar: string) => JSON.stringify({ name: `on-${calendar}`, cmd: 'true', trigger_times: '09:00', timezone: 'UTC', calendar });
    const ok = cli(home, ['insert', '-'], { input: uses('US_HOLIDAYS') });
    expect([ok.code, ok.stderr]).toEqual([0, warning]);
    const bad = cli(home, ['validate', '-'], { input: uses('BROKEN') });
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      `<stdin>: task #1 "on-BROKEN" /calendar: calendar "BROKEN" cannot be used: ${problem}; expected a calendar file that loads (see "easytask calendar list"), or another calendar\nerror: 1 problem found; nothing was written (validate never writes).\n`,
    ]);

    const next = cli(home, ['next', 'on-US_HOLIDAYS', '-n', '1', '--from', '2026-07-02T12:00:00Z']);
    expect([next.code, next.stderr]).toEqual([0, warning]);
    expect(next.stdout).toContain('skipped 2026-07-03  holiday: Independence Day');
    expect(next.stdout).toContain('2026-07-04T09:00:00Z');
    const path = join(home, 'def.json');
    writeFileSync(path, uses('BROKEN'));
    expect(cli(home, ['next', path, '-n', '1']).code).toBe(2);
    expect(cli(home, ['list', '--json']).code).toBe(0);
  });

  it("uses the home's own calendars, and insert refuses an unknown calendar", () => {
    const home = tempHome();
    const bad = cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'x', cmd: 'true', trigger_times: '09:00', calendar: 'ACME' }) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/calendar/);
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(join(home, 'calendars'));
    writeFileSync(join(home, 'calendars', 'ACME.json'), JSON.stringify({ name: 'ACME', description: 'Acme closures', dates: [{ from: '2030-12-24', to: '2030-12-31', reason: 'Shutdown' }] }));
    expect(cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'x', cmd: 'true', trigger_times: '09:00', calendar: 'ACME', timezone: 'UTC' }) }).code).toBe(0);
    const days = JSON.parse(cli(home, ['next', 'x', '-n', '1', '--from', '2030-12-23T12:00:00Z', '--json']).stdout);
    expect(days[0].date).toBe('2031-01-01');
    expect(days[0].skipped_before).toHaveLength(8);
  });

  it('with random_delay shows when each slot\'s run is due (the slot plus its stable offset), and the slot', () => {
    const home = tempHome();
    expect(cli(home, ['insert', file(home, { name: 'jitter', cmd: 'true', trigger_times: '02:00', timezone: 'UTC', random_delay: 3600 })]).code).toBe(0);
    const json = JSON.parse(cli(home, ['next', 'jitter', '-n', '3', '--from', '2026-05-01T00:00:00Z', '--json']).stdout);
    const slots = ['2026-05-01T02:00:00.000Z', '2026-05-02T02:00:00.000Z', '2026-05-03T02:00:00.000Z'];
    expect(json.map((f: { utc: string }) => f.utc)).toEqual(slots);
    const offsets = slots.map((s) => randomDelayMs('default/jitter', Date.parse(s), 3600));
    expect(json.map((f: { due: string; delay_s: number }) => [f.due, f.delay_s])).toEqual(slots.map((s, i) => [new Date(Date.parse(s) + offsets[i]!).toISOString(), offsets[i]! / 1000]));
    const text = cli(home, ['next', 'jitter', '-n', '1', '--from', '2026-05-01T00:00:00Z']).stdout;
    expect(text).toContain(`2026-05-01T02:00:00Z  ${new Date(Date.parse(slots[0]!) + offsets[0]!).toISOString().replace('.000Z', 'Z')}`);
    // list --json and show carry the bound and when the next slot's run is due.
    const [listed] = JSON.parse(cli(home, ['list', '--json']).stdout);
    expect(listed.random_delay).toBe(3600);
    expect(Date.parse(listed.next_due) - Date.parse(listed.next)).toBe(randomDelayMs('default/jitter', Date.parse(listed.next), 3600));
    expect(cli(home, ['show', 'jitter']).stdout).toMatch(/next: {6}\S+ \S+ \(its run is due \S+ \S+: random_delay up to 3600s\)/);
    // A second listing gives the same instants.
    expect(JSON.parse(cli(home, ['next', 'jitter', '-n', '3', '--from', '2026-05-01T00:00:00Z', '--json']).stdout)).toEqual(json);
  });
});
