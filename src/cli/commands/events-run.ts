// The body of easytask events, loaded only when the command runs.
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/events.js';
import { toCloudEvent } from '../../events/cloudevents.js';
import { EventFollower } from '../../events/follow.js';
import { eventJson, formatEvent } from '../../events/format.js';
import { sourceHost } from '../../core/host.js';
import { PipeOutput } from '../pipe-output.js';
import { typeMatcher, type EventFilter } from '../../events/query.js';
import { withStore } from '../context.js';
import { resolveFilterRef } from '../filter-ref.js';
import { parseSince } from '../run-view.js';

const FORMATS = ['text', 'json', 'cloudevents'] as const;
type Format = (typeof FORMATS)[number];

export interface EventsOpts {
  follow?: boolean;
  after?: number;
  since?: string;
  task?: string;
  instance?: string;
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

export async function runEvents(this: Command, o: EventsOpts): Promise<void> {
    const render = renderer(parseFormat(o));
    const filter: EventFilter = {
      sinceTime: o.since === undefined ? undefined : parseSince(o.since, systemClock.now()),
      runId: o.run,
      instance: o.instance,
      type: o.type === undefined ? undefined : typeMatcher(o.type),
    };
    const output = new PipeOutput(process.stdout);
    await withStore(this, async (store) => {
      if (o.task !== undefined) {
        // A follower may be started before the task is inserted: an unknown name is then followed as it is.
        const task = await resolveFilterRef(store, o.task, 'task', { instance: o.instance, allowUnknownName: o.follow === true });
        if (task.unknown) process.stderr.write(`note: --task ${o.task}: no task has that name yet; following the events recorded under it\n`);
        // By name always (the events_by_task index serves it), and by tid too when one was given.
        filter.task = task.name;
        if (task.id !== undefined) filter.taskId = task.id;
        filter.instance = task.instance;
      }
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
}
