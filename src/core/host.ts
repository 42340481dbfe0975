// This machine's host name, as runs, the daemon row, queues and CloudEvents sources all record it.
import { hostname } from 'node:os';

let cached: string | undefined;

export function sourceHost(): string {
  return (cached ??= hostname() || 'localhost');
}
