// The daemon's side of the spawner processes: hands each attempt to one, relays its pid, output
// progress and result, and keeps the processes up only while work is near.
import { execa, type ResultPromise } from 'execa';
import type { Clock, Timer } from '../core/clock.js';
import type {
  AttemptHandle,
  AttemptHooks,
  AttemptLauncher,
  AttemptResult,
  AttemptSpec,
  OutputProgress,
  TerminateReason,
} from '../attempt/attempt-types.js';
import { killMarkedGracefully } from '../attempt/marked-processes.js';
import { killGroupGracefully } from '../attempt/process-group.js';
import type { FromSpawner, ToSpawner } from './protocol.js';

export interface SpawnerPoolOptions {
  /** The spawner's command line: [file, ...args]. */
  command: readonly string[];
  /** How many spawner processes share the attempts. */
  size: number;
  clock: Clock;
  log?: (line: string) => void;
  /** Start the spawners this long before work is expected, ms. */
  prewarmMs?: number;
  /** Stop them after this long with nothing live and nothing expected, ms. */
  idleMs?: number;
}

export const SPAWNER_PREWARM_MS = 10_000;
export const SPAWNER_IDLE_MS = 60_000;

interface Pending {
  spec: AttemptSpec;
  hooks: AttemptHooks;
  startedAt: number;
  startMono: number;
  pid?: number;
  progress?: OutputProgress;
  done: boolean;
  resolve(result: AttemptResult): void;
}

type Channel = ResultPromise<{ ipc: true; serialization: 'json'; buffer: false; reject: false; stdin: 'ignore'; stdout: 'inherit'; stderr: 'inherit'; cleanup: false }>;

/** One spawner process and the attempts it holds. */
class Spawner {
  readonly pending = new Map<number, Pending>();
  /** Attempts handed over and not yet spawned: what a new attempt would queue behind. */
  spawning = 0;
  private ready = false;
  private readonly backlog: ToSpawner[] = [];
  private readonly proc: Channel;
  readonly exited: Promise<void>;
  closing = false;

