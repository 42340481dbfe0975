// Signals and liveness for whole process groups: how an attempt's process tree is found and killed.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 50;
/** How long to wait for the group to vanish after SIGKILL before giving up on it. */
const AFTER_KILL_MS = 2000;

/** A pid or pgid we may signal: never 0 or 1, which would hit our own group or every process. */
function signalable(pid: number): boolean {
  return Number.isInteger(pid) && pid > 1;
}

/** Send `signal` to every process in group `pgid`. False when the group no longer exists. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals | 0 = 'SIGTERM'): boolean {
  if (!signalable(pgid)) throw new RangeError(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return true;
    return false;
  }
}

/** Is the process there and not a zombie (an exited child nobody reaped yet counts as gone)? */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid < 1) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readStat(pid);
  return stat === undefined ? true : stat.state !== 'Z';
}

/** Does any live (non-zombie) process remain in group `pgid`? Reads /proc where there is one. */
export function isProcessGroupAlive(pgid: number): boolean {
  if (!signalable(pgid)) return false;
  // Fast path: no process at all in the group (the usual end of an attempt); only a "yes" needs
  // the /proc scan, because a zombie nobody reaped still counts as a member for kill().
  if (!killProcessGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return killProcessGroup(pgid, 0);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') return true;
  }
  return false;
}

export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
}

/** A process's state, parent and group from /proc, or undefined when it is gone (or there is no /proc). */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so cut at the last `)`.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Resolve once the group is gone, or false after `ms`. */
export async function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  for (let waited = 0; ; waited += POLL_MS) {
    if (!isProcessGroupAlive(pgid)) return true;
    if (waited >= ms) return false;
    await sleep(POLL_MS);
  }
}

/**
 * SIGTERM the group, SIGKILL it if anything is left after `graceMs`, and resolve once no member
 * remains (or a short while after SIGKILL; a process stuck in the kernel cannot be waited for).
 */
export async function killGroupGracefully(pgid: number, graceMs: number): Promise<'gone' | 'killed' | 'stuck'> {
  if (!isProcessGroupAlive(pgid)) return 'gone';
  killProcessGroup(pgid, 'SIGTERM');
  if (await waitForGroupExit(pgid, graceMs)) return 'gone';
  killProcessGroup(pgid, 'SIGKILL');
  return (await waitForGroupExit(pgid, AFTER_KILL_MS)) ? 'killed' : 'stuck';
}
