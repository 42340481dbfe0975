// The daemon.degraded / daemon.healthy pair: written when the store takes them, so a fault that
// began while nothing could be written is still on record once it ends (degraded before healthy).
import type { Store } from '../store/index.js';
import type { Degraded } from './store-health.js';

export class HealthEvents {
  private degradedNotWritten: { d: Degraded; key: string }[] = [];
  private healthyNotWritten: { d: Degraded; at: number; key: string }[] = [];

  constructor(private readonly store: Store) {}

  degraded(d: Degraded): Promise<void> {
    this.degradedNotWritten.push({ d, key: `daemon:${process.pid}:${d.since}:degraded:${d.cause}` });
    return this.write();
  }

  healthy(d: Degraded, at: number): Promise<void> {
    this.healthyNotWritten.push({ d, at, key: `daemon:${process.pid}:${d.since}:healthy` });
    return this.write();
  }

  /** Write what is waiting, degraded before healthy, as one unit; when the store still refuses, it waits for the next call. */
  async write(): Promise<void> {
    const degraded = this.degradedNotWritten;
    const healthy = this.healthyNotWritten;
    if (degraded.length + healthy.length === 0) return;
    this.degradedNotWritten = [];
    this.healthyNotWritten = [];
    try {
      await this.store.events.appendAll([
        ...degraded.map(({ d, key }) => ({
          key, type: 'daemon.degraded' as const, time: d.since, instance: 'default',
          data: { pid: process.pid, cause: d.cause, since: new Date(d.since).toISOString(), code: d.code, message: d.message, while: d.while },
        })),
        ...healthy.map(({ d, at, key }) => ({
          key, type: 'daemon.healthy' as const, time: at, instance: 'default',
          data: { pid: process.pid, cause: d.cause, since: new Date(d.since).toISOString(), code: d.code, degraded_ms: at - d.since },
        })),
      ]);
    } catch {
      // the store still refuses writes: tried again when it is back
      this.degradedNotWritten.unshift(...degraded);
      this.healthyNotWritten.unshift(...healthy);
    }
  }
}
