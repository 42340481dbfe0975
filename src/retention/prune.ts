// Retention: removes final runs older than a cutoff with their attempts, events and log files, and
// other events older than the cutoff, in small transactions so the daemon never waits long.
import { rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, isAbsolute, basename } from 'node:path';
import type { ExpiredRun, Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';

export interface PruneOptions {
  olderThanMs: number;
  now: number;
  dryRun?: boolean;
  batch?: number;
}

export interface PruneResult {
  cutoff: string;
  dry_run: boolean;
  runs: number;
  attempts: number;
  events: number;
  files: number;
  /** Bytes of log files removed (or that would be). */
  log_bytes: number;
  /** Database pages freed for reuse, in bytes (0 on a dry run). */
  db_bytes: number;
}

type Doomed = ExpiredRun;
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export async function prune(store: Store, opts: PruneOptions): Promise<PruneResult> {
  const cutoff = opts.now - opts.olderThanMs;
  const dry = opts.dryRun === true;
  const logs = join(store.home, 'logs');
  const freeBefore = await store.retention.freeBytes();
  const r: PruneResult = { cutoff: new Date(cutoff).toISOString(), dry_run: dry, runs: 0, attempts: 0, events: 0, files: 0, log_bytes: 0, db_bytes: 0 };
  let after = 0;
  for (;;) {
    const batch = await store.retention.expiredRuns(after, cutoff, opts.batch ?? EVENT_DEFAULTS.pruneBatch);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    const ids = batch.map((b) => b.id);
    const counts = dry ? await store.retention.countOfRuns(ids) : await store.retention.removeRuns(ids);
    r.runs += batch.length;
    r.attempts += counts.attempts;
    r.events += counts.events;
    await removeFiles(store, batch, logs, dry, r);
    await yieldToLoop();
  }
  r.events += dry ? await store.retention.countLooseEvents(cutoff) : await deleteOtherEvents(store, cutoff, opts.batch ?? EVENT_DEFAULTS.pruneBatch);
  if (!dry) r.db_bytes = Math.max(0, (await store.retention.freeBytes()) - freeBefore);
  return r;
}

/** Events of no run (task.*, daemon.*, group_run.*…) older than the cutoff, a batch per transaction. Events of kept runs stay. */
async function deleteOtherEvents(store: Store, cutoff: number, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await store.retention.removeLooseEvents(cutoff, batch);
    total += n;
    if (n < batch) return total;
    await yieldToLoop();
  }
}

/**
 * Log files go only when they are under <home>/logs and no kept run writes to the same file (a task
 * whose stdout has no per-run placeholder shares one file across runs).
 */
async function removeFiles(store: Store, batch: Doomed[], logs: string, dry: boolean, r: PruneResult): Promise<void> {
  const ids = batch.map((b) => b.id);
  const paths = new Set(batch.flatMap((b) => [b.stdout_path, b.stderr_path]).filter((p): p is string => p !== null && inside(logs, p)));
  const dirs = new Set<string>();
  for (const path of paths) {
    if (!isDefaultLayout(path, batch) && (await store.retention.fileInUse(path, ids))) continue;
    let size: number;
    try {
      size = statSync(path).size;
      if (!dry) unlinkSync(path);
    } catch {
      continue;
    }
    r.files += 1;
    r.log_bytes += size;
    dirs.add(dirname(path));
  }
  if (!dry) for (const dir of dirs) if (dir !== logs && inside(logs, dir)) tryRmdir(dir);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** `<logs>/<task>/<run>.out|.err`: the default per-run file, which no other run can share. */
function isDefaultLayout(path: string, batch: Doomed[]): boolean {
  const m = /^(\d+)\.(out|err)$/.exec(basename(path));
  const owner = m ? batch.find((b) => b.id === Number(m[1])) : undefined;
  return owner !== undefined && basename(dirname(path)) === owner.task_name;
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or already gone.
  }
}
