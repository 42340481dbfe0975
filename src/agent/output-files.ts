// Where an attempt's stdout/stderr go, and opening those files for append with an attempt header.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface OutputPathInput {
  home: string;
  taskName: string;
  runId: number | string;
  /** The task's `stdout` / `stderr`, placeholders already resolved. */
  stdout?: string;
  stderr?: string;
}

export interface OutputPaths {
  stdoutPath: string;
  stderrPath: string;
}

/** Defaults `<home>/logs/<task>/<run>.out|.err`; a relative path is under `<home>/logs/`. */
export function resolveOutputPaths(input: OutputPathInput): OutputPaths {
  const logs = join(input.home, 'logs');
  const pick = (given: string | undefined, ext: string): string => {
    if (given === undefined || given === '') return join(logs, input.taskName, `${input.runId}.${ext}`);
    return isAbsolute(given) ? given : resolve(logs, given);
  };
  return { stdoutPath: pick(input.stdout, 'out'), stderrPath: pick(input.stderr, 'err') };
}

/** The line that separates attempts in a shared output file (attempt 2 onwards). */
export function attemptHeader(attempt: number, startedAt: number): string {
  return `--- attempt ${attempt} started ${new Date(startedAt).toISOString()} ---\n`;
}

export type OpenResult = { ok: true; handle: FileHandle } | { ok: false; message: string };

/**
 * Create the parent folders and open `path` for append; from attempt 2 on, write the attempt
 * header first (on a fresh line if the previous attempt ended mid-line).
 */
const madeFolders = new Set<string>();

/** mkdir -p once per folder and process: every attempt of a task writes to the same folder. */
async function ensureFolder(dir: string): Promise<void> {
  if (madeFolders.has(dir)) return;
  await mkdir(dir, { recursive: true });
  madeFolders.add(dir);
}

export async function openOutputFile(path: string, label: string, header?: string): Promise<OpenResult> {
  let handle: FileHandle | undefined;
  try {
    await ensureFolder(dirname(path));
    handle = await open(path, 'a+', 0o644);
    if (header !== undefined) await writeHeader(handle, header);
    return { ok: true, handle };
  } catch (err) {
    await handle?.close().catch(() => undefined);
    return { ok: false, message: `cannot open ${label} file "${path}": ${(err as Error).message}` };
  }
}

async function writeHeader(handle: FileHandle, header: string): Promise<void> {
  const { size } = await handle.stat();
  let prefix = '';
  if (size > 0) {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) prefix = '\n';
  }
  await handle.appendFile(prefix + header);
}