  constructor(command: readonly string[], private readonly onGone: (s: Spawner, how: string) => void) {
    this.proc = execa(command[0]!, command.slice(1), {
      ipc: true,
      serialization: 'json',
      buffer: false,
      reject: false,
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
      // The spawner leaves when its IPC channel closes (the daemon exited, however it exited); a
      // signal handler here would also change how the daemon itself reacts to SIGTERM.
      cleanup: false,
    });
    this.proc.on('message', (m: FromSpawner) => this.receive(m));
    this.exited = this.proc.then((r) => {
      const how = r.signal ? `was killed by ${r.signal}` : r.exitCode === undefined ? `could not start (${(r.shortMessage ?? 'unknown error').split('\n')[0]})` : `exited with status ${r.exitCode}`;
      this.onGone(this, how);
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get load(): number {
    return this.spawning * 1000 + this.pending.size;
  }

  send(m: ToSpawner): void {
    if (!this.ready) {
      this.backlog.push(m);
      return;
    }
    // A send that fails means the spawner is exiting: its attempts are settled when it has.
    if (this.proc.connected) this.proc.send(m, undefined, undefined, () => undefined);
  }

  close(): void {
    this.closing = true;
    if (this.proc.connected) this.proc.disconnect();
  }

  private receive(m: FromSpawner): void {
    if (m.t === 'ready') {
      this.ready = true;
      for (const queued of this.backlog.splice(0)) this.send(queued);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.t) {
      case 'spawned':
        p.pid = m.pid;
        this.spawning--;
        p.hooks.onSpawn?.(m.pid, m.at);
        return;
      case 'output':
        p.progress = m.progress;
        p.hooks.onOutput?.(m.progress);
        return;
      case 'result':
        if (p.pid === undefined) this.spawning--; // ended before it spawned (a spawn error)
        this.pending.delete(m.id);
        p.done = true;
        p.resolve({ ...m.result, startedAt: p.startedAt, endedAt: p.hooks.clock.now() });
        return;
    }
  }
}

export class SpawnerPool implements AttemptLauncher {
  private spawners: Spawner[] = [];
  private nextId = 0;
  private expected: number | undefined;
  private warmTimer: Timer | undefined;
  private idleTimer: Timer | undefined;
  private closed = false;
  private readonly prewarmMs: number;
  private readonly idleMs: number;

  constructor(private readonly opts: SpawnerPoolOptions) {
    this.prewarmMs = opts.prewarmMs ?? SPAWNER_PREWARM_MS;
    this.idleMs = opts.idleMs ?? SPAWNER_IDLE_MS;
  }

  /** Spawner processes up now. */
  get size(): number {
    return this.spawners.length;
  }

  /** Their pids (for status and tests). */
  get pids(): number[] {
    return this.spawners.map((s) => s.pid).filter((p): p is number => p !== undefined);
  }

  readonly start = (spec: AttemptSpec, hooks: AttemptHooks): AttemptHandle => {
    this.warm();
    const spawner = this.spawners.reduce((a, b) => (b.load < a.load ? b : a));
    const id = ++this.nextId;
    let resolve!: (r: AttemptResult) => void;
    const result = new Promise<AttemptResult>((r) => (resolve = r));
    const p: Pending = { spec, hooks, startedAt: hooks.clock.now(), startMono: hooks.clock.monotonic(), done: false, resolve };
    spawner.pending.set(id, p);
    spawner.spawning++;
    spawner.send({ t: 'start', id, spec, ...(hooks.outputEventMs !== undefined ? { outputEventMs: hooks.outputEventMs } : {}) });
    void result.then(() => this.armIdle());
    return {
      get pid() {
        return p.pid;
      },
      result,
      terminate: (reason: TerminateReason) => {
        if (!p.done) spawner.send({ t: 'terminate', id, reason });
      },
    };
  };

  expectWorkAt(at: number | undefined): void {
    if (this.closed) return;
    this.expected = at;
    this.warmTimer?.cancel();
    this.warmTimer = undefined;
    if (at === undefined) return this.armIdle();
    const lead = at - this.opts.clock.now() - this.prewarmMs;
    if (lead <= 0) {
      this.warm();
      return this.armIdle();
    }
    // Capped like the daemon's own sleep, so a wall-clock jump is noticed.
    this.warmTimer = this.opts.clock.after(Math.min(lead, 30_000), () => this.expectWorkAt(this.expected)).unref();
    this.armIdle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.warmTimer?.cancel();
    this.idleTimer?.cancel();
    await this.stopAll();
  }

  /** Make sure every spawner is up (or starting). */
  private warm(): void {
    if (this.closed) throw new Error('the spawner pool is closed');
    while (this.spawners.length < this.opts.size) {
      this.spawners.push(new Spawner(this.opts.command, (s, how) => this.gone(s, how)));
    }
  }

  private busy(): boolean {
    return this.spawners.some((s) => s.pending.size > 0);
  }

  /** Stop the spawners once nothing is live and nothing is expected soon. */
  private armIdle(): void {
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    if (this.closed || this.spawners.length === 0 || this.busy()) return;
    this.idleTimer = this.opts.clock.after(this.idleMs, () => {
      const soon = this.expected !== undefined && this.expected - this.opts.clock.now() <= this.prewarmMs + this.idleMs;
      if (this.busy() || soon) return this.armIdle();
      void this.stopAll();
    }).unref();
  }

  private async stopAll(): Promise<void> {
    const all = this.spawners;
    this.spawners = [];
    for (const s of all) s.close();
    await Promise.all(all.map((s) => s.exited));
  }

  /**
   * A spawner ended. Attempts it still held have lost their supervisor: what is left of their
   * process groups is killed and they end FAILED (lost), or spawn_error when never started.
   */
  private gone(s: Spawner, how: string): void {
    this.spawners = this.spawners.filter((x) => x !== s);
    if (s.pending.size === 0) return;
    if (!s.closing) this.opts.log?.(`error: a spawner process ${how} while holding ${s.pending.size} attempt(s)`);
    for (const [id, p] of s.pending) {
      s.pending.delete(id);
      void this.abandon(p, `the spawner process supervising it ${how}`);
    }
  }

  private async abandon(p: Pending, why: string): Promise<void> {
    if (p.pid !== undefined) await killGroupGracefully(p.pid, 0);
    if (p.spec.marker) await killMarkedGracefully(p.spec.marker, 0);
    const stream = (path: string, bytes = 0, lines = 0) => ({ path, bytes, lines, truncated: false });
    const pr = p.progress;
    p.done = true;
    p.resolve({
      startedAt: p.startedAt,
      endedAt: p.hooks.clock.now(),
      durationMs: Math.round(p.hooks.clock.monotonic() - p.startMono),
      ...(p.pid !== undefined ? { pid: p.pid } : {}),
      output: { stdout: stream(p.spec.stdoutPath, pr?.stdoutBytes, pr?.stdoutLines), stderr: stream(p.spec.stderrPath, pr?.stderrBytes, pr?.stderrLines) },
      ...(p.pid !== undefined
        ? { outcome: 'failed' as const, reason: 'lost' as const, error: why }
        : { outcome: 'failed' as const, reason: 'spawn_error' as const, error: `${why} before starting it` }),
    });
  }
}
