// The embedded driver: one SQLite file in the home folder, the default store.
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type {
  AgentStore, AttemptStore, CommandStore, CursorStore, DaemonLeaseStore, DefinitionEffectStore, DefinitionStore, EventStore,
  FrozenDateStore, GroupRunStore, RetentionStore, RunStore, SlotStore, Store,
} from '../contract.js';
import { Agents } from './agents.js';
import { Attempts } from './attempts.js';
import { Commands } from './commands.js';
import { Cursors } from './cursors.js';
import { DaemonLease } from './daemon-lease.js';
import { DefinitionEffects } from './definition-effects.js';
import { Definitions } from './definitions.js';
import { EventLog } from './events.js';
import { FrozenDates } from './frozen-dates.js';
import { GroupRuns } from './group-runs.js';
import { openDatabase, type OpenOptions } from './open.js';
import { promised } from './promised.js';
import { Retention } from './retention.js';
import { Runs } from './runs.js';
import { Slots } from './slots.js';

export class SqliteStore implements Store {
  readonly driver = 'sqlite' as const;
  readonly events: EventStore;
  readonly runs: RunStore;
  readonly slots: SlotStore;
  readonly attempts: AttemptStore;
  readonly groupRuns: GroupRunStore;
  readonly defs: DefinitionStore;
  readonly commands: CommandStore;
  readonly cursors: CursorStore;
  readonly frozenDates: FrozenDateStore;
  readonly definitionEffects: DefinitionEffectStore;
  readonly retention: RetentionStore;
  readonly daemonLease: DaemonLeaseStore;
  readonly agents: AgentStore;

  private constructor(
    private readonly db: Database,
    clock: Clock,
    readonly home: string,
  ) {
    const events = new EventLog(db);
    let groupRuns: GroupRuns;
    const runs = new Runs(db, events, clock, () => groupRuns);
    groupRuns = new GroupRuns(db, events, clock, () => runs);
    const cursors = new Cursors(db);
    const frozenDates = new FrozenDates(db, runs, events, clock);
    const lease = new DaemonLease(db);
    this.events = promised<EventStore>(events);
    this.runs = promised<RunStore>(runs);
    this.groupRuns = promised<GroupRunStore>(groupRuns);
    this.slots = promised<SlotStore>(new Slots(db, clock, runs, groupRuns));
    const attempts = new Attempts(db, runs, clock);
    this.attempts = promised<AttemptStore>(attempts);
    this.defs = promised<DefinitionStore>(new Definitions(db, events, clock));
    this.commands = promised<CommandStore>(new Commands(db, clock, () => ({ runs, attempts, groupRuns, frozenDates })));
    this.cursors = promised<CursorStore>(cursors);
    this.frozenDates = promised<FrozenDateStore>(frozenDates);
    this.definitionEffects = promised<DefinitionEffectStore>(new DefinitionEffects(db, cursors, runs, lease));
    this.retention = promised<RetentionStore>(new Retention(db));
    this.daemonLease = promised<DaemonLeaseStore>(lease);
    this.agents = promised<AgentStore>(new Agents(db, clock));
  }

  static async open(home: string, clock: Clock, opts: OpenOptions = {}): Promise<SqliteStore> {
    return new SqliteStore(openDatabase(home, opts), clock, home);
  }

  async changeToken(): Promise<number> {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  async checkpoint(): Promise<boolean> {
    const [r] = this.db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    // A reader holding an older snapshot stops a passive checkpoint short: the next quiet moment finishes it.
    return r !== undefined && r.checkpointed >= r.log;
  }

  noWait(): void {
    this.db.pragma('busy_timeout = 0');
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The schema version of the file (for migration tests). */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }
}
