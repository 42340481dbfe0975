// Locates bash once, by absolute path, so a task environment without PATH still starts.
import { accessSync, constants } from 'node:fs';

const CANDIDATES = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash'];
let found: string | undefined;

export function bashPath(): string {
  if (found !== undefined) return found;
  found = CANDIDATES.find((p) => isExecutable(p)) ?? 'bash';
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
