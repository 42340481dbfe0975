// easytask next: when a task or group fires next, in UTC and its own zone, with the days it skips.
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { EasyTaskError } from '../../core/errors.js';
import type { Definition, ScheduleFields } from '../../core/task.js';
import type { Fire, SkippedDay } from '../../schedule/index.js';
import { action, homeFor, intOption, out, printJson } from '../context.js';

interface NextOpts {
  number: number;
  from?: string;
  json?: boolean;
  instance?: string;
}

const isFile = (ref: string) => ref === '-' || ((ref.endsWith('.json') || ref.includes('/')) && existsSync(ref) && statSync(ref).isFile());

/**
 * The first definition of a file, validated but never stored; a member takes its group from the same file.
 * Whether its schedule ever fires is judged from `from`, the instant the fires are listed after.
 */
async function fromFile(path: string, from: number): Promise<{ def: Definition; schedule: ScheduleFields | undefined }> {
  const [{ prepare, formatIssue }, { loadSources }] = await Promise.all([import('../../definitions/apply.js'), import('../../definitions/load.js')]);
  const p = await prepare(loadSources(path), undefined, { now: from });
  if (p.issues.length) {
    for (const i of p.issues) process.stderr.write(formatIssue(i) + '\n');
    throw new EasyTaskError('BAD_INPUT', `${path}: ${p.issues.length} problem(s) found`, 2);
  }
  const first = [...p.items].sort((a, b) => a.index - b.index || (a.input.kind === 'task' ? -1 : 1))[0];
  if (!first) throw new EasyTaskError('BAD_INPUT', `${path}: no definitions found`, 2);
  const def = { kind: first.input.kind, def: first.input.def } as Definition;
  if (def.kind === 'group') return { def, schedule: def.def };
  if (!def.def.task_group) return { def, schedule: (await import('../../core/task.js')).taskSchedule(def.def) };
  const group = p.items.find((i) => i.input.kind === 'group' && i.input.def.name === (def.def as { task_group?: string }).task_group);
  return { def, schedule: group?.input.def as ScheduleFields | undefined };
}

function parseFrom(text: string | undefined, now: number, DateTime: typeof import('luxon').DateTime): number {
  if (text === undefined) return now;
  const t = DateTime.fromISO(text, { setZone: true });
  if (!t.isValid) throw new EasyTaskError('BAD_INPUT', `--from must be an ISO 8601 time such as 2026-03-08T00:00:00Z, got "${text}"`, 2);
  return t.toMillis();
}

const utc = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function skippedText(s: SkippedDay): string {
  const why = s.cause === 'holiday' ? `holiday: ${s.detail}` : s.cause === 'day_of_week' ? `day_of_week: ${s.detail}` : `ordinal_day: ${s.detail}`;
  return `             skipped ${s.date}  ${why}`;
}

