// Reads definition documents from a file, a directory of *.json files, or standard input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { badInput } from '../core/errors.js';

export interface SourceDocument {
  /** The name used in messages: the path as given, or <stdin>. */
  file: string;
  text: string;
}

function readText(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badInput(`${shown}: file does not exist`);
    if (code === 'EACCES') throw badInput(`${shown}: permission denied`);
    throw badInput(`${shown}: cannot read: ${(err as Error).message}`);
  }
}

/** Load `path` (file, directory or "-"); `stdin` supplies standard input for "-". */
export function loadSources(path: string, stdin: () => string = () => readFileSync(0, 'utf8')): SourceDocument[] {
  if (path === '-') return [{ file: '<stdin>', text: stdin() }];
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw badInput(`${path}: file does not exist`);
  }
  if (!isDir) return [{ file: path, text: readText(path, path) }];
  const names = readdirSync(path)
    .filter((n) => n.endsWith('.json'))
    .sort();
  if (names.length === 0) throw badInput(`${path}: directory has no *.json files`);
  return names.map((n) => {
    const full = join(path, n);
    const shown = relative(process.cwd(), full) || full;
    return { file: shown, text: readText(full, shown) };
  });
}
