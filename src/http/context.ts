// What a route handler is given: the request, its URL, the store, and the daemon's parts it reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/index.js';
import type { EventHub } from './event-hub.js';
import type { DaemonMetrics } from './metrics.js';

/** What the server reads of the daemon it lives in. */
export interface DaemonView {
  version: string;
  /** The store's fault while it refuses writes (undefined when healthy). */
  degraded(): { cause: string; message?: string; since?: number } | undefined;
  /** How long since the daemon's last heartbeat, ms. */
  heartbeatAgeMs(): number;
  leading(): boolean;
  /** The server wrote to the store (a definition, a control request): the daemon reads it at once, as it would another process's write. */
  changed(): void;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  store: Store;
  clock: Clock;
  hub: EventHub;
  metrics: DaemonMetrics;
  daemon: DaemonView;
  /** The name of the token the request presented (undefined: none, a loopback read). */
  tokenName: string | undefined;
}

export interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  handle(ctx: RequestContext, params: string[]): Promise<void>;
}
