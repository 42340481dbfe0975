// Reads definition documents from a file, a directory of *.json files, or standard input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { badInput } from '../core/errors.js';
import { lineColumnAt } from '../core/json-source.js';

export interface SourceDocument {
  /** The name used in messages: the path as given, or <stdin>. */
  file: string;
  text: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The bytes as text, or a refusal naming where they stop being UTF-8: reading them leniently would put
 * U+FFFD in place of each bad byte, and a command would run with characters the file never had.
 */
export function decodeUtf8(bytes: Uint8Array, shown: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const { line, column } = lineColumnAt(strictUtf8.decode(bytes.subarray(0, offset)), Number.MAX_SAFE_INTEGER);
    const byte = `0x${bytes[offset]!.toString(16).padStart(2, '0')}`;
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const hint = utf16 ? 'it looks like UTF-16; save it as UTF-8' : 'save the file as UTF-8';
    throw badInput(`${shown}: not valid UTF-8 at line ${line}, column ${column} (byte offset ${offset}: ${byte}); ${hint}`);
  }
}

/** Offset of the first byte that does not begin or continue a well-formed UTF-8 sequence (bytes.length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Sequence length and the range of its second byte (which excludes overlongs, surrogates and > U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + n > bytes.length) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < n; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += n;
  }
  return bytes.length;
}

function readText(path: string, shown: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badInput(`${shown}: file does not exist`);
    if (code === 'EACCES') throw badInput(`${shown}: permission denied`);
    throw badInput(`${shown}: cannot read: ${(err as Error).message}`);
  }
  return decodeUtf8(bytes, shown);
}

/** Load `path` (file, directory or "-"); `stdin` supplies standard input for "-". Text must be UTF-8. */
export function loadSources(path: string, stdin: () => string | Uint8Array = () => readFileSync(0)): SourceDocument[] {
  if (path === '-') {
    const input = stdin();
    return [{ file: '<stdin>', text: typeof input === 'string' ? input : decodeUtf8(input, '<stdin>') }];
  }
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
