// Retention: removes final runs older than a cutoff with their attempts, events and log files, and
// other events older than the cutoff, in small transactions so the daemon never waits long; before
// that, the runs past the count a task keeps (retain_runs, retain_failures; see by-count.ts).
import { rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, isAbsolute, basename } from 'node:path';
import type { ExpiredRun, Store } from '../store/index.js';
import { EVENT_DEFAULTS } from '../core/defaults.js';
import { pruneByCount } from './by-count.js';

export interface PruneOptions {
  /** Age-based retention: final runs that ended longer ago than this; none when undefined. */
  olderThanMs?: number;
  now: number;
  dryRun?: boolean;
  batch?: number;
}

export interface PruneResult {
  /** The age cutoff, or null when only the counts were applied. */
  cutoff: string | null;
  dry_run: boolean;
  runs: number;
  attempts: number;
  events: number;
  files: number;
  /** Bytes of log files removed (or that would be). */
  log_bytes: number;
  /** Database pages freed for reuse, in bytes (0 on a dry run). */
  db_bytes: number;
  /** Of `runs`, those past a task's retain_runs / retain_failures. */
  by_count: number;
}

type Doomed = ExpiredRun;
export const yieldToLoop = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

export async function prune(store: Store, opts: PruneOptions): Promise<PruneResult> {
  const cutoff = opts.olderThanMs === undefined ? undefined : opts.now - opts.olderThanMs;
  const dry = opts.dryRun === true;
  const batchSize = opts.batch ?? EVENT_DEFAULTS.pruneBatch;
  const freeBefore = await store.retention.freeBytes();
  const r: PruneResult = { cutoff: cutoff === undefined ? null : new Date(cutoff).toISOString(), dry_run: dry, runs: 0, attempts: 0, events: 0, files: 0, log_bytes: 0, db_bytes: 0, by_count: 0 };
  // A dry run removes nothing, so the age pass must not count again what the count pass counted.
  const counted = new Set<number>();
  r.by_count = await pruneByCount(store, { dry, batch: batchSize, counted, take: (batch) => take(store, batch, dry, r) });
  let after = 0;
  for (;;) {
    if (cutoff === undefined) break;
    const found = await store.retention.expiredRuns(after, cutoff, batchSize);
    if (found.length === 0) break;
    after = found.at(-1)!.id;
    const batch = found.filter((b) => !counted.has(b.id));
    if (batch.length) await take(store, batch, dry, r);
    await yieldToLoop();
  }
  if (cutoff !== undefined) r.events += dry ? await store.retention.countLooseEvents(cutoff) : await deleteOtherEvents(store, cutoff, batchSize);
  if (!dry) r.db_bytes = Math.max(0, (await store.retention.freeBytes()) - freeBefore);
  return r;
}

/** Remove (or, on a dry run, count) these runs with their attempts, events and log files. */
async function take(store: Store, batch: Doomed[], dry: boolean, r: PruneResult): Promise<void> {
  const ids = batch.map((b) => b.id);
  const counts = dry ? await store.retention.countOfRuns(ids) : await store.retention.removeRuns(ids);
  r.runs += batch.length;
  r.attempts += counts.attempts;
  r.events += counts.events;
  await removeFiles(store, batch, join(store.home, 'logs'), dry, r);
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
