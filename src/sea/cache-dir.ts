// A private per-user folder for files a single executable extracts from itself (the SQLite addon, calendars).
import { lstatSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `dir` exists (or was just made) as a real folder owned by this user and closed to others. */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * `$XDG_CACHE_HOME/easytask`, else `~/.cache/easytask`, else `<tmp>/easytask-<uid>`: the first that
 * is a private folder of this user (a folder others can write to could hand us a foreign addon).
 */
export function seaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates: string[] = [];
  if (env.XDG_CACHE_HOME) candidates.push(join(env.XDG_CACHE_HOME, 'easytask'));
  try {
    candidates.push(join(homedir(), '.cache', 'easytask'));
  } catch {
    // No home directory for this user: fall through to the temporary folder.
  }
  candidates.push(join(tmpdir(), `easytask-${process.getuid?.() ?? 'user'}`));
  const found = candidates.find(privateDir);
  if (found === undefined) throw new Error(`no private cache folder to extract into (tried ${candidates.join(', ')})`);
  return found;
}
