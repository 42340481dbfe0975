// Writes to stdout with back-pressure and treats a closed pipe (`| head`) as a clean end, not an error.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export class PipeOutput {
  private closedFlag = false;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly stream: Writable = process.stdout) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') process.stderr.write(`error: cannot write output: ${err.message}\n`);
      this.close();
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Called once when the reader goes away. */
  onClose(fn: () => void): void {
    this.listeners.push(fn);
  }

  private close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const fn of this.listeners.splice(0)) fn();
  }

  /** Write, waiting for 'drain' when the reader is slow. False once the reader has gone. */
  async write(chunk: string | Buffer): Promise<boolean> {
    if (this.closedFlag) return false;
    if (chunk.length === 0) return true;
    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, 'drain'), new Promise<void>((r) => this.onClose(r))]);
    }
    return !this.closedFlag;
  }
}
