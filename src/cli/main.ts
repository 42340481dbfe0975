// The easytask command line: every command registered on one commander program.
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { registerBackfillCommand } from './commands/backfill.js';
import { registerCalendarCommand } from './commands/calendar.js';
import { registerControlCommands } from './commands/control.js';
import { registerHttpTokenCommand } from './commands/http-token.js';
import { registerDaemonCommand } from './commands/daemon.js';
import { registerDefinitionCommands } from './commands/definitions.js';
import { registerManageCommands } from './commands/manage.js';
import { registerNextCommand } from './commands/next.js';
import { registerReadCommands } from './commands/read.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerEventsCommand } from './commands/events.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerPruneCommand } from './commands/prune.js';
import { registerStatusCommand } from './commands/status.js';
import { registerAgentsCommand } from './commands/agents.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerWatchCommand } from './commands/watch.js';
import { registerServiceCommand } from './commands/service.js';
import { registerImportCrontabCommand } from './commands/import-crontab.js';
import { SPAWNER_ARG } from '../spawner/protocol.js';
import { guardStdout } from './context.js';

export function buildProgram(): Command {
  const program = new Command('easytask')
    .description('A cron replacement: JSON task definitions, a scheduler and agents, every transition recorded as an event; one server on a SQLite file, or many sharing a PostgreSQL database.')
    .version(pkg.version, '-V, --version', 'print the version')
    .option('--home <dir>', 'state folder (default: $EASYTASK_HOME, else $XDG_STATE_HOME/easytask, else ~/.local/state/easytask)')
    .option('--store <url>', 'a PostgreSQL database shared by several hosts, postgres://user@host:port/db (default: $EASYTASK_STORE, else the SQLite file in the home)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  registerDefinitionCommands(program);
  registerManageCommands(program);
  registerReadCommands(program);
  registerSyncCommands(program);
  registerNextCommand(program);
  registerCalendarCommand(program);
  registerDaemonCommand(program);
  registerHttpTokenCommand(program);
  registerControlCommands(program);
  registerBackfillCommand(program);
  registerStatusCommand(program);
  registerAgentsCommand(program);
  registerRunsCommand(program);
  registerEventsCommand(program);
  registerLogsCommand(program);
  registerPruneCommand(program);
  registerWatchCommand(program);
  registerImportCrontabCommand(program);
  registerServiceCommand(program);
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 failure, 2 bad input; status also 3 (daemon not running), 4 (not responding).
Quick start:
  easytask insert examples/hello.json     add a task
  easytask list                           see tasks, next trigger and last run
  easytask daemon                         run the scheduler and agent in the foreground`,
  );
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // `easytask --help | head` ends quietly like any read command. The daemon and its spawners keep
  // the default: a log or protocol pipe that closes under them is an error worth seeing.
  if (!argv.includes('daemon') && !argv.includes(SPAWNER_ARG)) guardStdout();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; every usage mistake is bad input (exit 2).
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exit(ok ? 0 : err.exitCode === 0 ? 0 : 2);
    }
    throw err;
  }
}

const run = process.argv[2] === SPAWNER_ARG ? import('../spawner/main.js').then((m) => m.runSpawner()) : main(process.argv);
run.catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
