// Retention: removes final runs older than a cutoff with their attempts, events and log files, and
// other events older than the cutoff, in small transactions so the daemon never waits long.
import { rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, isAbsolute, basename } from 'node:path';
import { FINAL_STATES } from '../core/states.js';
import type { Store } from '../store/index.js';
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

interface Doomed {
  id: number;
  task_name: string;
  stdout_path: string | null;
  stderr_path: string | null;
}

const FINAL_SQL = FINAL_STATES.map((s) => `'${s}'`).join(', ');
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

export async function prune(store: Store, opts: PruneOptions): Promise<PruneResult> {
  const cutoff = opts.now - opts.olderThanMs;
  const dry = opts.dryRun === true;
  const logs = join(store.home, 'logs');
  const freeBefore = freeBytes(store);
  const r: PruneResult = { cutoff: new Date(cutoff).toISOString(), dry_run: dry, runs: 0, attempts: 0, events: 0, files: 0, log_bytes: 0, db_bytes: 0 };
  const select = store.db.prepare(
    `SELECT id, task_name, stdout_path, stderr_path FROM runs
     WHERE id > ? AND state IN (${FINAL_SQL}) AND COALESCE(ended_at, created_at) < ?
       -- a task's newest scheduled run stays: the scheduler resumes from it after a restart
       AND id NOT IN (SELECT MAX(id) FROM runs WHERE origin = 'schedule' GROUP BY task_id, instance)
     ORDER BY id LIMIT ?`,
  );
  let after = 0;
  for (;;) {
    const batch = select.all(after, cutoff, opts.batch ?? EVENT_DEFAULTS.pruneBatch) as Doomed[];
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    const counts = dry ? countRuns(store, batch) : deleteRuns(store, batch);
    r.runs += batch.length;
    r.attempts += counts.attempts;
    r.events += counts.events;
    removeFiles(store, batch, logs, dry, r);
    await yieldToLoop();
  }
  r.events += dry ? countOtherEvents(store, cutoff) : await deleteOtherEvents(store, cutoff, opts.batch ?? EVENT_DEFAULTS.pruneBatch);
  if (!dry) r.db_bytes = Math.max(0, freeBytes(store) - freeBefore);
  return r;
}

function freeBytes(store: Store): number {
  const pages = store.db.pragma('freelist_count', { simple: true }) as number;
  const size = store.db.pragma('page_size', { simple: true }) as number;
  return pages * size;
}

const idList = (batch: Doomed[]) => batch.map((b) => b.id).join(',');

function countRuns(store: Store, batch: Doomed[]): { attempts: number; events: number } {
  const ids = idList(batch);
  const a = store.db.prepare(`SELECT COUNT(*) AS n FROM attempts WHERE run_id IN (${ids})`).get() as { n: number };
  const e = store.db.prepare(`SELECT COUNT(*) AS n FROM events WHERE run_id IN (${ids})`).get() as { n: number };
  return { attempts: a.n, events: e.n };
}

function deleteRuns(store: Store, batch: Doomed[]): { attempts: number; events: number } {
  const ids = idList(batch);
  return store.tx(() => {
    const attempts = store.db.prepare(`DELETE FROM attempts WHERE run_id IN (${ids})`).run().changes;
    const events = store.db.prepare(`DELETE FROM events WHERE run_id IN (${ids})`).run().changes;
    store.db.prepare(`DELETE FROM runs WHERE id IN (${ids})`).run();
    return { attempts, events };
  });
}

/** Events of no run (task.*, daemon.*, group_run.*…) older than the cutoff. Events of kept runs stay. */
function countOtherEvents(store: Store, cutoff: number): number {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM events WHERE time < ? AND run_id IS NULL').get(cutoff) as { n: number }).n;
}

async function deleteOtherEvents(store: Store, cutoff: number, batch: number): Promise<number> {
  const del = store.db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < ? AND run_id IS NULL LIMIT ?)');
  let total = 0;
  for (;;) {
    const n = store.tx(() => del.run(cutoff, batch).changes);
    total += n;
    if (n < batch) return total;
    await yieldToLoop();
  }
}

/**
 * Log files go only when they are under <home>/logs and no kept run writes to the same file (a task
 * whose stdout has no per-run placeholder shares one file across runs).
 */
function removeFiles(store: Store, batch: Doomed[], logs: string, dry: boolean, r: PruneResult): void {
  const shared = store.db.prepare('SELECT 1 FROM runs WHERE (stdout_path = ? OR stderr_path = ?) AND id NOT IN (' + idList(batch) + ') LIMIT 1');
  const paths = new Set(batch.flatMap((b) => [b.stdout_path, b.stderr_path]).filter((p): p is string => p !== null && inside(logs, p)));
  const dirs = new Set<string>();
  for (const path of paths) {
    if (!isDefaultLayout(path, batch) && shared.get(path, path)) continue;
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
