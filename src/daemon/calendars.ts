// The calendars a home sees: the shipped folder, then <home>/calendars (which may override by name).
import { mkdirSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import {
  brokenWarning,
  emptyCalendars,
  loadCalendars,
  shippedCalendarsDir,
  userCalendarsDir,
  type BrokenCalendar,
  type Calendar,
  type CalendarSet,
  type LoadedCalendars,
} from '../schedule/index.js';

export function calendarDirs(home: string): string[] {
  const shipped = shippedCalendarsDir();
  return [...(shipped ? [shipped] : []), userCalendarsDir(home)];
}

export function homeCalendars(home: string, now: number): LoadedCalendars {
  return loadCalendars(calendarDirs(home), { now });
}

/** What a set of calendars says, and which files are broken, to tell whether a reload changed anything. */
function fingerprint(calendars: CalendarSet, broken: ReadonlyMap<string, BrokenCalendar>): string {
  return JSON.stringify([[...calendars.values()].map((c) => [c.name, c.file, c.entries]), [...broken.values()]]);
}

export interface CalendarWatchOptions {
  home: string;
  now(): number;
  log(line: string): void;
  /** The calendars in force: at load, and after each change (`reloaded`), with the files that cannot be used. */
  apply(calendars: CalendarSet, reloaded: boolean, broken: ReadonlyMap<string, BrokenCalendar>): void;
}

/** The daemon's calendars: loaded at start, and again whenever a file in <home>/calendars changes. */
export class CalendarWatch {
  private current: CalendarSet = emptyCalendars;
  private broken: ReadonlyMap<string, BrokenCalendar> = new Map();
  private watcher: FSWatcher | undefined;

  constructor(private readonly opts: CalendarWatchOptions) {}

  /** Load once, without announcing it. */
  load(): void {
    this.reload('never');
  }

  watch(): void {
    // The folder is made if missing: watching a missing path makes the watcher rescan the whole home
    // on every change to it (the store's WAL, the log folders).
    const userCalendars = calendarDirs(this.opts.home).at(-1)!;
    mkdirSync(userCalendars, { recursive: true });
    this.watcher = watch(userCalendars, { ignoreInitial: true, depth: 0 })
      .on('all', () => this.reload('always'))
      // A file written while the watcher was still scanning the folder counts as initial: look again.
      .on('ready', () => this.reload('if-changed'));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }

  /**
   * A calendar file that cannot be used affects only that calendar: it keeps the dates it had before
   * (none at start, so the tasks that use it are not scheduled until it is fixed); the others load.
   */
  private reload(announce: 'never' | 'always' | 'if-changed'): void {
    try {
      const loaded = homeCalendars(this.opts.home, this.opts.now());
      const calendars = new Map<string, Calendar>(loaded.calendars);
      for (const b of loaded.broken.values()) {
        const before = this.current.get(b.name);
        if (before !== undefined) calendars.set(b.name, before);
      }
      if (announce === 'if-changed' && fingerprint(calendars, loaded.broken) === fingerprint(this.current, this.broken)) return;
      const brokenLines = new Set([...loaded.broken.values()].map(brokenWarning));
      for (const b of loaded.broken.values()) {
        const kept = calendars.has(b.name) ? 'it keeps the dates loaded before' : 'the tasks that use it are not scheduled until it is fixed';
        this.opts.log(`error: calendar "${b.name}" not loaded: ${b.problem}; ${kept}`);
      }
      for (const w of loaded.warnings) if (!brokenLines.has(w)) this.opts.log(`warning: ${w}`);
      this.current = calendars;
      this.broken = loaded.broken;
      this.opts.apply(calendars, announce !== 'never', loaded.broken);
    } catch (err) {
      this.opts.log(`error: calendars not reloaded: ${(err as Error).message}`);
    }
  }
}
