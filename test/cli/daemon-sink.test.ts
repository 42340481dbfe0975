import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

let server: Server | undefined;
afterEach(() => server?.close());

/** A receiver on loopback that answers 503 to the first `refuse` deliveries, then 200. */
async function receiver(refuse: number) {
  const got: { id: number; type: string; contentType: string }[] = [];
  let refused = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (refused < refuse) {
        refused++;
        res.writeHead(503).end();
        return;
      }
      const ev = JSON.parse(body) as { id: string; type: string };
      got.push({ id: Number(ev.id), type: ev.type, contentType: req.headers['content-type'] ?? '' });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/events`, got };
}

const lastSeq = (home: string) => {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  try {
    return (db.prepare('SELECT MAX(seq) AS s FROM events').get() as { s: number }).s;
  } finally {
    db.close();
  }
};

describe('daemon --sink', () => {
  it('delivers every event in order, despite refusals and a daemon restart in between', async () => {
    const home = tempHome();
    const { url, got } = await receiver(3);
    cli(home, ['insert', '-'], { input: JSON.stringify({ name: 'job', cmd: 'echo hi', trigger_times: '04:00', timezone: 'UTC' }) });
    const first = await startDaemonProcess(home, ['--sink', url]);
    expect(cli(home, ['force-run', 'job']).code).toBe(0);
    await waitFor(() => got.some((e) => e.type === 'io.easytask.run.succeeded.v1'), 'the first run to be delivered', 20_000);
    first.child.kill('SIGTERM');
    await first.exited;
    cli(home, ['force-run', 'job']); // no daemon: withdrawn, nothing written
    const second = await startDaemonProcess(home, ['--sink', url]);
    expect(cli(home, ['force-run', 'job']).code).toBe(0);
    await waitFor(() => got.filter((e) => e.type === 'io.easytask.run.succeeded.v1').length === 2 && got.at(-1)!.id >= lastSeq(home) - 1, 'the second run to be delivered', 20_000);
    second.child.kill('SIGTERM');
    await second.exited;
    const ids = got.map((e) => e.id);
    const distinct = [...new Set(ids)];
    expect(distinct).toEqual([...distinct].sort((a, b) => a - b)); // in order
    expect(distinct[0]).toBe(1);
    expect(distinct.length).toBe(distinct.at(-1)!); // no gap
    expect(got.every((e) => e.contentType.startsWith('application/cloudevents+json'))).toBe(true);
  });
});
