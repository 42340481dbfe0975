// easytask daemon / easytask agent: the scheduler loop and an agent, or an agent alone, in the
// foreground (what systemd runs).
import type { Command } from 'commander';
import { join } from 'node:path';
import pkg from '../../../package.json' with { type: 'json' };
import { every, systemClock } from '../../core/clock.js';
import { DEFAULTS } from '../../core/defaults.js';
import { redactUrl } from '../../core/redact-url.js';
import { action, homeFor, intOption, storeUrlFor } from '../context.js';

interface RunnerOpts {
  queue: string[];
  concurrency: number;
  grace: number;
  killGrace: number;
  poll: number;
  quiet?: boolean;
  spawners?: number;
  lease: number;
  leaseGrace: number;
  leaderLease?: number;
  sink?: string[];
  sinkSecret?: string;
  sinkBatch?: number;
  retainDays?: number;
  http?: string;
}

const stamp = () => new Date(systemClock.now()).toISOString();
const repeat = (v: string, acc: string[]) => [...acc, v];

/** The options a daemon and an agent share. */
function agentOptions(cmd: Command): Command {
  return cmd
    .option('--queue <name>', 'also serve this run_on_host queue (repeatable)', repeat, [] as string[])
    .option('--concurrency <n>', 'most attempts running at once', intOption('--concurrency', 1, 1024), DEFAULTS.concurrency)
    .option('--grace <seconds>', 'on SIGTERM/SIGINT, how long running attempts may finish before they are killed', intOption('--grace', 0, 86400), DEFAULTS.shutdownGraceSeconds)
    .option('--kill-grace <seconds>', 'between SIGTERM and SIGKILL when an attempt times out or is terminated', intOption('--kill-grace', 0, 3600), DEFAULTS.killGraceSeconds)
    .option('--poll <ms>', 'how often to look for changes from other processes', intOption('--poll', 10, 5000), 200)
    .option('--quiet', 'do not print each transition (they stay in the event log: easytask events)')
    .option('--spawners <n>', 'helper processes that start commands, so starting one never delays the next (0: the daemon starts them itself; an agent, which cannot tell when work comes, defaults to 0)', intOption('--spawners', 0, 64))
    .option('--lease <seconds>', "how long an attempt stays this agent's without renewing it (it renews every third of that; one it cannot renew is killed before the lease ends)", intOption('--lease', 1, 3600), 30)
    .option('--http <host:port>', 'serve Prometheus metrics (/metrics), a health check (/healthz), the JSON API (/api/…) and the event stream here, e.g. 127.0.0.1:9465 (port 0: a free one); POSTs need a token from <home>/http-tokens (easytask http-token), and every request does when HOST is not loopback')
    .option('--lease-grace <seconds>', 'how long after a lease ends the leader recovers the run of a silent agent (FAILED lost, or retried)', intOption('--lease-grace', 0, 3600), 10);
}

export function registerDaemonCommand(program: Command): void {
  agentOptions(program.command('daemon').description('run the scheduler and an agent in the foreground (what systemd runs); with --store, one of several daemons sharing a database, of which one leads'))
    .option('--sink <url>', 'POST every event as a CloudEvent to this URL, at least once, in order (repeatable)', repeat, [] as string[])
    .option('--sink-secret <secret>', 'sign sink deliveries (X-EasyTask-Signature: sha256=HMAC); also $EASYTASK_SINK_SECRET')
    .option('--sink-batch <n>', 'events per POST; more than 1 sends application/cloudevents-batch+json', intOption('--sink-batch', 1, 1000), 1)
    .option('--retain-days <n>', 'remove finished runs, their events and log files older than this, hourly', intOption('--retain-days', 1, 36500))
    .option('--leader-lease <seconds>', 'with --store: how long the leader leads without renewing; a leader silent longer is replaced', intOption('--leader-lease', 2, 600), 10)
    .addHelpText(
      'after',
      '\nOne daemon per home: a second one exits 1 naming the running pid. With --store postgres://…, several\ndaemons (on several hosts) share one database: one is elected leader and schedules; each runs the runs of\nits queues (its host name, localhost, and --queue names).\nStop it with SIGTERM or Ctrl-C: running attempts get --grace seconds, then are TERMINATED (shutdown);\na second SIGTERM or Ctrl-C during the grace terminates them at once.',
    )
    .action(action(async function (this: Command, o: RunnerOpts) {
      await runProcess(this, o, 'daemon');
    }));
  agentOptions(program.command('agent').description('run only an agent on this host: it runs the runs of its queues (its host name and --queue names) from a shared store'))
    .addHelpText('after', '\nNeeds --store postgres://… (or EASYTASK_STORE): the leader, one of the daemons sharing the database, schedules\nand triggers; agents accept and run. Stop it as a daemon: SIGTERM or Ctrl-C, --grace for running attempts.')
    .action(action(async function (this: Command, o: RunnerOpts) {
      await runProcess(this, o, 'agent');
    }));
}

