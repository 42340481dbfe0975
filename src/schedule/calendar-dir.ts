// Finds the calendars shipped beside the program, whether it runs from source or from the bundle.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedCalendarsDir } from '../sea/assets.js';

const MARKER = 'US_HOLIDAYS.json';

/** The folder of this module: `__dirname` in the CommonJS bundle, `import.meta.url` from source. */
function moduleDir(): string | undefined {
  if (typeof __dirname !== 'undefined') return __dirname;
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return undefined;
  }
}

/** Walk up from `start` looking for `calendars/US_HOLIDAYS.json`. */
export function findCalendarsDirFrom(start: string): string | undefined {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'calendars');
    if (existsSync(join(candidate, MARKER))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The shipped calendars folder: `$EASYTASK_CALENDARS_DIR`, else the ones a single executable embeds,
 * else the nearest `calendars/` above this module, else one beside the executable; undefined when none is found.
 */
export function shippedCalendarsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.EASYTASK_CALENDARS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const embedded = embeddedCalendarsDir();
  if (embedded !== undefined) return embedded;
  const here = moduleDir();
  return (here === undefined ? undefined : findCalendarsDirFrom(here)) ?? findCalendarsDirFrom(dirname(process.execPath));
}

/** The user's calendars folder under an EasyTask home. */
export function userCalendarsDir(home: string): string {
  return join(home, 'calendars');
}