export function registerNextCommand(program: Command): void {
  program
    .command('next')
    .description('the next fire instants of a task or group (or the first definition in a file), in UTC and local time')
    .argument('<task|file>', 'a task or group name or tid, or a definition file (not stored)')
    .option('-n, --number <N>', 'how many fires', intOption('-n', 1, 10000), 10)
    .option('--from <ISO-8601>', 'start after this instant (default: now)')
    .option('--instance <name>', 'the instance, when the name exists in several')
    .option('--json', 'print an array of {utc, local, date, slot, skipped_before}; with random_delay also due (when the run is due) and delay_s')
    .addHelpText('after', '\nExamples:\n  easytask next task2\n  easytask next examples/hello.json -n 3 --from 2026-03-08T00:00:00Z --json')
    .action(action(async function (this: Command, ref: string, o: NextOpts) {
      const [{ systemClock }, { DateTime }, schedule, { homeCalendars }] = await Promise.all([
        import('../../core/clock.js'), import('luxon'), import('../../schedule/index.js'), import('../../daemon/calendars.js'),
      ]);
      const now = systemClock.now();
      const from = parseFrom(o.from, now, DateTime);
      const home = homeFor(this);
      if (o.instance !== undefined && isFile(ref)) throw new EasyTaskError('BAD_INPUT', `--instance picks a stored task or group; ${ref} is a file (its definitions name their own instance)`, 2);
      const target = isFile(ref) ? await fromFile(ref, from) : await fromStore(this, ref, o.instance);
      if (!target.schedule) throw new EasyTaskError('BAD_INPUT', `${target.def.def.name} is in a group that does not exist`, 2);
      const loaded = homeCalendars(home, now);
      // Its own calendar must load (a broken file is an error naming it); other calendars' problems are warnings.
      if (target.schedule.calendar) schedule.requireCalendar(loaded.calendars, target.schedule.calendar, loaded.broken);
      for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
      const r = schedule.nextFires(target.schedule, loaded.calendars, from, o.number, { explain: true });
      const zone = schedule.zoneClock(target.schedule.timezone);
      const skippedBefore = (f: Fire, prev: Fire | undefined) => r.skipped.filter((s) => s.date < f.localDate && (!prev || s.date > prev.localDate));
      // With random_delay each slot's run is due at its own offset after the slot (stable per slot).
      const { delayOwner, randomDelayMs } = await import('../../schedule/random-delay.js');
      const delaySeconds = target.schedule.random_delay;
      const owner = delayOwner(target.def.def as { instance: string; name: string; task_group?: string });
      const delayOf = (f: Fire) => randomDelayMs(owner, f.at, delaySeconds);
      const dueFields = (f: Fire) => (delaySeconds ? { due: new Date(f.at + delayOf(f)).toISOString(), delay_s: delayOf(f) / 1000 } : {});
      if (o.json) {
        printJson(r.fires.map((f, i) => ({ utc: new Date(f.at).toISOString(), local: f.local, date: f.localDate, slot: f.slot, ...dueFields(f), ...(f.shifted ? { shifted: f.shifted } : {}), skipped_before: skippedBefore(f, r.fires[i - 1]) })));
      } else {
        const d = target.def;
        const inst = d.def.instance !== undefined && d.def.instance !== 'default' ? ` in instance ${d.def.instance}` : '';
        out(`Next ${r.fires.length} fire${r.fires.length === 1 ? '' : 's'} of ${d.kind} ${d.def.name}${inst} (${target.schedule.timezone}) after ${utc(from)}:`);
        if (delaySeconds) out(`  (random_delay ${delaySeconds}s: each run is due at its slot plus a stable offset, shown as DUE)`);
        out(`  ${'UTC'.padEnd(20)}  ${delaySeconds ? `${'DUE (UTC)'.padEnd(20)}  ` : ''}LOCAL`);
        r.fires.forEach((f, i) => {
          for (const s of skippedBefore(f, r.fires[i - 1])) out(skippedText(s));
          const gap = f.shifted ? `  (${f.slot} does not exist that day; fires when the clock springs forward)` : '';
          const due = delaySeconds ? `${utc(f.at + delayOf(f)).padEnd(20)}  ` : '';
          out(`  ${utc(f.at).padEnd(20)}  ${due}${zone.formatLocal(f.at).replace('T', ' ')} ${DateTime.fromMillis(f.at, { zone: target.schedule!.timezone }).toFormat('ccc')}${gap}`);
        });
      }
      if (r.exhausted) process.stderr.write(`note: ${r.exhausted.reason}\n`);
    }));
}

async function fromStore(cmd: Command, ref: string, instance: string | undefined): Promise<{ def: Definition; schedule: ScheduleFields | undefined }> {
  const [{ withStore }, { scheduleOf }] = await Promise.all([import('../context.js'), import('../next-fire.js')]);
  return withStore(cmd, async (store) => {
    const def = (await store.defs.get(ref, instance)).definition;
    return { def, schedule: await scheduleOf(store, def) };
  });
}
