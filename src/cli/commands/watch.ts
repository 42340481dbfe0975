// easytask watch: the live dashboard on a terminal, else (or with --plain) one line per transition.
// Ink and React load here only, on demand, so every other command starts without them.
import { InvalidArgumentError, type Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import type { Store } from '../../store/index.js';
import { ALL_STATUSES, isTaskStatus } from '../../ui/model/counts.js';
import type { Filter, TaskStatus } from '../../ui/model/types.js';
import { action, withStore } from '../context.js';

interface WatchOpts {
  plain?: boolean;
  state?: TaskStatus[];
  filter?: string;
}

function parseStates(value: string): TaskStatus[] {
  const states = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const bad = states.filter((s) => !isTaskStatus(s));
  if (bad.length || states.length === 0) throw new InvalidArgumentError(`unknown state ${bad.join(', ') || '""'}; one of ${ALL_STATUSES.join(', ')}`);
  return states as TaskStatus[];
}

/** Until SIGINT/SIGTERM, or until stdout's reader goes away (`watch --plain | head`). */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve).once('SIGTERM', resolve);
    process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? resolve() : undefined));
  });
}

async function watchPlain(store: Store, filter: Filter): Promise<void> {
  const { runPlain } = await import('../../ui/plain.js');
  const { nextFireOf } = await import('../next-fire.js');
  const feed = await runPlain({
    store, clock: systemClock, filter, nextFireAt: (now) => nextFireOf(store, now),
    out: (line) => process.stdout.write(line + '\n'), note: (line) => process.stderr.write(line + '\n'),
  });
  await untilStopped();
  await feed.stop();
}

async function watchDashboard(store: Store, filter: Filter): Promise<void> {
  // Ink draws nothing live when it believes it runs under CI; this is a terminal, so draw.
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (process.env[k] !== undefined) process.env[k] = 'false';
  const { runDashboard } = await import('../../ui/dashboard.js');
  const { nextFireOf } = await import('../next-fire.js');
  await runDashboard({ store, clock: systemClock, filter, nextFireAt: (now) => nextFireOf(store, now) });
}

export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('the live dashboard: tasks by group with their latest run, today\'s counts, the event tail and logs')
    .option('--plain', 'print one line per transition instead (the default when stdout is not a terminal)')
    .option('--state <states>', 'only tasks in these states, comma separated (e.g. FAILED,RUNNING)', parseStates)
    .option('--filter <text>', 'only tasks whose name, group or instance contains this text')
    .addHelpText('after', '\nKeys: arrows/jk move, enter expand, / filter, f state filter, l logs, tab stdout/stderr,\nr force-run (on a group row: a group cycle now), t terminate (asks),\nz freeze today, ? help, q quit.')
    .action(action(async function (this: Command, o: WatchOpts) {
      const filter: Filter = { text: o.filter ?? '', states: o.state ?? [] };
      const plain = o.plain || !process.stdout.isTTY || !process.stdin.isTTY;
      await withStore(this, (store) => (plain ? watchPlain(store, filter) : watchDashboard(store, filter)));
    }));
}
