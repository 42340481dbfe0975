// Finds and kills an attempt's processes by the marker every one of them inherits in its
// environment, including those that left the attempt's process group (setsid, a double fork).
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { readStat } from './process-group.js';

/** Environment entries that name one attempt (EASYTASK_HOME, EASYTASK_RUN_ID, EASYTASK_ATTEMPT). */
export type AttemptMarker = Readonly<Record<string, string>>;

export interface MarkedProcess {
  pid: number;
  /** The process's environment as it was when it started (what /proc shows). */
  env: ReadonlyMap<string, string>;
}

const POLL_MS = 50;
/** How long to wait for marked processes to vanish after SIGKILL. */
const AFTER_KILL_MS = 2000;

/**
 * Every process (not this one, nor one of its ancestors) whose environment passes `test`.
 * Processes of other users are skipped when their environment cannot be read.
 */
export function scanProcesses(test: (env: ReadonlyMap<string, string>) => boolean): MarkedProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const spare = ancestors();
  const found: MarkedProcess[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (spare.has(pid)) continue;
    const env = readEnvironment(pid);
    if (env && test(env) && !isZombie(pid)) found.push({ pid, env });
  }
  return found;
}

/**
 * One read of /proc serves every attempt whose end is handled in the same turn of the event loop
 * (a burst ends many at once); each turn reads it afresh.
 */
let turnScan: MarkedProcess[] | undefined;

function easytaskProcesses(): MarkedProcess[] {
  if (turnScan === undefined) {
    turnScan = scanProcesses((env) => env.size > 0);
    setImmediate(() => (turnScan = undefined));
  }
  return turnScan;
}

/** The processes whose environment holds every entry of `marker`. */
export function markedProcesses(marker: AttemptMarker): number[] {
  const entries = Object.entries(marker);
  if (entries.length === 0) return [];
  return easytaskProcesses()
    .filter((p) => entries.every(([k, v]) => p.env.get(k) === v) && !isZombie(p.pid))
    .map((p) => p.pid);
}

/**
 * SIGTERM every process carrying `marker`, SIGKILL what is left after `graceMs`, and resolve with
 * the pids found once none remains (or a short while after SIGKILL).
 */
export async function killMarkedGracefully(marker: AttemptMarker, graceMs: number): Promise<number[]> {
  const found = markedProcesses(marker);
  if (found.length === 0) return found;
  signal(found, 'SIGTERM');
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    await sleep(POLL_MS);
    if (markedProcesses(marker).length === 0) return found;
  }
  for (let waited = 0; waited < AFTER_KILL_MS; waited += POLL_MS) {
    const left = markedProcesses(marker);
    if (left.length === 0) break;
    signal(left, 'SIGKILL');
    await sleep(POLL_MS);
  }
  return found;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Gone already.
    }
  }
}

function readEnvironment(pid: number): Map<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  if (!text.includes('EASYTASK_')) return new Map();
  const env = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), Buffer.from(entry.slice(eq + 1), 'latin1').toString('utf8'));
  }
  return env;
}

/** Gone or a zombie (exited, not reaped yet): nothing left to kill. */
function isZombie(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z';
}

/** This process and its ancestors: a daemon started from inside a job must not kill its own line. */
function ancestors(): Set<number> {
  const line = new Set<number>([process.pid]);
  for (let pid = process.ppid; pid > 1 && !line.has(pid); pid = readStat(pid)?.ppid ?? 0) line.add(pid);
  return line;
}