async function runProcess(cmd: Command, o: RunnerOpts, role: 'daemon' | 'agent'): Promise<void> {
  const [{ Daemon }, { hostName }, { machineZone }, { openStore }, { SpawnerPool }, { spawnerCommand }, { AlignedClock }, { EasyTaskError }] = await Promise.all([
    import('../../daemon/daemon.js'),
    import('../../daemon/lock.js'),
    import('../../definitions/apply.js'),
    import('../../store/index.js'),
    import('../../spawner/pool.js'),
    import('../../spawner/command.js'),
    import('../../daemon/aligned-clock.js'),
    import('../../core/errors.js'),
  ]);
  const home = homeFor(cmd);
  const url = storeUrlFor(cmd);
  if (role === 'agent' && url === undefined) {
    throw new EasyTaskError('BAD_INPUT', 'easytask agent runs beside daemons sharing a database: pass --store postgres://… (or set EASYTASK_STORE); on one server, easytask daemon is the agent', 2);
  }
  const clock = new AlignedClock(systemClock);
  const store = await openStore(home, clock, { url });
  const http = o.http === undefined ? undefined : await checkHttp(o.http, home).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
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
  // On a shared store the database's clock is every host's wall clock (a host minutes off still fires on time).
  const cluster = store.cluster;
  const align = async () => {
    if (!cluster) return;
    const offset = await clock.align(() => cluster.now());
    if (Math.abs(offset) > 1000) log(`this host's clock is ${Math.abs(offset) / 1000}s ${offset > 0 ? 'behind' : 'ahead of'} the database's; the database's is used`);
  };
  await align();
  // A daemon warms its spawners before the fires it schedules; an agent cannot tell when work comes, so it starts commands itself unless told otherwise.
  o.spawners ??= role === 'agent' ? 0 : DEFAULTS.spawners;
  const launcher = o.spawners > 0 ? new SpawnerPool({ command: spawnerCommand(), size: o.spawners, clock, log }) : undefined;
  const daemon = new Daemon(store, clock, {
    home, version: pkg.version, queues: o.queue, concurrency: o.concurrency, graceSeconds: o.grace, role,
    killGraceSeconds: o.killGrace, pollMs: o.poll, machineZone: machineZone(), log,
    logEvent: o.quiet ? undefined : (line) => process.stdout.write(line + '\n'),
    sinks: (o.sink ?? []).map((u) => ({ url: u, secret: o.sinkSecret ?? process.env.EASYTASK_SINK_SECRET, batch: o.sinkBatch })),
    retainDays: o.retainDays,
    leaseMs: o.lease * 1000,
    leaseGraceMs: o.leaseGrace * 1000,
    ...(o.leaderLease ? { leadership: { intervalMs: Math.min(1000, (o.leaderLease * 1000) / 4), leaseMs: o.leaderLease * 1000 } } : {}),
    launcher,
    ...(http ? { http } : {}),
  });
  try {
    await daemon.start();
  } catch (err) {
    release();
    await store.close();
    throw err;
  }
  const realign = cluster ? every(clock, 60_000, () => void align().catch(() => undefined)) : undefined;
  const tasks = await store.defs.all('task');
  const active = tasks.filter((t) => t.definition.def.active).length;
  process.stdout.write(
    [
      `EasyTask ${pkg.version} ${role}`,
      `  home:        ${home}`,
      `  store:       ${store.driver === 'postgres' && url ? redactUrl(url) : join(home, 'easytask.db')}`,
      `  pid:         ${process.pid} on ${hostName()}`,
      `  queues:      ${[...daemon.queueNames()].join(', ')}`,
      `  concurrency: ${o.concurrency}${o.spawners ? `, through ${o.spawners} spawner process(es)` : `, started by the ${role} itself`}`,
      `  tasks:       ${active} active, ${tasks.length - active} idle; ${daemon.scheduler ? `${daemon.scheduler.size} scheduled` : 'scheduled by the leader'}`,
      '',
    ].join('\n'),
  );
  release();
  log(role === 'agent' ? 'Agent started' : 'Scheduler service started');
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
      realign?.cancel();
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
}

/** --http: the address, and the token file readable by its owner only (created with a default token). */
async function checkHttp(text: string, home: string): Promise<{ host: string; port: number }> {
  const [{ parseListen }, { ensureToken }] = await Promise.all([import('../../http/server.js'), import('../../http/tokens.js')]);
  const at = parseListen(text);
  ensureToken(home, 'default');
  return at;
}
