// Follows the end of a run's output file: reads only appended bytes, keeps the last lines, and makes them safe to draw.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read at most per poll; a burst larger than this skips to its end. */
const MAX_READ = 256 * 1024;

/** What a terminal would show of one output line, without escapes that could move or restyle the dashboard. */
export function cleanLine(line: string): string {
  const lastCr = line.lastIndexOf('\r', line.length - 2);
  const shown = lastCr >= 0 ? line.slice(lastCr + 1) : line;
  return shown
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)?/g, '')
    .replace(/\t/g, '    ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}

export class TailReader {
  private offset = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');
  private buf: string[] = [];

  constructor(
    readonly path: string,
    private readonly keep = 500,
  ) {}

  /** Read what was appended since the last poll; true when the lines changed. */
  poll(): boolean {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return false; // not created yet, or removed: keep what was shown
    }
    if (size < this.offset) this.reset(); // truncated or replaced
    if (size === this.offset) return false;
    const start = Math.max(this.offset, size - MAX_READ);
    if (start > this.offset) (this.partial = ''), (this.decoder = new StringDecoder('utf8'));
    const bytes = Buffer.alloc(size - start);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, bytes, 0, bytes.length, start);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    this.take(this.decoder.write(bytes));
    return true;
  }

  private take(text: string): void {
    const pieces = (this.partial + text).split('\n');
    this.partial = pieces.pop()!;
    for (const p of pieces) this.buf.push(cleanLine(p));
    if (this.buf.length > this.keep) this.buf.splice(0, this.buf.length - this.keep);
  }

  private reset(): void {
    this.offset = 0;
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
    this.buf = [];
  }

  /** The kept lines, with an unfinished last line included. */
  lines(): string[] {
    return this.partial ? [...this.buf, cleanLine(this.partial)] : [...this.buf];
  }
}
