// The PostgreSQL driver: the same contract as the embedded one, for several hosts sharing one
// database through node-postgres.
import type { Clock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import type { Store } from '../contract.js';
import { PgAgents } from './agents.js';
import { PgAttempts } from './attempts.js';
import { checkSession, makePool, redact, type PoolOptions } from './connect.js';
import { PgCommands } from './commands.js';
import { PgCursors } from './cursors.js';
import { PgDaemonLease } from './daemon-lease.js';
import { PgDefinitionEffects } from './definition-effects.js';
import { PgDefinitions } from './definitions.js';
import { PgEvents } from './events.js';
import { PgFrozenDates } from './frozen-dates.js';
import { PgGroupRuns } from './group-runs.js';
import { migratePg, pgSchemaVersion, PG_MIGRATIONS } from './migrations.js';
import { PgRetention } from './retention.js';
import { PgRuns } from './runs.js';
import { PgSlots } from './slots.js';
import { Db } from './unit.js';
import { PgCluster } from './cluster.js';
import { sourceHost } from '../../core/host.js';

/** The application_name of this process's sessions: a successor ends them all when this process's leadership goes stale. */
const appName = (): string => `easytask:${sourceHost()}:${process.pid}`.slice(0, 63);

export class PgStore implements Store {
  readonly driver = 'postgres' as const;
  readonly events: PgEvents;
  readonly runs: PgRuns;
  readonly slots: PgSlots;
  readonly attempts: PgAttempts;
  readonly groupRuns: PgGroupRuns;
  readonly defs: PgDefinitions;
  readonly commands: PgCommands;
  readonly cursors: PgCursors;
  readonly frozenDates: PgFrozenDates;
  readonly definitionEffects: PgDefinitionEffects;
  readonly retention: PgRetention;
  readonly daemonLease: PgDaemonLease;
  readonly agents: PgAgents;
  readonly cluster: PgCluster;

  private constructor(
    readonly db: Db,
    private readonly clock: Clock,
    readonly home: string,
    readonly url: string,
    cluster?: PgCluster,
  ) {
    this.cluster = cluster ?? new PgCluster({ url, pool: db.pool, clock, app: appName(), fenced: (term) => new PgStore(db.fencedBy(term), clock, home, url, this.cluster) });
    this.events = new PgEvents(db);
    let groupRuns: PgGroupRuns;
    this.runs = new PgRuns(db, clock, () => groupRuns);
    groupRuns = this.groupRuns = new PgGroupRuns(db, clock, () => this.runs);
    this.slots = new PgSlots(db, clock, this.runs, groupRuns);
    this.attempts = new PgAttempts(db, this.runs);
    this.defs = new PgDefinitions(db, clock);
    this.frozenDates = new PgFrozenDates(db, () => this.runs, clock);
    this.commands = new PgCommands(db, clock, () => ({ runs: this.runs, attempts: this.attempts, groupRuns, frozenDates: this.frozenDates }));
    this.cursors = new PgCursors(db);
    this.daemonLease = new PgDaemonLease(db);
    this.definitionEffects = new PgDefinitionEffects(db, this.runs, this.daemonLease);
    this.retention = new PgRetention(db);
    this.agents = new PgAgents(db);
  }

  /** Connect, check that sessions are kept (no pooler in transaction mode), and bring the schema up to date. */
  static async open(url: string, home: string, clock: Clock, opts: PoolOptions = {}): Promise<PgStore> {
    const pool = makePool(url, { app: appName(), ...opts });
    try {
      await checkSession(pool, url);
      await migratePg(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof EasyTaskError) throw err;
      throw new EasyTaskError('STORE', `cannot open the store ${redact(url)}: ${(err as Error).message}`);
    }
    return new PgStore(new Db(pool), clock, home, url);
  }

  /** Moves whenever an event is appended or a control request is made, by any host. */
  async changeToken(): Promise<number> {
    const r = await this.db.one<{ t: number }>('SELECT (SELECT seq FROM event_counter WHERE id = 1) + (SELECT COALESCE(MAX(id), 0) FROM commands) AS t');
    return r?.t ?? 0;
  }

  /** Nothing to do in a quiet moment: PostgreSQL checkpoints on its own. */
  async checkpoint(): Promise<boolean> {
    return true;
  }

  /** Reads never wait for a writer's lock on PostgreSQL. */
  noWait(): void {}

  /** Closes the pool (shared by this store's fenced views: close the store it was opened as). */
  async close(): Promise<void> {
    await this.cluster.resign();
    await this.db.pool.end().catch(() => undefined);
  }

  async schemaVersion(): Promise<number> {
    return pgSchemaVersion(this.db.pool);
  }

  static readonly newestSchema = Math.max(...PG_MIGRATIONS.map((m) => m.version));
}
