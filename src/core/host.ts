// This machine's host name, as runs, the daemon row, queues and CloudEvents sources all record it:
// EASYTASK_HOSTNAME when set (several "hosts" on one machine, a name that differs from the kernel's), else the OS's.
import { hostname } from 'node:os';

let cached: string | undefined;

export function sourceHost(): string {
  return (cached ??= process.env.EASYTASK_HOSTNAME || hostname() || 'localhost');
}
