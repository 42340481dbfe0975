// The store: one SQLite file, the only channel between the CLI, the daemon and the dashboard.
import type { Database } from 'better-sqlite3';
import { systemClock, type Clock } from '../core/clock.js';
import { Attempts } from './attempts.js';
import { Commands } from './commands.js';
import { Cursors } from './cursors.js';
import { DefinitionEffects } from './definition-effects.js';
import { Definitions } from './definitions.js';
import { EventLog } from './events.js';
import { FrozenDates } from './frozen-dates.js';
import { GroupRuns } from './group-runs.js';
import { openDatabase, type OpenOptions } from './open.js';
import { Retention } from './retention.js';
import { Runs } from './runs.js';

export class Store {
  readonly events: EventLog;
  readonly runs: Runs;
  readonly defs: Definitions;
  readonly commands: Commands;
  readonly groupRuns: GroupRuns;
  readonly cursors: Cursors;
  readonly attempts: Attempts;
  readonly retention: Retention;
  readonly frozenDates: FrozenDates;
  readonly definitionEffects: DefinitionEffects;
  /** One transaction wrapper for every tx() (making one per call costs more than a small write). */
  private readonly runInTx: ReturnType<Database['transaction']>;

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    readonly home: string,
  ) {
    this.events = new EventLog(db);
    this.runs = new Runs(db, this.events, clock);
    this.defs = new Definitions(db, this.events, clock);
    this.commands = new Commands(db, clock);
    this.groupRuns = new GroupRuns(db, this.events, clock);
    this.cursors = new Cursors(db);
    this.attempts = new Attempts(db);
    this.retention = new Retention(db);
    this.frozenDates = new FrozenDates(db, this.runs);
    this.definitionEffects = new DefinitionEffects(db, this.cursors, this.runs);
    this.runInTx = db.transaction((fn: () => unknown) => fn());
  }

  static open(home: string, clock: Clock = systemClock, opts: OpenOptions = {}): Store {
    return new Store(openDatabase(home, opts), clock, home);
  }

  /**
   * Run fn in one IMMEDIATE transaction: all of it is written, or none of it. Inside another tx()
   * it is a savepoint: an error rolls back fn's writes alone and reaches the caller.
   */
  tx<T>(fn: () => T): T {
    return this.runInTx.immediate(fn) as T;
  }

  /** Changes whenever another connection commits; cheap to poll. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export type { RunRow, NewRun, RunPatch, TransitionRequest } from './runs.js';
export type { StoredDefinition, DefinitionInput, WriteOutcome } from './definitions.js';
export type { CommandRow, CommandKind } from './commands.js';
export type { GroupRunRow, NewGroupRun } from './group-runs.js';
export type { ExpiredRun } from './retention.js';
export type { SkippedByEvent } from './definition-effects.js';
export { MIGRATIONS, migrate, schemaVersion } from './migrations.js';
export { isLockedError, storePath, STORE_FILE, type OpenOptions } from './open.js';
