// Streams one child pipe into its file without holding it in memory: counts bytes and lines, caps it.
import { createWriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export interface StreamStats {
  path: string;
  /** Bytes of the child's output the file took (at most the cap; header and marker excluded): written, not just read. */
  bytes: number;
  /** Newlines among those bytes, as `wc -l` counts. */
  lines: number;
  /** The child wrote more than the cap; the rest was read and discarded. */
  truncated: boolean;
  /** Set when writing the file failed (disk full…): the output from then on was read and discarded. */
  writeError?: OutputWriteError;
}

export interface OutputWriteError {
  /** ENOSPC, EDQUOT, EIO, … */
  code: string;
  message: string;
  /** Bytes of the child's output (under the cap) that were read but are not in the file. */
  lost: number;
}

export function truncationMarker(cap: number): string {
  return `[easytask: output truncated at ${cap} bytes]\n`;
}

export class OutputSink {
  readonly stats: StreamStats;
  private readonly file: Writable;
  private endsWithNewline = true;
  private waiting: (() => void) | undefined;
  /** Bytes of output handed to the file (under the cap), written or not. */
  private accepted = 0;

  /** Takes ownership of `fd` (opened for append); close() closes it. */
  constructor(fd: number, path: string, private readonly cap: number) {
    this.stats = { path, bytes: 0, lines: 0, truncated: false };
    this.file = createWriteStream(path, { fd, autoClose: true });
    this.file.on('error', (err: NodeJS.ErrnoException) => {
      this.stats.writeError ??= { code: err.code ?? 'EIO', message: err.message, lost: 0 };
      this.countLost();
      this.waiting?.();
    });
  }

  /**
   * Write what fits under the cap. False when the file asks the writer to wait for 'drain'.
   * `onWritten` is called once the file has taken the part and it is counted.
   */
  write(chunk: Buffer, onWritten?: () => void): boolean {
    if (this.stats.truncated) return true;
    const room = this.cap - this.accepted;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.accepted += part.length;
    if (this.stats.writeError !== undefined) {
      this.countLost(); // read, and lost: the file no longer takes anything
      if (part.length < chunk.length) this.stats.truncated = true;
      return true;
    }
    let ready = true;
    if (part.length > 0) {
      // Counted once the file has it: a write that fails (disk full) is lost output, not output.
      ready = this.file.write(part, (err) => {
        if (err) return;
        this.stats.bytes += part.length;
        this.stats.lines += countNewlines(part);
        onWritten?.();
      });
      this.endsWithNewline = part[part.length - 1] === 0x0a;
    }
    if (part.length < chunk.length) {
      this.stats.truncated = true;
      ready = this.file.write((this.endsWithNewline ? '' : '\n') + truncationMarker(this.cap));
    }
    return ready;
  }

  /**
   * Copy `source` into the file, honouring back-pressure; resolves when the source ends or is
   * destroyed. `onData` is called each time the counts grow (once the file has taken a chunk).
   */
  pump(source: Readable, onData: () => void): Promise<void> {
    return new Promise((resolve) => {
      source.on('data', (chunk: Buffer) => {
        if (!this.write(chunk, onData)) {
          source.pause();
          this.waiting = () => {
            this.waiting = undefined;
            source.resume();
          };
          this.file.once('drain', this.waiting);
        }
      });
      source.once('close', () => resolve());
      source.once('error', () => resolve());
    });
  }

  private countLost(): void {
    if (this.stats.writeError) this.stats.writeError.lost = this.accepted - this.stats.bytes;
  }

  /** Flush and close the file. */
  async close(): Promise<void> {
    if (!this.file.destroyed) this.file.end();
    await finished(this.file).catch(() => undefined);
    this.countLost();
  }
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}
