// Shared plumbing for CLI commands: the home folder, the store, output, and errors as exit codes.
import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { EasyTaskError } from '../core/errors.js';
import type { OpenOptions, Store } from '../store/index.js';

export interface GlobalOptions {
  home?: string;
  store?: string;
}

/** The home folder: --home, else $EASYTASK_HOME, else $XDG_STATE_HOME/easytask, else ~/.local/state/easytask. */
export function resolveHome(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  if (opts.home) return resolve(opts.home);
  if (env.EASYTASK_HOME) return resolve(env.EASYTASK_HOME);
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'easytask');
}

/** The home folder for a command, honouring the global --home option. */
export function homeFor(cmd: Command): string {
  return resolveHome(cmd.optsWithGlobals() as GlobalOptions);
}

/** The shared store a command uses: --store, else $EASYTASK_STORE; undefined for the home's own SQLite file. */
export function storeUrlFor(cmd: Command, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = (cmd.optsWithGlobals() as GlobalOptions).store ?? env.EASYTASK_STORE;
  return url === '' ? undefined : url;
}

/**
 * Open the store for the command's home, run fn, and always close it. Given a home with no store, the
 * command says so (exit 2) and leaves the path alone; commands that add definitions use withHome instead.
 * `opts.readonly` for a command that only reads: it neither takes nor waits for a write lock.
 */
export async function withStore<T>(cmd: Command, fn: (store: Store) => T | Promise<T>, opts: OpenOptions = {}): Promise<T> {
  // Loaded on first use, so commands that need no store (and --help, --version) start fast.
  const { openStore, storePath } = await import('../store/index.js');
  const home = homeFor(cmd);
  const url = storeUrlFor(cmd);
  if (url === undefined && !existsSync(storePath(home))) {
    const what = existsSync(home) ? `${home} (the folder has no ${basename(storePath(home))})` : home;
    throw new EasyTaskError('NOT_FOUND', `there is no EasyTask home at ${what}; easytask insert, import, import-crontab --insert or daemon creates one (another home: --home or EASYTASK_HOME)`, 2);
  }
  const store = await openStore(home, undefined, { ...opts, url });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface HomeAccess {
  home: string;
  /** The home's store, or undefined when it has none yet. */
  store: Store | undefined;
  /** The store, created (with its home) if it is not there yet: call it only when there is something to write. */
  create: () => Promise<Store>;
}

/**
 * For the commands that add definitions: run fn with the home's store if it has one, so the input can be
 * checked before anything is created, and a refused or dry run leaves a missing home missing. Whichever
 * store is open is closed afterwards.
 */
export async function withHome<T>(cmd: Command, fn: (h: HomeAccess) => T | Promise<T>): Promise<T> {
  const { openStore, storePath } = await import('../store/index.js');
  const home = homeFor(cmd);
  const url = storeUrlFor(cmd);
  // A shared database is there already (opening it brings its schema up to date); a home's file may not be.
  const existing = url !== undefined || existsSync(storePath(home)) ? await openStore(home, undefined, { url }) : undefined;
  let store: Promise<Store> | undefined = existing && Promise.resolve(existing);
  try {
    return await fn({ home, store: existing, create: () => (store ??= openStore(home, undefined, { url })) });
  } finally {
    await (await store?.catch(() => undefined))?.close();
  }
}

let stdoutGuarded = false;

/**
 * A reader that goes away (`easytask runs | head -1`) ends the command quietly with status 0, as a closed
 * pipe is the reader saying it has seen enough. Any other write error exits 1 with one line.
 */
export function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    fail(`cannot write output: ${err.message}`, 1);
  });
}

/** Write text to stdout as it is (a closed pipe ends the command quietly). */
export function write(text: string): void {
  guardStdout();
  process.stdout.write(text);
}

export function printJson(value: unknown): void {
  write(JSON.stringify(value, null, 2) + '\n');
}

export function out(line = ''): void {
  write(line + '\n');
}

export function fail(message: string, exitCode: 1 | 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(exitCode);
}

/** Wrap a command action: EasyTaskError -> its message and exit code; anything else -> exit 1. */
export function action<A extends unknown[]>(fn: (this: Command, ...args: A) => Promise<void> | void): (this: Command, ...args: A) => Promise<void> {
  return async function (this: Command, ...args: A) {
    try {
      await fn.apply(this, args);
    } catch (err) {
      if (err instanceof EasyTaskError) fail(err.message, err.exitCode);
      const e = err as Error;
      fail(process.env.EASYTASK_DEBUG ? (e.stack ?? String(e)) : (e.message ?? String(e)), 1);
    }
  };
}

/** Parse a positive integer option value, or exit 2 naming the option. */
export function intOption(name: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/** Render rows as aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
