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
    .option('--run <id>', 'only events of this run', intOption('--run', 1))
    .option('--type <glob>', 'only these types, e.g. run.* or *.failed (comma-separated globs)')
    .option('--format <format>', 'text, json (one object per line) or cloudevents (CloudEvents 1.0 JSON, one per line)', 'text')
    .option('--json', 'same as --format json')
    .addHelpText('after', '\nText lines read: #seq time type task run attempt FROM→TO details (duration).\nA follower that stops can resume with --after <the last seq it printed>.')
    .action(action(async function (this: Command, o: EventsOpts) {
      const { runEvents } = await import('./events-run.js');
      await runEvents.call(this, o);
    }));
}
