// Whether the store takes writes: a full disk or a locked database makes the daemon degraded until a
// write succeeds again. The failing pass backs off instead of spinning, and the console says so once
// when the fault starts and once when it ends, never once per attempt.
import type { Clock } from '../core/clock.js';

/** Why writes fail. */
export type DegradedCause = 'disk_full' | 'database_locked' | 'io_error' | 'read_only' | 'database_unreachable';

/** The daemon's degraded state, as the heartbeat row, `status` and the events carry it. */
export interface Degraded {
  cause: DegradedCause;
  /** Epoch ms of the first failed write. */
  since: number;
  /** The error code: SQLITE_FULL, SQLITE_BUSY, ENOSPC, … */
  code: string;
  message: string;
  /** What the daemon was doing when the first write failed. */
  while: string;
}

export const CAUSE_TEXT: Readonly<Record<DegradedCause, string>> = {
  disk_full: 'disk full',
  database_locked: 'database locked',
  io_error: 'I/O error',
  read_only: 'store read-only',
  database_unreachable: 'database unreachable',
};

/** The first retry of a failing pass waits this long; each failure doubles it up to BACKOFF_MAX_MS. */
export const BACKOFF_MIN_MS = 250;
export const BACKOFF_MAX_MS = 5000;

/** The delay after `failures` consecutive failures (1, 2, …): 250 ms doubling to 5 s. */
export function backoffMs(failures: number, min = BACKOFF_MIN_MS, max = BACKOFF_MAX_MS): number {
  return Math.min(max, min * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

/** The fault a write error stands for, or undefined when it is no store fault (a bug, a conflict). */
export function classifyStoreError(err: unknown): { cause: DegradedCause; code: string; message: string } | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const as = (cause: DegradedCause, fallback: string) => ({ cause, code: code || fallback, message });
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || /database or disk is full|no space left on device/i.test(message)) return as('disk_full', 'SQLITE_FULL');
  if (/^SQLITE_(BUSY|LOCKED)/.test(code) || /database (table )?is (locked|busy)/i.test(message)) return as('database_locked', 'SQLITE_BUSY');
  if (/^SQLITE_READONLY/.test(code) || code === 'EROFS') return as('read_only', code);
  if (/^SQLITE_IOERR/.test(code) || code === 'EIO') return as('io_error', code);
  // PostgreSQL (SQLSTATE classes and the client's socket errors).
  if (code === '53100') return as('disk_full', code);
  if (code === '55P03' || code === '57014') return as('database_locked', code);
  if (code === '25006') return as('read_only', code);
  if (/^(08|57P)/.test(code) || code === '53300' || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return as('database_unreachable', code);
  if (/Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message)) return as('database_unreachable', code || 'ECONNRESET');
  return undefined;
}

export interface StoreHealthOptions {
  log: (line: string) => void;
  /** Entering the fault (or its cause changing): write what can be written (event, heartbeat row). */
  onDegraded?: (d: Degraded) => void;
  /** A write succeeded after the fault: record the pair of events, retry what waited. */
  onRecovered?: (d: Degraded, at: number) => void;
  minMs?: number;
  maxMs?: number;
  recoveredAfterMs?: number;
}

/**
 * The store counts as back once a write succeeds this long after the last failed one. A nearly full
 * disk lets a small write through now and then (SQLite reuses its log's space): one success between
 * failures is not a recovery, so the console and the events do not flap.
 */
export const RECOVERED_AFTER_MS = 2000;

export class StoreHealth {
  private current: Degraded | undefined;
  private failures = 0;
  private retryAt: number | undefined;
  private lastFailureAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly opts: StoreHealthOptions,
  ) {}

  get degraded(): Degraded | undefined {
    return this.current;
  }

  /**
   * A write failed. Returns false when the error is no store fault (the caller logs it as before);
   * true when it is: the fault is logged once when it starts (or changes cause), and the failing
   * pass waits out the backoff.
   */
  failed(what: string, err: unknown): boolean {
    const c = classifyStoreError(err);
    if (!c) return false;
    const now = this.clock.now();
    this.lastFailureAt = now;
    // Writes that fail within one backoff window (a pass, its heartbeat, an end) count as one failure.
    if (this.retryAt === undefined || now >= this.retryAt) {
      this.failures++;
      this.retryAt = now + backoffMs(this.failures, this.opts.minMs, this.opts.maxMs);
    }
    const prev = this.current;
    if (prev && prev.cause === c.cause) return true;
    this.current = { cause: c.cause, since: prev?.since ?? now, code: c.code, message: c.message, while: what };
    this.opts.log(
      `degraded: ${CAUSE_TEXT[c.cause]} (${c.code}: ${c.message}) while ${what}; ` +
        `the daemon retries with backoff up to ${(this.opts.maxMs ?? BACKOFF_MAX_MS) / 1000}s and says when the store takes writes again`,
    );
    this.opts.onDegraded?.(this.current);
    return true;
  }

  /**
   * A write went through: the failing pass need not wait any more. The degraded state ends (logged,
   * onRecovered) once a write succeeds RECOVERED_AFTER_MS after the last failure.
   */
  ok(): void {
    this.failures = 0;
    this.retryAt = undefined;
    const d = this.current;
    if (!d) return;
    const now = this.clock.now();
    if (now - this.lastFailureAt < (this.opts.recoveredAfterMs ?? RECOVERED_AFTER_MS)) return;
    this.current = undefined;
    this.opts.log(`recovered: the store takes writes again after ${Math.round((now - d.since) / 100) / 10}s (${CAUSE_TEXT[d.cause]})`);
    this.opts.onRecovered?.(d, now);
  }

  /** While backing off: when the failing pass may run again; undefined when it may run now. */
  waitUntil(now = this.clock.now()): number | undefined {
    return this.retryAt !== undefined && now < this.retryAt ? this.retryAt : undefined;
  }

  /** When the failing pass is due again, even if that is now (undefined: nothing failed). */
  get nextRetryAt(): number | undefined {
    return this.retryAt;
  }
}
