// Which queues an online agent serves, so that a run waiting for a queue nobody serves is explained
// (list, show, status) rather than silent.
import type { AgentRow, Store } from '../store/index.js';

/** An agent whose heartbeat (every second) is older than this is offline. */
export const AGENT_OFFLINE_AFTER_MS = 10_000;

export const agentState = (a: AgentRow): 'online' | 'offline' | 'stopped' => (a.stopped_at !== null ? 'stopped' : a.age_ms <= AGENT_OFFLINE_AFTER_MS ? 'online' : 'offline');

export interface Coverage {
  agents: AgentRow[];
  /** Queues an online agent serves. */
  served: ReadonlySet<string>;
  /** Whether any agent is online at all (with none, the daemon is simply not running). */
  anyOnline: boolean;
}

export async function queueCoverage(store: Store): Promise<Coverage> {
  const agents = await store.agents.list();
  const online = agents.filter((a) => agentState(a) === 'online');
  return { agents, served: new Set(online.flatMap((a) => a.queues)), anyOnline: online.length > 0 };
}

/** Whether a queue has an online agent: null when no agent is online at all (nothing runs then, whatever the queue). */
export const queueServed = (c: Coverage, queue: string): boolean | null => (c.anyOnline ? c.served.has(queue) : null);

/** One line for queues that tasks name and no online agent serves; undefined when there are none. */
export function unservedText(c: Coverage, tasks: readonly { name: string; queue: string }[]): string | undefined {
  if (!c.anyOnline) return undefined;
  const byQueue = new Map<string, string[]>();
  for (const t of tasks) if (!c.served.has(t.queue)) byQueue.set(t.queue, [...(byQueue.get(t.queue) ?? []), t.name]);
  if (byQueue.size === 0) return undefined;
  const parts = [...byQueue].map(([q, names]) => `${q} (${names.slice(0, 5).join(', ')}${names.length > 5 ? `, +${names.length - 5}` : ''})`);
  return `no online agent serves queue ${parts.join('; ')}: their runs wait in TRIGGER until one does (see: easytask agents; serve one with easytask daemon --queue NAME, or easytask agent on that host)`;
}
