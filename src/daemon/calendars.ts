// The calendars a home sees: the shipped folder, then <home>/calendars (which may override by name).
import { mkdirSync } from 'node:fs';
import { watch, type FSWatcher } from 'chokidar';
import { emptyCalendars, loadCalendars, shippedCalendarsDir, userCalendarsDir, type CalendarSet, type LoadedCalendars } from '../schedule/index.js';

export function calendarDirs(home: string): string[] {
  const shipped = shippedCalendarsDir();
  return [...(shipped ? [shipped] : []), userCalendarsDir(home)];
}

export function homeCalendars(home: string, now: number): LoadedCalendars {
  return loadCalendars(calendarDirs(home), { now });
}

/** What a set of calendars says, to tell whether a reload changed anything. */
function fingerprint(calendars: CalendarSet): string {
  return JSON.stringify([...calendars.values()].map((c) => [c.name, c.file, c.entries]));
}

export interface CalendarWatchOptions {
  home: string;
  now(): number;
  log(line: string): void;
  /** The calendars in force: at load, and after each change (`reloaded`). */
  apply(calendars: CalendarSet, reloaded: boolean): void;
}

/** The daemon's calendars: loaded at start, and again whenever a file in <home>/calendars changes. */
export class CalendarWatch {
  private current: CalendarSet = emptyCalendars;
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

  private reload(announce: 'never' | 'always' | 'if-changed'): void {
    try {
      const loaded = homeCalendars(this.opts.home, this.opts.now());
      if (announce === 'if-changed' && fingerprint(loaded.calendars) === fingerprint(this.current)) return;
      for (const w of loaded.warnings) this.opts.log(`warning: ${w}`);
      this.current = loaded.calendars;
      this.opts.apply(loaded.calendars, announce !== 'never');
    } catch (err) {
      this.opts.log(`error: calendars not reloaded: ${(err as Error).message}`);
    }
  }
}
