// The store contract, its part for attempts held by agents: accepting and claiming runs, an
// attempt's lease and token, the agents' own rows, and what a store shared by several hosts adds
// (a fenced leader, the database's clock, notifications). contract.ts re-exports it.
import type { DaemonRow, ExpiredRun, RunRow, TransitionRequest, AttemptEnd } from './rows.js';
import type { Outcome, Store } from './contract.js';

/**
 * An agent accepting a run: attempt n+1 begins (STARTED), its attempt row too, held by `token` under a
 * lease that lasts `leaseMs` on the store's clock unless the agent renews it.
 */
export interface Acceptance {
  run: RunRow;
  host: string;
  at: number;
  token: string;
  leaseMs: number;
}

/** A process that started for an attempt (reported under the attempt's token). */
export interface StartedProcess {
  runId: number;
  attempt: number;
  pid: number;
  at: number;
  stdoutPath: string;
  stderrPath: string;
  token: string;
}

/** What renewing an attempt's lease found. */
export type LeaseState = 'held' | 'gone' | 'terminate';

/** An attempt whose lease ran out (its agent died, was cut off, or paused), with the run it belongs to. */
export interface ExpiredAttempt {
  run: RunRow;
  token: string | null;
  host: string | null;
  /** How long ago its lease ended, ms on the store's clock. */
  expired_ms: number;
}

/** An agent claiming what it has room for: the oldest claimable runs on its queues, none another agent is claiming. */
export interface Claim {
  queues: readonly string[];
  /** RESTARTING runs are claimable once their retry is due at `now`. */
  now: number;
  host: string;
  leaseMs: number;
  /** One token per run it may take: as many runs as tokens, at most. */
  tokens: readonly string[];
}

export interface AttemptStore {
  /** Accept each run (expecting the version read), each its own unit, written together. */
  accept(items: readonly Acceptance[]): Promise<Outcome<RunRow>[]>;
  /**
   * Claim and accept, as one unit, up to `tokens.length` of the oldest claimable runs on the queues
   * (TRIGGER, and RESTARTING due), passing over those another agent is claiming at that moment; each
   * accepted (STARTED) under its token. Returns the runs claimed, oldest first, with their tokens.
   */
  claim(c: Claim): Promise<{ run: RunRow; token: string }[]>;
  /** Record started processes: the attempt's pid and the run RUNNING, each its own unit; a token the attempt no longer has is refused (STALE). */
  started(items: readonly StartedProcess[]): Promise<Outcome<RunRow>[]>;
  /**
   * An attempt ended: its row and the run's transition (with its start, when that was never recorded)
   * as one unit. A report whose token the attempt no longer has (its lease ran out and it was
   * recovered) is refused (STALE) and changes nothing.
   */
  ended(e: { token: string; start?: StartedProcess; end: AttemptEnd; transition: TransitionRequest }): Promise<RunRow>;
  /**
   * Extend the leases of these attempts by `leaseMs` from now (store clock). Each answer: `held`;
   * `gone` (its token is no longer the attempt's: recovered elsewhere); or `terminate` (held, and a
   * terminate was asked for it).
   */
  renew(items: readonly { runId: number; n: number; token: string }[], leaseMs: number): Promise<LeaseState[]>;
  /** Ask the agents holding these attempts (still running) to kill them; they see it when they next renew. */
  requestTerminate(items: readonly { runId: number; n: number }[]): Promise<void>;
  /** STARTED or RUNNING runs whose attempt's lease ended more than `graceMs` ago, oldest first. */
  expired(graceMs: number, limit: number): Promise<ExpiredAttempt[]>;
  /**
   * Attempts nobody will report: each marked lost, its token withdrawn, and its run moved on, each its
   * own unit. With a token, only while the attempt still has it (else STALE: its agent reported meanwhile).
   */
  abandoned(items: readonly { runId: number; n: number; at: number; token?: string | null; transition: TransitionRequest }[]): Promise<Outcome<RunRow>[]>;
  /** When attempt `n` of a run was accepted (epoch ms), or null. */
  startedAt(runId: number, n: number): Promise<number | null>;
}

/** An agent (a daemon, or `easytask agent`) as the store knows it. */
export interface AgentRow {
  host: string;
  pid: number;
  kind: 'daemon' | 'agent';
  /** The queues it serves. */
  queues: string[];
  version: string;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
  /** Attempts it held at its last heartbeat. */
  live_runs: number;
  /** How long ago its last heartbeat was, ms on the store's clock. */
  age_ms: number;
}

export interface AgentStore {
  /** This process serves these queues from now on; its heartbeat starts now (store clock). */
  register(a: Pick<AgentRow, 'host' | 'pid' | 'kind' | 'queues' | 'version'>): Promise<void>;
  beat(host: string, pid: number, liveRuns: number): Promise<void>;
  stop(host: string, pid: number): Promise<void>;
  /** Every agent known (stopped ones for a week), by host and pid. */
  list(): Promise<AgentRow[]>;
}

/** Who campaigns to lead: a daemon process on a host. */
export interface LeaderIdentity {
  pid: number;
  host: string;
  version: string;
}

/** Where a campaign left this process. */
export type Leadership = { leader: true; term: number } | { leader: false; holder?: DaemonRow; reason?: string };

/** Something listening for notifications; stop it with close(). */
export interface Listener {
  close(): Promise<void>;
  /** Whether the listening connection is up now (the poll fallback covers the gaps). */
  readonly connected: boolean;
}

/**
 * What a store shared by several hosts offers beside the contract (the PostgreSQL driver): the
 * database's clock, a leader elected among the daemons whose writes a newer leader fences off, and
 * notifications that wake the daemons and agents at once.
 */
export interface Cluster {
  /** The database's clock, epoch ms: leases are measured on it, whatever the hosts' clocks say. */
  now(): Promise<number>;
  /**
   * Become the leader, or stay it: the first call that wins takes the lock and begins a new term;
   * each later call renews the lease (leaseMs on the database's clock). A leader that cannot renew
   * (its session gone, a newer term begun) is no longer the leader. A holder whose lease ran out is
   * cut off (its sessions ended) so that the next campaign can win.
   */
  campaign(me: LeaderIdentity, leaseMs: number): Promise<Leadership>;
  /** Step down (shutdown): the lock is released and the lease row says so. */
  resign(): Promise<void>;
  /** The store as the leader of `term` writes it: every unit is refused (FENCED) once another term has begun. */
  fenced(term: number): Store;
  /** Call `wake(channel)` on every notification; reconnects by itself when the listening connection drops. */
  listen(channels: readonly string[], wake: (channel: string) => void): Listener;
}
