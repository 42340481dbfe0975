// easytask logs: a run's stdout or stderr file, followed while the run is live.
import type { Command } from 'commander';
import { EasyTaskError } from '../../core/errors.js';
import type { LogEnd, LogStream } from '../run-logs.js';
import { action, withStore } from '../context.js';

interface LogsOpts {
  stream: string;
  follow?: boolean;
  instance?: string;
}

function parseStream(s: string): LogStream {
  if (s === 'stdout' || s === 'stderr') return s;
  throw new EasyTaskError('BAD_INPUT', `--stream must be stdout or stderr; got "${s}"`, 2);
}

/** Say on stderr why nothing (more) was printed; a vanished file is a failure. */
function report(end: LogEnd, stream: LogStream): void {
  const who = `run ${end.run.id} (${end.run.task_name})`;
  switch (end.kind) {
    case 'done':
    case 'stopped':
      return;
    case 'no_output':
      process.stderr.write(`${who} has no ${stream} file: it is ${end.run.state} and never started an attempt\n`);
      return;
    case 'missing':
      throw new EasyTaskError('NOT_FOUND', `${who}: its ${stream} file ${end.path} does not exist (removed or pruned)`, 1);
  }
}

export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("print a run's output: a run id, or a task (its latest run)")
    .argument('<run|task>', 'a run id, or a task name or tid')
    .option('--stream <stream>', 'stdout or stderr', 'stdout')
    .option('-f, --follow', 'keep printing while the run is live; stop when it ends')
    .option('--instance <name>', 'the instance, when the task name exists in several')
    .action(action(async function (this: Command, ref: string, o: LogsOpts) {
      const stream = parseStream(o.stream);
      const [{ findRun, LogFollower }, { PipeOutput }] = await Promise.all([import('../run-logs.js'), import('../pipe-output.js')]);
      const output = new PipeOutput(process.stdout);
      const end = await withStore(this, async (store) => {
        const run = await findRun(store, ref, o.instance);
        const follower = new LogFollower(store, run.id, { stream, follow: o.follow === true, write: (chunk) => output.write(chunk) });
        const stop = () => follower.stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        output.onClose(stop);
        try {
          return await follower.run();
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      });
      report(end, stream);
    }));
}
