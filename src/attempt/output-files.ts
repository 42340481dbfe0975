// Where an attempt's stdout/stderr go, and opening those files for append with an attempt header.
import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
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

export type OpenResult = { ok: true; fd: number } | { ok: false; message: string };

const madeFolders = new Set<string>();

/**
 * Output is its owner's alone, as the database is: files are created 0600 and the folders EasyTask
 * creates for them 0700 (an existing file or folder keeps its mode).
 */
const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

/** mkdir -p once per folder and process: every attempt of a task writes to the same folder. */
function ensureFolder(dir: string): void {
  if (madeFolders.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  madeFolders.add(dir);
}

/** Open for append, making the folder first; a folder removed since (prune drops empty ones) is made again. */
function openInFolder(path: string): number {
  const dir = dirname(path);
  ensureFolder(dir);
  try {
    return openSync(path, 'a+', FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !madeFolders.delete(dir)) throw err;
    ensureFolder(dir);
    return openSync(path, 'a+', FILE_MODE);
  }
}

/**
 * Create the parent folders and open `path` for append; from attempt 2 on, write the attempt
 * header first (on a fresh line if the previous attempt ended mid-line). Synchronous: these are a
 * few fast system calls, and an attempt is spawned right after them, without waiting on the thread
 * pool behind other attempts' spawns.
 */
export function openOutputFile(path: string, label: string, header?: string): OpenResult {
  let fd: number | undefined;
  try {
    fd = openInFolder(path);
    if (header !== undefined) writeHeader(fd, header);
    return { ok: true, fd };
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    return { ok: false, message: `cannot open ${label} file "${path}": ${(err as Error).message}` };
  }
}

function writeHeader(fd: number, header: string): void {
  const { size } = fstatSync(fd);
  let prefix = '';
  if (size > 0) {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) prefix = '\n';
  }
  writeSync(fd, prefix + header);
}
