// A run's output file: which run `logs <run|task>` means, and copying the file while the run is live.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import { isFinal } from '../core/states.js';
import { STORE_FILE, type RunRow, type Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { StoreWatch } from '../events/store-watch.js';

export type LogStream = 'stdout' | 'stderr';

/**
 * A run id (digits naming an existing run), else a task name or tid: its latest run that got as far
 * as TRIGGER, or its latest run of any kind when none did.
 */
export async function findRun(store: Store, ref: string, instance?: string): Promise<RunRow> {
  if (/^\d+$/.test(ref)) {
    const run = await store.runs.get(Number(ref));
    if (run && (instance === undefined || run.instance === instance)) return run;
  }
  let name = ref;
  let inst = instance;
  try {
    const def = (await store.defs.get(ref, instance)).definition;
    if (def.kind === 'task') (name = def.def.name), (inst = def.def.instance);
  } catch {
    // A deleted task still has runs under its name.
  }
  const run = await store.runs.latestShown(name, inst);
  if (!run) throw new EasyTaskError('NOT_FOUND', `no run or task named "${ref}" has any runs`);
  return run;
}

export const pathOf = (run: RunRow, stream: LogStream): string | null => (stream === 'stdout' ? run.stdout_path : run.stderr_path);

export interface LogCopyOptions {
  stream: LogStream;
  follow: boolean;
  /** Write a chunk; false when the reader has gone. */
  write: (chunk: Buffer) => Promise<boolean>;
  pollMs?: number;
  clock?: Clock;
}

export type LogEnd =
  | { kind: 'done'; run: RunRow; path: string; bytes: number }
  | { kind: 'no_output'; run: RunRow }
  | { kind: 'missing'; run: RunRow; path: string }
  | { kind: 'stopped'; run: RunRow };

/** Copies one run's output; when following, keeps copying until the run reaches a final state. */
export class LogFollower {
  private stopped = false;
  private watch: StoreWatch | undefined;
  private handle: FileHandle | undefined;
  private offset = 0;
  private watching = false;

  constructor(
    private readonly store: Store,
    private readonly runId: number,
    private readonly opts: LogCopyOptions,
  ) {}

  async run(): Promise<LogEnd> {
    if (this.opts.follow) this.watch = new StoreWatch(this.store, { clock: this.opts.clock, files: [join(this.store.home, `${STORE_FILE}-wal`)] });
    try {
      return await this.loop();
    } finally {
      await this.handle?.close();
      await this.watch?.close();
    }
  }

  private async loop(): Promise<LogEnd> {
    for (;;) {
      const run = await this.store.runs.get(this.runId);
      if (!run) throw new EasyTaskError('NOT_FOUND', `run ${this.runId} no longer exists`);
      // Read the state before the file: a final state means the file is complete.
      const final = isFinal(run.state);
      const path = pathOf(run, this.opts.stream);
      if (path !== null && !this.handle) this.handle = await openIfExists(path);
      if (this.handle && path !== null) {
        if (!this.watching) (this.watching = true), this.watch?.add(path);
        if (!(await this.copy())) return { kind: 'stopped', run };
      }
      if (this.stopped) return { kind: 'stopped', run };
      if (!this.opts.follow || final) {
        if (path === null) return { kind: 'no_output', run };
        return this.handle ? { kind: 'done', run, path, bytes: this.offset } : { kind: 'missing', run, path };
      }
      await this.watch!.next(this.opts.pollMs ?? EVENT_DEFAULTS.logsPollMs);
    }
  }

  /** Copy what was appended since the last read; false when the reader has gone. */
  private async copy(): Promise<boolean> {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await this.handle!.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return true;
      this.offset += bytesRead;
      if (!(await this.opts.write(Buffer.from(buf.subarray(0, bytesRead))))) return false;
    }
  }

  stop(): void {
    this.stopped = true;
    void this.watch?.close();
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EasyTaskError('STORE', `cannot read ${path}: ${(err as Error).message}`);
  }
}
