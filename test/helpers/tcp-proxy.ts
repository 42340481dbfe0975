// A TCP forwarder on 127.0.0.1 that a test can cut (every connection dropped, new ones refused) and
// restore: a host cut off from the database while everything else goes on.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export interface Proxy {
  port: number;
  /** The database URL with this proxy's port. */
  urlThrough(url: string): string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

const open: Proxy[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

export async function tcpProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  const p: Proxy = {
    port,
    urlThrough: (url) => {
      const u = new URL(url);
      u.port = String(port);
      return u.toString();
    },
    cut: stop,
    restore: listen,
    close: stop,
  };
  open.push(p);
  return p;
}
