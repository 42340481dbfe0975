// easytask backfill: the runs of a task's past slots in a date range, created by the daemon (the one
// writer of runs); --dry-run lists the slots and whether each already has a run, writing nothing.
import type { Command } from 'commander';
import { EasyTaskError } from '../../core/errors.js';
import { action, homeFor, intOption, out, printJson, table, withStore } from '../context.js';

interface BackfillOpts {
  from: string;
  to: string;
  max?: number;
  dryRun?: boolean;
  json?: boolean;
  instance?: string;
}

const HELP = [
  '',
  'Creates one run for every slot of the task from the start of --from to the end',
  "of --to (dates in the task's zone; never after now), with its calendar,",
  'day_of_week, ordinal_day and daylight saving applied, as the schedule would',
  'have. A slot that already has a run (done, skipped or waiting) stays as it is,',
  'so asking twice creates nothing more. The runs are for their slots (business',
  'date, placeholders) and run one after another, oldest first: with overlap',
  '"skip" or "replace" they queue instead; "allow" lets them overlap. A frozen',
  'date holds its run.',
  '',
  'The daemon creates the runs (it must be running); --dry-run needs no daemon.',
  'A range of more than 1000 slots is refused unless --max allows it. A group',
  'member is backfilled by its group: easytask force-run <group> --date D.',
  '',
  'Examples:',
  '  easytask backfill nightly --from 2026-03-01 --to 2026-03-07 --dry-run',
  '  easytask backfill nightly --from 2026-03-01 --to 2026-03-07',
  '  easytask backfill every5min --from 2026-01-01 --to 2026-01-31 --max 9000',
].join('\n');

export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description("create the runs of a task's past slots in a date range (existing slots stay as they are)")
    .argument('<task>', 'task name or tid (a standalone task)')
    .requiredOption('--from <date>', "the first date, YYYY-MM-DD in the task's zone")
    .requiredOption('--to <date>', "the last date, YYYY-MM-DD in the task's zone (included)")
    .option('--max <N>', 'refuse a range of more slots than this (default 1000)', intOption('--max', 1, 1_000_000))
    .option('--dry-run', 'list the slots and whether each has a run; create nothing')
    .option('--instance <name>', 'the instance, when the name exists in several')
    .option('--json', 'print as JSON')
    .addHelpText('after', HELP)
    .action(action(async function (this: Command, ref: string, o: BackfillOpts) {
      if (o.dryRun) return dryRun(this, ref, o);
      const [{ sendRequest }, { osUser }] = await Promise.all([import('../../control/client.js'), import('../../core/asker.js')]);
      const ack = await withStore(this, (store) => sendRequest(store, { kind: 'backfill', by: osUser(), target: ref, from: o.from, to: o.to, ...(o.max ? { max: o.max } : {}), ...(o.instance ? { instance: o.instance } : {}) }));
      if (o.json) printJson(ack);
      else if (ack.ok) out(ack.message);
      else process.stderr.write(`error: ${ack.message}\n`);
      if (!ack.ok) process.exitCode = ack.result.exit_code === 2 ? 2 : 1;
    }));
}

/** The slots the range holds, each with the run it has (if any), read without writing. */
async function dryRun(cmd: Command, ref: string, o: BackfillOpts): Promise<void> {
  const [{ systemClock }, { DateTime }, { backfillSchedule }, { backfillRange }, { homeCalendars }, schedule] = await Promise.all([
    import('../../core/clock.js'), import('luxon'), import('../../daemon/backfill.js'), import('../../schedule/backfill-range.js'), import('../../daemon/calendars.js'), import('../../schedule/index.js'),
  ]);
  const now = systemClock.now();
  const rows = await withStore(cmd, async (store) => {
    const d = (await store.defs.get(ref, o.instance)).definition;
    if (d.kind === 'group') throw new EasyTaskError('BAD_INPUT', `"${ref}" is a group; backfill takes a standalone task (a cycle for a past date: easytask force-run ${d.def.name} --date YYYYMMDD)`, 2);
    const task = d.def;
    const sched = backfillSchedule(task);
    const loaded = homeCalendars(homeFor(cmd), now);
    if (sched.calendar) schedule.requireCalendar(loaded.calendars, sched.calendar, loaded.broken);
    const range = backfillRange(sched, loaded.calendars, o.from, o.to, now, o.max);
    const runs = await store.runs.list({ taskId: task.tid, instance: task.instance, sinceSlot: range.from, limit: 10_000_000 });
    const bySlot = new Map(runs.map((r) => [r.slot, r]));
    return { task, zone: sched.timezone, slots: range.fires.map((f) => ({ f, run: bySlot.get(f.at) })) };
  });
  const view = rows.slots.map(({ f, run }) => ({
    slot: new Date(f.at).toISOString(),
    local: DateTime.fromMillis(f.at, { zone: rows.zone }).toFormat('yyyy-MM-dd HH:mm:ss ZZZZ'),
    business_date: f.localDate.replaceAll('-', ''),
    run: run ? { id: run.id, state: run.state, reason: run.reason } : null,
  }));
  if (o.json) return printJson({ task: rows.task.name, instance: rows.task.instance, timezone: rows.zone, dry_run: true, slots: view, to_create: view.filter((v) => !v.run).length });
  const fresh = view.filter((v) => !v.run).length;
  out(`Backfill of ${rows.task.name} from ${o.from} to ${o.to} (${rows.zone}): ${view.length} slot(s), ${fresh} would get a run; nothing was created (dry run).`);
  if (view.length) out(table(['SLOT (UTC)', 'LOCAL', 'RUN'], view.map((v) => [v.slot.replace('.000Z', 'Z'), v.local, v.run ? `#${v.run.id} ${v.run.state}${v.run.reason ? ` (${v.run.reason})` : ''}` : 'none: would be created'])));
}
