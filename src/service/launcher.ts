// The command line that starts this same EasyTask again, for a unit's ExecStart.
import { isSea } from 'node:sea';
import { isAbsolute, resolve } from 'node:path';

/**
 * A single executable is its own launcher (`process.execPath`); otherwise node runs the script it was
 * started with (bin/easytask, or an npm-installed link to it).
 */
export function launcherCommand(argv: readonly string[] = process.argv, execPath = process.execPath, sea = isSea()): string[] {
  if (sea) return [execPath];
  const script = argv[1];
  if (script === undefined || script === '') throw new Error('cannot tell which script started EasyTask (process.argv[1] is empty)');
  return [execPath, isAbsolute(script) ? script : resolve(script)];
}
