// The host name in CloudEvents sources, read the way the daemon records it (runs.host, daemon row).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function sourceHost(): string {
  if (cached !== undefined) return cached;
  try {
    cached = readFileSync('/etc/hostname', 'utf8').trim() || 'localhost';
  } catch {
    cached = 'localhost';
  }
  return cached;
}
