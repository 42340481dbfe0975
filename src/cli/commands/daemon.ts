// easytask daemon: the scheduler loop and the local agent, in the foreground (for systemd).
import type { Command } from 'commander';
import { join } from 'node:path';
import pkg from '../../../package.json' with { type: 'json' };
import { systemClock } from '../../core/clock.js';
import { DEFAULTS } from '../../core/defaults.js';
import { action, homeFor, intOption, storeUrlFor } from '../context.js';
import { redactUrl } from '../../core/redact-url.js';

interface DaemonOpts {
  queue: string[];
  concurrency: number;
  grace: number;
  killGrace: number;
  poll: number;
  quiet?: boolean;
  sink: string[];
  sinkSecret?: string;
  sinkBatch: number;
  retainDays?: number;
  spawners: number;
}

const stamp = () => new Date(systemClock.now()).toISOString();

export function registerDaemonCommand(program: Command): void {
  program
    .command('daemon')
    .description('run the scheduler and the local agent in the foreground (what systemd runs)')
    .option('--queue <name>', 'also serve this run_on_host queue (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--concurrency <n>', 'most attempts running at once', intOption('--concurrency', 1, 1024), DEFAULTS.concurrency)
    .option('--grace <seconds>', 'on SIGTERM/SIGINT, how long running attempts may finish before they are killed', intOption('--grace', 0, 86400), DEFAULTS.shutdownGraceSeconds)
    .option('--kill-grace <seconds>', 'between SIGTERM and SIGKILL when an attempt times out or is terminated', intOption('--kill-grace', 0, 3600), DEFAULTS.killGraceSeconds)
    .option('--poll <ms>', 'how often to look for changes from other processes', intOption('--poll', 10, 5000), 200)
    .option('--quiet', 'do not print each transition (they stay in the event log: easytask events)')
    .option('--sink <url>', 'POST every event as a CloudEvent to this URL, at least once, in order (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--sink-secret <secret>', 'sign sink deliveries (X-EasyTask-Signature: sha256=HMAC); also $EASYTASK_SINK_SECRET')
    .option('--sink-batch <n>', 'events per POST; more than 1 sends application/cloudevents-batch+json', intOption('--sink-batch', 1, 1000), 1)
    .option('--spawners <n>', 'helper processes that start commands, so starting one never delays the next (0: the daemon starts them itself)', intOption('--spawners', 0, 64), DEFAULTS.spawners)
    .option('--retain-days <n>', 'remove finished runs, their events and log files older than this, hourly', intOption('--retain-days', 1, 36500))
    .addHelpText('after', '\nOne daemon per home: a second one exits 1 naming the running pid.\nStop it with SIGTERM or Ctrl-C: running attempts get --grace seconds, then are TERMINATED (shutdown);\na second SIGTERM or Ctrl-C during the grace terminates them at once.')
    .action(action(async function (this: Command, o: DaemonOpts) {
      const [{ Daemon }, { hostName }, { machineZone }, { openStore }, { SpawnerPool }, { spawnerCommand }] = await Promise.all([
        import('../../daemon/daemon.js'),
        import('../../daemon/lock.js'),
        import('../../definitions/apply.js'),
        import('../../store/index.js'),
        import('../../spawner/pool.js'),
        import('../../spawner/command.js'),
      ]);
      const home = homeFor(this);
      const url = storeUrlFor(this);
      const store = await openStore(home, undefined, { url });
      // Lines logged while the daemon starts (crash recovery, calendar warnings) wait for the
      // banner, which is the first thing printed; a start that fails prints them before the error.
      let held: string[] | undefined = [];
      const log = (line: string) => {
        const text = `${stamp()} ${line}\n`;
        if (held) held.push(text);
        else process.stdout.write(text);
      };
      const release = () => {
        if (held?.length) process.stdout.write(held.join(''));
        held = undefined;
      };
      const launcher = o.spawners > 0 ? new SpawnerPool({ command: spawnerCommand(), size: o.spawners, clock: systemClock, log }) : undefined;
      const daemon = new Daemon(store, systemClock, {
        home, version: pkg.version, queues: o.queue, concurrency: o.concurrency, graceSeconds: o.grace,
        killGraceSeconds: o.killGrace, pollMs: o.poll, machineZone: machineZone(), log,
        logEvent: o.quiet ? undefined : (line) => process.stdout.write(line + '\n'),
        sinks: o.sink.map((url) => ({ url, secret: o.sinkSecret ?? process.env.EASYTASK_SINK_SECRET, batch: o.sinkBatch })),
        retainDays: o.retainDays,
        launcher,
      });
      try {
        await daemon.start();
      } catch (err) {
        release();
        await store.close();
        throw err;
      }
      const tasks = await store.defs.all('task');
      const active = tasks.filter((t) => t.definition.def.active).length;
      process.stdout.write(
        [
          `EasyTask ${pkg.version} daemon`,
          `  home:        ${home}`,
          `  store:       ${store.driver === 'postgres' && url ? redactUrl(url) : join(home, 'easytask.db')}`,
          `  pid:         ${process.pid} on ${hostName()}`,
          `  queues:      ${[...daemon.queueNames()].join(', ')}`,
          `  concurrency: ${o.concurrency}${o.spawners ? `, through ${o.spawners} spawner process(es)` : ', started by the daemon itself'}`,
          `  tasks:       ${active} active, ${tasks.length - active} idle; ${daemon.scheduler.size} scheduled`,
          '',
        ].join('\n'),
      );
      release();
      log('Scheduler service started');
      await new Promise<void>((resolve) => {
        let signals = 0;
        // The first signal starts the grace; a second one (either signal) cuts it short.
        const stop = (signal: string) => {
          if (++signals > 1) {
            const running = daemon.stopNow();
            if (running !== undefined) log(`${signal} received again: terminating ${running} running attempt(s) now`);
            return;
          }
          log(`${signal} received: no new triggers; stopping`);
          daemon.stop(signal).then(resolve, (err) => {
            log(`error while stopping: ${(err as Error).message}`);
            resolve();
          });
        };
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      });
      await store.close();
      log('Shutdown Complete.');
      process.exit(0);
    }));
}
