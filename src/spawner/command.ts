// How the daemon starts a spawner: the same executable, asked to act as one.
import { isSea } from 'node:sea';
import { SPAWNER_ARG } from './protocol.js';

/** [file, ...args] that runs this program as a spawner (a single executable, or node + launcher). */
export function spawnerCommand(): string[] {
  if (isSea()) return [process.execPath, SPAWNER_ARG];
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot tell which script is running, so no spawner can be started');
  // Node options the daemon was started with (a heap limit, a profiler) apply to its spawners too.
  return [process.execPath, ...process.execArgv, entry, SPAWNER_ARG];
}
