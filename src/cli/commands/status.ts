// easytask status: is the daemon up, and what is it doing.
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { action, out, printJson, withStore } from '../context.js';

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('daemon health: pid, uptime, heartbeat age (not responding after 10 s), running runs, triggers in the last 24 h')
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, o: { json?: boolean }) {
      const { liveDaemon, readDaemon, responding, degradedState, NOT_RESPONDING_AFTER_MS } = await import('../../daemon/lock.js');
      const { CAUSE_TEXT } = await import('../../daemon/store-health.js');
      const s = await withStore(this, (store) => {
        const now = systemClock.now();
        const row = readDaemon(store);
        const live = liveDaemon(store);
        const degraded = degradedState(store, live, now);
        const running = store.runs.inStates(['STARTED', 'RUNNING']);
        const triggers = (store.db.prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'run.triggered' AND time >= ?`).get(now - 86_400_000) as { n: number }).n;
        const failures = (store.db.prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'run.failed' AND time >= ?`).get(now - 86_400_000) as { n: number }).n;
        return {
          daemon: live ? 'running' : 'stopped',
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
          running: running.map((r) => ({ id: r.id, task: r.task_name, state: r.state, pid: r.pid, attempt: r.attempt, started_at: iso(r.started_at) })),
          triggers_24h: triggers,
          failures_24h: failures,
          home: store.home,
        };
      });
      if (o.json) return printJson(s);
      if (s.daemon === 'running' && !s.responding) {
        out(`Daemon not responding: pid ${s.pid} on ${s.host} is alive but its last heartbeat was ${s.heartbeat_age_seconds}s ago (it beats every second; more than ${NOT_RESPONDING_AFTER_MS / 1000}s means hung or suspended)`);
      } else if (s.daemon === 'running') {
        out(`Daemon running: pid ${s.pid} on ${s.host}, version ${s.version}, up ${duration(s.uptime_seconds! * 1000)}, heartbeat ${s.heartbeat_age_seconds}s ago`);
      } else {
        out(`Daemon not running${s.last_seen ? ` (last seen ${s.last_seen})` : ''}. Start it with: easytask daemon`);
      }
      if (s.degraded) out(`Daemon degraded: ${CAUSE_TEXT[s.degraded.cause]} since ${s.degraded.since} (${s.degraded.code}: ${s.degraded.message}); it retries with backoff until the store takes writes again`);
      out(`Home: ${s.home}`);
      out(`Running: ${s.running.length}${s.running.map((r) => `\n  run ${r.id} ${r.task} ${r.state} pid ${r.pid ?? '-'} attempt ${r.attempt}`).join('')}`);
      out(`Last 24 h: ${s.triggers_24h} triggered, ${s.failures_24h} failed`);
    }));
}
