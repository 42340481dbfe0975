// Answers of the HTTP API: JSON bodies, and errors as {error: {code, message}} with their status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EasyTaskError } from '../core/errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The status an error answers with: 400 bad input, 404 unknown, 503 no daemon or store, else 500. */
export function statusOf(err: unknown): { status: number; code: string; message: string } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof EasyTaskError) {
    const status = err.code === 'BAD_INPUT' ? 400 : err.code === 'NOT_FOUND' ? 404 : err.code === 'NO_DAEMON' ? 503 : 500;
    return { status, code: err.code, message: err.message };
  }
  return { status: 500, code: 'INTERNAL', message: (err as Error)?.message ?? String(err) };
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e = statusOf(err);
  if (res.headersSent) return void res.end();
  sendJson(res, e.status, { error: { code: e.code, message: e.message } });
}

const MAX_BODY = 64 * 1024;

/** A POST's JSON object body ({} when empty); 400 when it is not one, 413 when too large. */
export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'TOO_LARGE', `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BAD_INPUT', 'the body is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpError(400, 'BAD_INPUT', 'the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A query parameter as a whole number in [min, max], or its default; 400 otherwise. */
export function intParam(q: URLSearchParams, name: string, dflt: number | undefined, min: number, max: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new HttpError(400, 'BAD_INPUT', `${name} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}
