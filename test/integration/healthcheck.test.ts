import { afterEach, describe, expect, it } from 'vitest';
import { HealthcheckFeed, pingUrl } from '../../src/events/healthcheck-feed.js';
import type { Store } from '../../src/store/index.js';
import { alertTask, finishedRun } from '../helpers/finished-run.js';
import { tempStore } from '../helpers/home.js';
import { Receiver } from '../unit/events/helpers/receiver.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  while (receivers.length) await receivers.pop()!.close();
});

async function receiver(opts: ConstructorParameters<typeof Receiver>[0] = {}): Promise<Receiver> {
  const r = await new Receiver(opts).start();
  receivers.push(r);
  return r;
}

const pingEvents = async (store: Store) => (await store.events.list()).filter((e) => e.type.startsWith('healthcheck.'));

describe('healthcheck pings', () => {
  it('pingUrl: /start and /fail after the path, the URL itself on success', () => {
    expect(pingUrl('https://hc-ping.com/abc/', 'start')).toBe('https://hc-ping.com/abc/start');
    expect(pingUrl('https://hc-ping.com/abc', 'fail')).toBe('https://hc-ping.com/abc/fail');
    expect(pingUrl('https://hc-ping.com/abc?rid=1', 'success')).toBe('https://hc-ping.com/abc?rid=1');
  });

  it('pings /start for each attempt, the URL on success and /fail with the exit code and stderr tail; once, across a restart', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await receiver();
    const url = `${rx.url}/5f1c-secret`;
    const t = alertTask(undefined as never, { healthcheck: url, alert: undefined });
    const lookup = () => ({ task: t, timezone: 'UTC' });
    const feed = new HealthcheckFeed(store, clock, lookup);
    await feed.start();
    const ok = await finishedRun(store, clock, home, { outcome: 'SUCCESS', slot: Date.UTC(2026, 0, 1) });
    const bad = await finishedRun(store, clock, home, { outcome: 'FAILED', slot: Date.UTC(2026, 0, 2), stderr: 'disk full\n' });
    await feed.check();
    await feed.stop();
    expect(rx.requests.map((r) => r.path)).toEqual(['/hook/5f1c-secret/start', '/hook/5f1c-secret', '/hook/5f1c-secret/start', '/hook/5f1c-secret/fail']);
    expect(rx.requests[3]!.body).toBe(`job run ${bad.id} FAILED (exit_code)\nexit code: 3\n\ndisk full\n`);
    const events = await pingEvents(store);
    expect(events.map((e) => [e.type, e.run_id, e.data.ping, e.data.target, e.data.http_status])).toEqual([
      ['healthcheck.pinged', ok.id, 'start', new URL(rx.url).origin, 200],
      ['healthcheck.pinged', ok.id, 'success', new URL(rx.url).origin, 200],
      ['healthcheck.pinged', bad.id, 'start', new URL(rx.url).origin, 200],
      ['healthcheck.pinged', bad.id, 'fail', new URL(rx.url).origin, 200],
    ]);
    expect(JSON.stringify(events)).not.toContain('5f1c-secret');

    const again = new HealthcheckFeed(store, clock, lookup);
    await again.start();
    await again.check();
    await again.stop();
    expect(rx.requests).toHaveLength(4);
  });

  it('a ping that is refused or not answered in time is recorded as healthcheck.failed and the feed moves on', async () => {
    const { store, clock, home } = await tempStore();
    const down = await receiver({ refuse: 2 });
    const t = alertTask(undefined as never, { healthcheck: down.url, alert: undefined });
    const feed = new HealthcheckFeed(store, clock, () => ({ task: t, timezone: 'UTC' }), { timeoutMs: 300 });
    await feed.start();
    const run = await finishedRun(store, clock, home, { outcome: 'SUCCESS', slot: Date.UTC(2026, 0, 1) });
    await feed.check();
    await feed.stop(); // the pings in flight are done
    down.setHang(true);
    const late = await finishedRun(store, clock, home, { outcome: 'SUCCESS', slot: Date.UTC(2026, 0, 2) });
    await feed.check();
    await feed.stop();
    const events = await pingEvents(store);
    expect(events.map((e) => [e.type, e.run_id, e.data.ping, e.data.http_status ?? null, e.data.error])).toEqual([
      ['healthcheck.failed', run.id, 'start', 503, 'HTTP 503 Service Unavailable'],
      ['healthcheck.failed', run.id, 'success', 503, 'HTTP 503 Service Unavailable'],
      ['healthcheck.failed', late.id, 'start', null, 'no answer within 300 ms'],
      ['healthcheck.failed', late.id, 'success', null, 'no answer within 300 ms'],
    ]);
    expect(await store.runs.get(run.id)).toMatchObject({ state: 'SUCCESS', version: run.version });
  });
});
