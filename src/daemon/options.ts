// What a daemon (or an agent) is told at start: its home, queues, concurrency, timings and sinks.
import type { AttemptLauncher } from '../attempt/index.js';
import type { LeadershipTiming } from './leadership.js';

export interface DaemonOptions {
  home: string;
  version: string;
  queues: string[];
  concurrency: number;
  graceSeconds: number;
  killGraceSeconds: number;
  /** How often to look for changes made by other processes, ms. */
  pollMs: number;
  machineZone: string;
  log: (line: string) => void;
  /** Prints committed transitions, one line each (possibly several lines in one call; the daemon's console is a view of the event log). */
  logEvent?: (line: string) => void;
  /** Webhook sinks: each event POSTed as a CloudEvent from a durable cursor. */
  sinks?: { url: string; secret?: string; batch?: number }[];
  /** Remove runs, events and logs older than this many days (hourly). */
  retainDays?: number;
  random?: () => number;
  /** Starts attempts (the CLI passes its spawner pool); default: in the daemon's own process. */
  launcher?: AttemptLauncher;
  /** 'daemon' (default): leads when elected and runs attempts; 'agent': runs attempts for its queues only. */
  role?: 'daemon' | 'agent';
  /** How long an attempt stays its agent's without a renewal, ms (default 30 s). */
  leaseMs?: number;
  /** How long after its lease ends a run whose agent went silent is recovered, ms (default 10 s). */
  leaseGraceMs?: number;
  /** Serve metrics, health, the JSON API and the event stream over HTTP here (--http HOST:PORT). */
  http?: { host: string; port: number };
  /** How often daemons campaign to lead, and the leader's lease (a shared store only). */
  leadership?: LeadershipTiming;
}
