// One HTTP POST with a time limit, a signature when there is a secret, and a failure as a value.
import { createHmac } from 'node:crypto';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export const SIGNATURE_HEADER = 'X-EasyTask-Signature';

/** `sha256=<hex>` of HMAC-SHA256(secret, body): what a receiver recomputes to trust the body. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export type PostResult = { ok: true; status: number } | { ok: false; status?: number; error: string };

export interface PostRequest {
  url: string;
  body: string;
  contentType: string;
  secret?: string;
  timeoutMs: number;
  fetchImpl?: FetchLike;
  /** Aborts the request (stop()). */
  signal?: AbortSignal;
}

export async function post(req: PostRequest): Promise<PostResult> {
  const headers: Record<string, string> = { 'content-type': req.contentType, 'user-agent': 'easytask' };
  if (req.secret) headers[SIGNATURE_HEADER] = signBody(req.secret, req.body);
  const signals = [AbortSignal.timeout(req.timeoutMs), ...(req.signal ? [req.signal] : [])];
  try {
    const res = await (req.fetchImpl ?? fetch)(req.url, { method: 'POST', headers, body: req.body, signal: AbortSignal.any(signals) });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { ok: false, error: `no answer within ${req.timeoutMs} ms` };
    if (e.name === 'AbortError') return { ok: false, error: 'aborted' };
    return { ok: false, error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

/** The retry delay after `failures` consecutive failures: doubled each time, capped. */
export function backoffMs(failures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
}

/** A URL without its path, query and credentials, safe to record in an event. */
export function safeTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}
