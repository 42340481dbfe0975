// Who may call the HTTP API: a POST always needs a bearer token; a read needs one unless the server
// listens on a loopback address only. Tokens are compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1, ::ffff:127.x, and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export type Decision = { ok: true; name: string | undefined } | { ok: false; status: 401; code: 'UNAUTHORIZED'; message: string };

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** The name of the token presented, comparing against every token (no early exit, equal lengths). */
export function tokenName(presented: string, tokens: ReadonlyMap<string, string>): string | undefined {
  const p = digest(presented);
  let found: string | undefined;
  for (const [name, token] of tokens) if (timingSafeEqual(p, digest(token)) && found === undefined) found = name;
  return found;
}

/** The rule: POST needs a valid token; any request does when the bind address is not loopback. */
export function authorize(req: { method: string; authorization: string | undefined }, loopbackBind: boolean, tokens: ReadonlyMap<string, string>): Decision {
  const needed = req.method !== 'GET' && req.method !== 'HEAD' ? true : !loopbackBind;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.authorization ?? '');
  const name = m ? tokenName(m[1]!, tokens) : undefined;
  if (name) return { ok: true, name };
  if (!needed) return { ok: true, name: undefined };
  const why = m ? 'the bearer token is not one of the home\'s http-tokens' : 'this request needs Authorization: Bearer <token> (see: easytask http-token)';
  return { ok: false, status: 401, code: 'UNAUTHORIZED', message: why };
}
