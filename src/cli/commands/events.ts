// easytask events: the lifecycle event log, oldest first, replayable (--after) and followable (-f).
import type { Command } from 'commander';
import { action, intOption } from '../context.js';
import type { EventsOpts } from './events-run.js';

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('the lifecycle event log, oldest first; -f follows new events as they commit')
    .option('-f, --follow', 'keep printing new events as they are committed (Ctrl-C to stop)')
    .option('--after <seq>', 'only events after this seq (resume a follower without gaps or repeats)', intOption('--after', 0))
    .option('--since <when>', 'only events since a duration ago (24h, 30m) or an ISO time')
    .option('--task <name>', 'only events of this task (a name or tid)')
    .option('--instance <name>', 'only events recorded under this instance (with --task: the instance the name or tid is in)')
    .option('--run <id>', 'only events of this run', intOption('--run', 1))
    .option('--type <glob>', 'only these types, e.g. run.* or *.failed (comma-separated globs)')
    .option('--format <format>', 'text, json (one object per line) or cloudevents (CloudEvents 1.0 JSON, one per line)', 'text')
    .option('--json', 'same as --format json')
    .addHelpText('after', '\nText lines read: #seq time type task run attempt FROM→TO details (duration).\nA follower that stops can resume with --after <the last seq it printed>.\n'
      + 'A --task tid matches the events recorded under that tid and the name it stands for (an id a deleted task had and a\nnew task reuses means the new one), a name those recorded under that name, in the one instance where it is defined\n(or, once deleted, has history); a task found in several instances needs --instance.\n'
      + 'With -f a --task name that nothing knows yet is followed as it is (a note on stderr says so).\n'
      + 'Every event carries an instance: a task\'s, a group\'s and their runs\' events that of the definition; daemon and\ncalendar events are recorded under "default". The text lines do not show it; --json does.')
    .action(action(async function (this: Command, o: EventsOpts) {
      const { runEvents } = await import('./events-run.js');
      await runEvents.call(this, o);
    }));
}
