// easytask daemon --http HOST:PORT: the daemon's HTTP server (node:http): Prometheus metrics, a
// health check, a JSON API of reads and control requests, and the event log as Server-Sent Events.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../core/clock.js';
import { EasyTaskError } from '../core/errors.js';
import type { Store } from '../store/index.js';
import { authorize, isLoopback } from './auth.js';
import type { DaemonView, RequestContext, Route } from './context.js';
import { CONTROL_ROUTES } from './control-routes.js';
import { EventHub } from './event-hub.js';
import { DaemonMetrics } from './metrics.js';
import { READ_ROUTES } from './read-routes.js';
import { HttpError, sendError, sendJson } from './respond.js';
import { ensureToken, TokenFile } from './tokens.js';

/** A heartbeat older than this makes /healthz answer 503. */
export const STALE_HEARTBEAT_MS = 10_000;

/** HOST:PORT ([::1]:PORT for IPv6); port 0 takes a free one. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new EasyTaskError('BAD_INPUT', `--http must be HOST:PORT (e.g. 127.0.0.1:9465, [::1]:9465, 0.0.0.0:9465), got "${text}"`, 2);
  return { host: (m[1] ?? m[2])!, port };
}

export interface HttpOptions {
  host: string;
  port: number;
  home: string;
  log: (line: string) => void;
}

export class HttpApi {
  readonly metrics: DaemonMetrics;
  readonly hub: EventHub;
  private server: Server | undefined;
  private readonly tokens: TokenFile;
  private readonly routes: Route[] = [...READ_ROUTES, ...CONTROL_ROUTES];
  private readonly loopback: boolean;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly daemon: DaemonView,
    private readonly opts: HttpOptions,
  ) {
    this.loopback = isLoopback(opts.host);
    this.tokens = new TokenFile(opts.home, opts.log);
    this.metrics = new DaemonMetrics(store, clock, { degraded: () => daemon.degraded() !== undefined, leading: () => daemon.leading() });
    this.hub = new EventHub(store, clock, this.metrics);
  }

  /** Read (or create) the tokens, count what the store holds, and listen; resolves with the address taken. */
  async start(): Promise<{ host: string; port: number }> {
    ensureToken(this.opts.home, 'default');
    this.tokens.current(); // ensureToken refused a file others may read; this reads it once before listening
    await this.hub.start();
    const server = createServer((req, res) => void this.serve(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new EasyTaskError('BAD_INPUT', `--http ${this.opts.host}:${this.opts.port}: cannot listen (${err.code ?? err.message})`, 1)));
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.opts.log(`HTTP API and metrics on http://${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${port}${this.loopback ? '' : ' (every request needs a token)'}`);
    return { host: this.opts.host, port };
  }

  /** Read the events committed since the last look (after each daemon pass). */
  check(): Promise<void> {
    return this.hub.check();
  }

  async stop(): Promise<void> {
    this.hub.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections(); // event streams never end on their own
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const auth = authorize({ method, authorization: req.headers.authorization }, this.loopback, this.tokens.current());
      if (!auth.ok) {
        res.setHeader('www-authenticate', 'Bearer');
        throw new HttpError(auth.status, auth.code, auth.message);
      }
      if (method === 'GET' && url.pathname === '/metrics') return await this.scrape(res);
      if (method === 'GET' && url.pathname === '/healthz') return this.health(res);
      const ctx: RequestContext = { req, res, url, store: this.store, clock: this.clock, hub: this.hub, metrics: this.metrics, daemon: this.daemon, tokenName: auth.name };
      let pathFound = false;
      for (const r of this.routes) {
        const m = r.path.exec(url.pathname);
        if (!m) continue;
        pathFound = true;
        if (r.method !== method) continue;
        return await r.handle(ctx, m.slice(1).map((p) => decodeURIComponent(p)));
      }
      if (pathFound) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
      throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${method} ${url.pathname}`);
    } catch (err) {
      sendError(res, err);
    }
  }

  private async scrape(res: ServerResponse): Promise<void> {
    // What was committed since the last pass counts too (a run can end after the daemon's last read).
    await this.hub.check();
    const text = await this.metrics.render();
    res.writeHead(200, { 'content-type': this.metrics.contentType });
    res.end(text);
  }

  private health(res: ServerResponse): void {
    const degraded = this.daemon.degraded();
    const age = this.daemon.heartbeatAgeMs();
    const stale = age > STALE_HEARTBEAT_MS;
    const status = degraded ? 'degraded' : stale ? 'stale' : 'ok';
    sendJson(res, status === 'ok' ? 200 : 503, {
      status, pid: process.pid, version: this.daemon.version, leader: this.daemon.leading(), heartbeat_age_ms: Math.round(age), degraded: degraded ?? null,
    });
  }
}
