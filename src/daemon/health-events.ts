// The daemon.degraded / daemon.healthy pair: written when the store takes them, so a fault that
// began while nothing could be written is still on record once it ends (degraded before healthy).
import type { Store } from '../store/index.js';
import type { Degraded } from './store-health.js';

export class HealthEvents {
  private degradedNotWritten: { d: Degraded; key: string }[] = [];
  private healthyNotWritten: { d: Degraded; at: number; key: string }[] = [];

  constructor(private readonly store: Store) {}

  degraded(d: Degraded): void {
    this.degradedNotWritten.push({ d, key: `daemon:${process.pid}:${d.since}:degraded:${d.cause}` });
    this.write();
  }

  healthy(d: Degraded, at: number): void {
    this.healthyNotWritten.push({ d, at, key: `daemon:${process.pid}:${d.since}:healthy` });
    this.write();
  }

  /** Write what is waiting; when the store still refuses, it waits for the next call. */
  write(): void {
    if (this.degradedNotWritten.length + this.healthyNotWritten.length === 0) return;
    try {
      this.store.tx(() => {
        for (const { d, key } of this.degradedNotWritten) {
          this.store.events.append({ key, type: 'daemon.degraded', time: d.since, instance: 'default', data: { pid: process.pid, cause: d.cause, since: new Date(d.since).toISOString(), code: d.code, message: d.message, while: d.while } });
        }
        for (const { d, at, key } of this.healthyNotWritten) {
          this.store.events.append({ key, type: 'daemon.healthy', time: at, instance: 'default', data: { pid: process.pid, cause: d.cause, since: new Date(d.since).toISOString(), code: d.code, degraded_ms: at - d.since } });
        }
      });
      this.degradedNotWritten = [];
      this.healthyNotWritten = [];
    } catch {
      // the store still refuses writes: tried again when it is back
    }
  }
}
