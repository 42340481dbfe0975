// easytask status: is the daemon up, and what is it doing.
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { action, homeFor, out, printJson, withStore } from '../context.js';

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The exit codes of status, so `easytask status || alert` works: 0 running and responding, 3 not running,
 * 4 running but not responding, 1 the daemon's state could not be read (2 stays bad input: no home there).
 */
export const STATUS_EXIT = { running: 0, unknown: 1, stopped: 3, notResponding: 4 } as const;

/** How long status waits for a read another process's lock holds up (reads wait for no writer in WAL mode). */
const READ_WAIT_MS = 1000;

const EXIT_HELP = `
Exit codes: 0 the daemon is running and responding, 3 it is not running, 4 it is running but not
responding (heartbeat over 10 s old), 1 its state could not be read, 2 no EasyTask home there; --json
exits the same way. status only reads: another process's open transaction does not hold it up.`;

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('daemon health: pid, uptime, heartbeat age (not responding after 10 s), running runs, triggers in the last 24 h')
    .option('--json', 'print as JSON')
    .addHelpText('after', EXIT_HELP)
    .action(action(async function (this: Command, o: { json?: boolean }) {
      const [{ liveOf, readDaemon, responding, degradedState, NOT_RESPONDING_AFTER_MS }, { isLockedError }, { CAUSE_TEXT }] = await Promise.all([
        import('../../daemon/lock.js'),
        import('../../store/index.js'),
        import('../../daemon/store-health.js'),
      ]);
      const home = homeFor(this);
      /** Nothing could be read: the lock holds up even the schema (a store opened with locking_mode EXCLUSIVE). */
      const unread = () => ({
        daemon: 'unknown', responding: null, degraded: null, pid: null, host: null, version: null, started_at: null, uptime_seconds: null,
        heartbeat_age_seconds: null, last_seen: null, running: null, triggers_24h: null, failures_24h: null,
        agents_online: null, unserved_queues: null,
        not_read: ['daemon', 'running', 'triggers_24h', 'failures_24h', 'agents'], home,
      });
      const s = await withStore(this, async (store) => {
        const now = systemClock.now();
        // The fields that could not be read, each left null: a lock that holds up one read holds up the rest,
        // so after the first the others do not wait.
        const notRead: string[] = [];
        const read = async <T>(fields: string[], fn: () => Promise<T>): Promise<T | undefined> => {
          try {
            return await fn();
          } catch (err) {
            if (!isLockedError(err)) throw err;
            notRead.push(...fields);
            store.noWait();
            return undefined;
          }
        };
        const d = await read(['daemon'], async () => {
          const row = await readDaemon(store);
          return { row, live: liveOf(row) };
        });
        const running = await read(['running'], () => store.runs.inStates(['STARTED', 'RUNNING']));
        const counts = await read(['triggers_24h', 'failures_24h'], () => store.events.countSince(['run.triggered', 'run.failed'], now - 86_400_000));
        const agents = await read(['agents'], async () => {
          const { queueCoverage, unservedText } = await import('../../daemon/queue-coverage.js');
          const c = await queueCoverage(store);
          const waiting = await store.runs.inStates(['TRIGGER']);
          const tasks = (await store.defs.all('task')).flatMap(({ definition: d }) => (d.kind === 'task' && d.def.active ? [{ name: d.def.name, queue: d.def.run_on_host }] : []));
          const unserved = c.anyOnline ? [...new Set(tasks.map((t) => t.queue))].filter((q) => !c.served.has(q)) : [];
          return {
            online: c.agents.filter((a) => a.stopped_at === null && a.age_ms <= 10_000).length,
            unserved: unserved.map((q) => ({ queue: q, tasks: tasks.filter((t) => t.queue === q).map((t) => t.name), waiting_runs: waiting.filter((r) => r.queue === q).length })),
            text: unservedText(c, tasks),
          };
        });
        const triggers = counts?.['run.triggered'];
        const failures = counts?.['run.failed'];
        const live = d?.live;
        const row = d?.row;
        const degraded = degradedState(store, live, now);
        return {
          daemon: d === undefined ? 'unknown' : live ? 'running' : 'stopped',
          responding: live ? responding(live, now) : null,
          // Why a live daemon cannot write (disk full, database locked) and since when; null when it can.
          degraded: degraded ? { cause: degraded.cause, since: iso(degraded.since), code: degraded.code, message: degraded.message, inferred: degraded.inferred } : null,
          pid: live?.pid ?? null,
          host: row?.host ?? null,
          version: row?.version ?? null,
          started_at: iso(live?.started_at),
          uptime_seconds: live ? Math.round((now - live.started_at) / 1000) : null,
          heartbeat_age_seconds: live ? Math.round((now - live.heartbeat_at) / 100) / 10 : null,
          last_seen: iso(row?.heartbeat_at),
          running: running?.map((r) => ({ id: r.id, task: r.task_name, state: r.state, pid: r.pid, attempt: r.attempt, started_at: iso(r.started_at) })) ?? null,
          triggers_24h: triggers ?? null,
          failures_24h: failures ?? null,
          // Agents online now (the daemon itself, and on a shared store every daemon and agent), and the queues of active tasks none of them serves.
          agents_online: agents?.online ?? null,
          unserved_queues: agents?.unserved ?? null,
          unserved_text: agents?.text,
          not_read: notRead,
          home: store.home,
          store: store.driver,
        };
      }, { readonly: true, busyTimeoutMs: READ_WAIT_MS }).catch((err: unknown) => {
        if (isLockedError(err)) return unread();
        throw err;
      });
      process.exitCode =
        s.daemon === 'unknown' ? STATUS_EXIT.unknown
        : s.daemon === 'stopped' ? STATUS_EXIT.stopped
        : s.responding ? STATUS_EXIT.running
        : STATUS_EXIT.notResponding;
      const { unserved_text: unservedLine, ...json } = s as typeof s & { unserved_text?: string };
      if (o.json) return printJson(json);
      const locked = '(the store is locked by another process)';
      if (s.daemon === 'unknown') {
        out(`Daemon state unknown: could not read the daemon's heartbeat ${locked}`);
      } else if (s.daemon === 'running' && !s.responding) {
        out(`Daemon not responding: pid ${s.pid} on ${s.host} is alive but its last heartbeat was ${s.heartbeat_age_seconds}s ago (it beats every second; more than ${NOT_RESPONDING_AFTER_MS / 1000}s means hung or suspended)`);
      } else if (s.daemon === 'running') {
        out(`Daemon running: pid ${s.pid} on ${s.host}, version ${s.version}, up ${duration(s.uptime_seconds! * 1000)}, heartbeat ${s.heartbeat_age_seconds}s ago`);
      } else {
        out(`Daemon not running${s.last_seen ? ` (last seen ${s.last_seen})` : ''}. Start it with: easytask daemon`);
      }
      if (s.degraded) out(`Daemon degraded: ${CAUSE_TEXT[s.degraded.cause]} since ${s.degraded.since} (${s.degraded.code}: ${s.degraded.message}); it retries with backoff until the store takes writes again`);
      out(`Home: ${s.home}`);
      if (s.running === null) out(`Running: unknown (could not read the runs ${locked})`);
      else out(`Running: ${s.running.length}${s.running.map((r) => `\n  run ${r.id} ${r.task} ${r.state} pid ${r.pid ?? '-'} attempt ${r.attempt}`).join('')}`);
      if (s.triggers_24h === null || s.failures_24h === null) out(`Last 24 h: unknown (could not read the events ${locked})`);
      else out(`Last 24 h: ${s.triggers_24h} triggered, ${s.failures_24h} failed`);
      if ('store' in s && s.store === 'postgres' && s.agents_online !== null) out(`Agents online: ${s.agents_online} (see: easytask agents); the daemon above is the leader`);
      if (unservedLine) out(`warning: ${unservedLine}`);
    }));
}
