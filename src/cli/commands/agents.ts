// easytask agents: each agent (a daemon, or easytask agent) with its host, queues, version, heartbeat,
// live runs, and whether it is online.
import type { Command } from 'commander';
import { action, out, printJson, table, withStore } from '../context.js';

export function registerAgentsCommand(program: Command): void {
  program
    .command('agents')
    .description('list the agents (daemons and easytask agent processes) with their queues, heartbeat and live runs')
    .option('--json', 'print as JSON: [{host, pid, kind, queues, version, started_at, heartbeat_at, heartbeat_age_seconds, live_runs, state}]')
    .addHelpText('after', `\nAn agent is online while its heartbeat (every second) is at most 10 s old; offline after that (hung, cut off\nor killed); stopped once it shut down. Stopped agents are listed for a week.`)
    .action(action(async function (this: Command, o: { json?: boolean }) {
      const { agentState } = await import('../../daemon/queue-coverage.js');
      const agents = await withStore(this, (store) => store.agents.list(), { readonly: true });
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      const rows = agents.map((a) => ({
        host: a.host, pid: a.pid, kind: a.kind, queues: a.queues, version: a.version, started_at: iso(a.started_at), heartbeat_at: iso(a.heartbeat_at),
        heartbeat_age_seconds: Math.round(a.age_ms / 100) / 10, live_runs: a.live_runs, state: agentState(a),
      }));
      if (o.json) return printJson(rows);
      if (rows.length === 0) return out('No agents yet: start one with easytask daemon (or easytask agent --store … on another host).');
      out(table(
        ['HOST', 'PID', 'KIND', 'STATE', 'QUEUES', 'VERSION', 'HEARTBEAT', 'LIVE RUNS'],
        rows.map((r) => [r.host, String(r.pid), r.kind, r.state, r.queues.join(','), r.version, r.state === 'stopped' ? '-' : `${r.heartbeat_age_seconds}s ago`, String(r.live_runs)]),
      ));
    }));
}
