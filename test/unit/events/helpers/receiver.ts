// A local HTTP receiver for sink and alert tests: refuses the first N requests, records the rest,
// and lets a test await a condition on what arrived instead of sleeping.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  /** The request's path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The HTTP status the receiver answered with. */
  status: number;
}

export class Receiver {
  readonly requests: Received[] = [];
  private server: Server | undefined;
  private checks: (() => void)[] = [];
  url = '';

  /** refuse: answer this many requests with 503 before accepting; hang: never answer. */
  constructor(private opts: { refuse?: number; hang?: boolean } = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.opts.hang) {
          // Recorded with status 0 and never answered.
          this.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 });
          for (const c of this.checks) c();
          return;
        }
        const refuse = (this.opts.refuse ?? 0) > 0;
        if (refuse) this.opts.refuse! -= 1;
        const status = refuse ? 503 : 200;
        this.requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status).end(refuse ? 'down' : 'ok');
        for (const c of this.checks) c();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
    return this;
  }

  /** Requests that were accepted (2xx). */
  get accepted(): Received[] {
    return this.requests.filter((r) => r.status === 200);
  }

  refuseNext(n: number): void {
    this.opts.refuse = n;
  }

  /** Stop (or start) leaving requests unanswered. */
  setHang(hang: boolean): void {
    this.opts.hang = hang;
  }

  /** Resolves once `cond` holds, re-checked after every request; rejects after `ms`. */
  until(cond: () => boolean, ms = 15_000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`receiver: condition not met within ${ms} ms (${this.requests.length} requests)`)), ms);
      const check = () => {
        if (!cond()) return;
        clearTimeout(t);
        this.checks = this.checks.filter((c) => c !== check);
        resolve();
      };
      this.checks.push(check);
    });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
