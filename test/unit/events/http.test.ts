import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { backoffMs, post, safeTarget, signBody } from '../../../src/events/http.js';

describe('signBody', () => {
  it('is sha256=<hex HMAC-SHA256 of the exact body>', () => {
    const body = '{"id":"1"}';
    expect(signBody('s3cret', body)).toBe('sha256=' + createHmac('sha256', 's3cret').update(body).digest('hex'));
    expect(signBody('s3cret', body)).not.toBe(signBody('other', body));
  });
});

describe('backoffMs', () => {
  it('doubles per consecutive failure and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, 1000, 60_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });
});

describe('post', () => {
  it('turns a refused connection and a non-2xx answer into values, not exceptions', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const refused = await post({ url: `http://127.0.0.1:${port}/`, body: '{}', contentType: 'application/json', timeoutMs: 2000 });
    expect(refused).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    const fake = async () => new Response('nope', { status: 503, statusText: 'Service Unavailable' });
    expect(await post({ url: 'http://x/', body: '{}', contentType: 'application/json', timeoutMs: 1000, fetchImpl: fake })).toEqual({ ok: false, status: 503, error: 'HTTP 503 Service Unavailable' });
  });

  it('keeps only the origin of a URL for the record', () => {
    expect(safeTarget('https://hooks.slack.com/services/T0/B0/SECRET?x=1')).toBe('https://hooks.slack.com');
    expect(safeTarget('not a url')).toBe('invalid URL');
  });
});
