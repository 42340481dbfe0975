// force-run, terminate, freeze, unfreeze, modify-status: requests the running daemon carries out.
import type { Command } from 'commander';
import { osUser } from '../../core/asker.js';
import { EasyTaskError } from '../../core/errors.js';
import { sendRequest } from '../../control/client.js';
import type { ControlRequest } from '../../control/request.js';
import { action, intOption, out, printJson, withStore } from '../context.js';

interface ControlOpts {
  date?: string;
  status?: string;
  run?: number;
  json?: boolean;
  wait?: number;
  instance?: string;
  note?: string;
}

type Kind = Exclude<ControlRequest['kind'], 'reload'>;

const DATE = /^\d{8}$/;

function checkDate(date: string | undefined): void {
  if (date === undefined) return;
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(4, 6)), Number(date.slice(6, 8))];
  const t = new Date(Date.UTC(y, m - 1, d));
  const real = DATE.test(date) && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  if (!real) throw new EasyTaskError('BAD_INPUT', `--date must be a real date as YYYYMMDD, got "${date}"`, 2);
}

/** What each command's argument names. */
const ARGUMENT: Partial<Record<Kind, string>> = {
  'force-run': 'a task or a group: its name, tid or gid',
  'modify-status': 'a run id (see: easytask runs)',
};

function register(program: Command, name: Kind, description: string, arg: string, build: (ref: string | undefined, o: ControlOpts) => ControlRequest, extra?: (c: Command) => Command): void {
  let c = program.command(name).description(description).argument(arg, ARGUMENT[name] ?? 'task name or tid');
  c = c.option('--json', 'print the acknowledgement as JSON');
  if (name !== 'modify-status') c = c.option('--instance <name>', 'the instance, when the name exists in several');
  if (extra) c = extra(c);
  c.action(action(async function (this: Command, ref: string | undefined, o: ControlOpts) {
    checkDate(o.date);
    const request: ControlRequest = { ...build(ref, o), by: osUser(), ...(o.note ? { note: o.note } : {}) };
    const ack = await withStore(this, (store) => sendRequest(store, request));
    if (o.json) printJson(ack);
    else if (ack.ok) out(ack.message);
    else process.stderr.write(`error: ${ack.message}\n`);
    // The daemon refused bad input (an unknown task, a group where a task is meant): exit 2, as the CLI would.
    if (!ack.ok) process.exitCode = ack.result.exit_code === 2 ? 2 : 1;
  }));
}

export function registerControlCommands(program: Command): void {
  register(program, 'force-run', 'run a task now, ignoring its schedule, calendar and dependencies (a group: start a cycle now)', '<task>', (ref, o) => ({ kind: 'force-run', target: ref!, date: o.date, instance: o.instance }), (c) =>
    c.option('--date <YYYYMMDD>', 'the business date the run is for (default: today in the task zone)').addHelpText('after', [
      '',
      'It also takes a group name (or gid): a cycle of the group starts now, whatever',
      "the group's schedule and the groups it depends on; within the cycle its tasks",
      'still wait for their dependencies.',
      '',
      'Examples:',
      '  easytask force-run task2                  # one run of task2 now',
      '  easytask force-run task2 --date 20260301  # a run now, for that business date',
      '  easytask force-run etl                    # the group etl: a cycle starts now',
    ].join('\n')),
  );
  register(program, 'terminate', "kill a task's live runs (or one run with --run)", '[task]', (ref, o) => {
    if (o.run === undefined && !ref) throw new EasyTaskError('BAD_INPUT', 'name a task, or a run with --run <id>', 2);
    return { kind: 'terminate', target: ref, run: o.run, instance: o.instance };
  }, (c) => c.option('--run <id>', "terminate this run (with <task>, it must be one of that task's runs)", intOption('--run', 1)));
  register(program, 'freeze', "hold a task's runs for a date (default today) until unfreeze", '<task>', (ref, o) => ({ kind: 'freeze', target: ref!, date: o.date, instance: o.instance }), (c) =>
    c.option('--date <YYYYMMDD>', 'the date to hold (default: today in the task zone)').option('--note <text>', 'why: kept with the events beside who asked (shown by easytask show and easytask events)'),
  );
  register(program, 'unfreeze', 'release a frozen date; held runs whose time has come trigger', '<task>', (ref, o) => ({ kind: 'unfreeze', target: ref!, date: o.date, instance: o.instance }), (c) =>
    c.option('--date <YYYYMMDD>', 'the date to release (default: today in the task zone)'),
  );
  register(program, 'modify-status', 'set a finished run to SUCCESS or FAILED (so dependants can proceed)', '<run>', (ref, o) => {
    if (!ref || !/^\d+$/.test(ref)) throw new EasyTaskError('BAD_INPUT', `<run> must be a run id (see: easytask runs), got "${ref}"`, 2);
    if (!o.status || !/^(success|failed)$/i.test(o.status)) throw new EasyTaskError('BAD_INPUT', `--status must be SUCCESS or FAILED, got "${o.status ?? ''}"`, 2);
    return { kind: 'modify-status', run: Number(ref), status: o.status.toUpperCase() as 'SUCCESS' | 'FAILED' };
  }, (c) => c.requiredOption('--status <state>', 'SUCCESS or FAILED').addHelpText('after', [
    '',
    'Changes the state of a run that has finished (FAILED, TERMINATED, SKIPPED, …)',
    'to SUCCESS or FAILED, recorded as a run.status_modified event. Use it when a',
    'run failed but its work was done another way: in a group cycle, the tasks that',
    'depend on it (S:task) and were skipped are released and run. A live run cannot',
    'be changed (terminate it first).',
    '',
    'Example:',
    '  easytask modify-status 42 --status success  # run 42 counts as SUCCESS now;',
    '                                              # its dependants proceed',
  ].join('\n')));
}
