// easytask events: the lifecycle event log, oldest first, replayable (--after) and followable (-f).
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/events.js';
import { toCloudEvent } from '../../events/cloudevents.js';
import { EventFollower } from '../../events/follow.js';
import { eventJson, formatEvent } from '../../events/format.js';
import { sourceHost } from '../../events/host.js';
import { PipeOutput } from '../../events/output.js';
import { typeMatcher, type EventFilter } from '../../events/query.js';
import { action, intOption, withStore } from '../context.js';
import { parseSince } from './runs.js';

const FORMATS = ['text', 'json', 'cloudevents'] as const;
type Format = (typeof FORMATS)[number];

interface EventsOpts {
  follow?: boolean;
  after?: number;
  since?: string;
  task?: string;
  run?: number;
  type?: string;
  format: string;
  json?: boolean;
}

function renderer(format: Format): (e: StoredEvent) => string {
  switch (format) {
    case 'text':
      return (e) => formatEvent(e) + '\n';
    case 'json':
      return (e) => JSON.stringify(eventJson(e)) + '\n';
    case 'cloudevents': {
      const host = sourceHost();
      return (e) => JSON.stringify(toCloudEvent(e, host)) + '\n';
    }
  }
}

function parseFormat(o: EventsOpts): Format {
  const f = o.json ? 'json' : o.format;
  if (!(FORMATS as readonly string[]).includes(f)) {
    throw new EasyTaskError('BAD_INPUT', `--format must be one of ${FORMATS.join(', ')}; got "${f}"`, 2);
  }
  return f as Format;
}

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('the lifecycle event log, oldest first; -f follows new events as they commit')
    .option('-f, --follow', 'keep printing new events as they are committed (Ctrl-C to stop)')
    .option('--after <seq>', 'only events after this seq (resume a follower without gaps or repeats)', intOption('--after', 0))
    .option('--since <when>', 'only events since a duration ago (24h, 30m) or an ISO time')
    .option('--task <name>', 'only events of this task')
    .option('--run <id>', 'only events of this run', intOption('--run', 1))
    .option('--type <glob>', 'only these types, e.g. run.* or *.failed (comma-separated globs)')
    .option('--format <format>', 'text, json (one object per line) or cloudevents (CloudEvents 1.0 JSON, one per line)', 'text')
    .option('--json', 'same as --format json')
    .addHelpText('after', '\nText lines read: #seq time type task run attempt FROM→TO details (duration).\nA follower that stops can resume with --after <the last seq it printed>.')
    .action(action(async function (this: Command, o: EventsOpts) {
      const render = renderer(parseFormat(o));
      const filter: EventFilter = {
        sinceTime: o.since === undefined ? undefined : parseSince(o.since, systemClock.now()),
        task: o.task,
        runId: o.run,
        type: o.type === undefined ? undefined : typeMatcher(o.type),
      };
      const output = new PipeOutput(process.stdout);
      await withStore(this, async (store) => {
        const follower = new EventFollower(store, {
          filter,
          afterSeq: o.after ?? 0,
          follow: o.follow === true,
          write: (events) => output.write(events.map(render).join('')),
        });
        const stop = () => follower.stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        output.onClose(stop);
        try {
          await follower.run();
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
    }));
}
