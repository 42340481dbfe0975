// easytask calendar list|show: the holiday calendars a home sees.
import type { Command } from 'commander';
import { action, homeFor, intOption, out, printJson, table } from '../context.js';

async function load(cmd: Command) {
  const [{ systemClock }, { homeCalendars }, schedule] = await Promise.all([import('../../core/clock.js'), import('../../daemon/calendars.js'), import('../../schedule/index.js')]);
  const now = systemClock.now();
  return { ...homeCalendars(homeFor(cmd), now), now, schedule };
}

export function registerCalendarCommand(program: Command): void {
  const calendar = program.command('calendar').description('holiday calendars: the shipped ones and <home>/calendars');
  calendar
    .command('list')
    .description('every calendar with its span, number of dates and file')
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, o: { json?: boolean }) {
      const { calendars, warnings, broken, schedule } = await load(this);
      const rows = [...calendars.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => ({
        name: c.name, description: c.description, first: c.first ?? null, last: c.last ?? null, dates: schedule.calendarDates(c).length, file: c.file,
      }));
      if (o.json) return printJson({ calendars: rows, warnings, broken: [...broken.values()].map((b) => ({ name: b.name, file: b.file, problem: b.problem })) });
      out(table(['NAME', 'FROM', 'TO', 'DATES', 'DESCRIPTION'], rows.map((r) => [r.name, r.first ?? '-', r.last ?? '-', String(r.dates), r.description.length > 60 ? r.description.slice(0, 59) + '…' : r.description])));
      // Standard error, so the table on standard output stays only the table.
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    }));
  calendar
    .command('show')
    .description("a calendar's dates and their reasons")
    .argument('<name>', 'calendar name, e.g. US_HOLIDAYS')
    .option('--year <YYYY>', 'only this year', intOption('--year', 1900, 2999))
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, name: string, o: { year?: number; json?: boolean }) {
      const { calendars, broken, schedule } = await load(this);
      const cal = schedule.requireCalendar(calendars, name, broken);
      const dates = schedule.calendarDates(cal).filter((d) => o.year === undefined || d.date.startsWith(`${o.year}-`));
      if (o.json) return printJson({ name: cal.name, description: cal.description, file: cal.file, dates });
      out(`${cal.name}: ${cal.description} (${cal.file})`);
      const { DateTime } = await import('luxon');
      for (const d of dates) out(`  ${d.date} ${DateTime.fromISO(d.date).toFormat('ccc')}  ${d.reason}`);
      if (dates.length === 0) out('  (no dates)');
    }));
}
