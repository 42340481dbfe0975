import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorize, isLoopback, tokenName } from '../../../src/http/auth.js';
import { ensureToken, readTokens, TokenFile } from '../../../src/http/tokens.js';
import { tempHome } from '../../helpers/home.js';

const tokens = new Map([['default', 'a'.repeat(43)], ['grafana', 'b'.repeat(43)]]);
const bearer = (t: string) => `Bearer ${t}`;

describe('HTTP API: who may call it', () => {
  it('loopback addresses are told from the others', () => {
    for (const h of ['127.0.0.1', '127.8.9.1', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });

  it('a loopback bind: reads need no token, a POST always does', () => {
    expect(authorize({ method: 'GET', authorization: undefined }, true, tokens)).toEqual({ ok: true, name: undefined });
    expect(authorize({ method: 'POST', authorization: undefined }, true, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authorize({ method: 'POST', authorization: bearer('c'.repeat(43)) }, true, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authorize({ method: 'POST', authorization: bearer('b'.repeat(43)) }, true, tokens)).toEqual({ ok: true, name: 'grafana' });
    // A read with a token still says whose it is.
    expect(authorize({ method: 'GET', authorization: bearer('a'.repeat(43)) }, true, tokens)).toEqual({ ok: true, name: 'default' });
  });

  it('a bind on another address: every request needs a valid token', () => {
    expect(authorize({ method: 'GET', authorization: undefined }, false, tokens)).toMatchObject({ ok: false, status: 401, code: 'UNAUTHORIZED' });
    expect(authorize({ method: 'GET', authorization: 'Basic abc' }, false, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authorize({ method: 'GET', authorization: bearer('a'.repeat(42)) }, false, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authorize({ method: 'GET', authorization: bearer('a'.repeat(43)) }, false, tokens)).toEqual({ ok: true, name: 'default' });
  });

  it('tokenName compares whole tokens: a prefix or a longer string is no match', () => {
    expect(tokenName('a'.repeat(43), tokens)).toBe('default');
    expect(tokenName('a'.repeat(10), tokens)).toBeUndefined();
    expect(tokenName('a'.repeat(44), tokens)).toBeUndefined();
  });
});

describe('HTTP API: the token file', () => {
  it('is created mode 0600 with a default token, keeps named tokens, and is refused once others may read it', () => {
    const home = tempHome();
    const first = ensureToken(home);
    expect(first).toMatchObject({ name: 'default', created: true });
    expect(statSync(join(home, 'http-tokens')).mode & 0o777).toBe(0o600);
    expect(ensureToken(home)).toMatchObject({ token: first.token, created: false });
    const g = ensureToken(home, 'grafana');
    expect(g.created).toBe(true);
    expect(g.token).not.toBe(first.token);
    expect(readTokens(home)).toEqual(new Map([['default', first.token], ['grafana', g.token]]));
    expect(readFileSync(join(home, 'http-tokens'), 'utf8')).toContain(`grafana ${g.token}\n`);
    chmodSync(join(home, 'http-tokens'), 0o644);
    expect(() => readTokens(home)).toThrow(/may be read by others \(mode 0644\).*chmod 600/);
    expect(() => ensureToken(home)).toThrow(/may be read by others/);
  });

  it('a malformed line is refused with its line number', () => {
    const home = tempHome();
    writeFileSync(join(home, 'http-tokens'), '# tokens\ndefault short\n', { mode: 0o600 });
    expect(() => readTokens(home)).toThrow(/line 2: expected "NAME TOKEN"/);
  });

  it('a running server sees a token added later, and accepts none once the file is unsafe', () => {
    const home = tempHome();
    const first = ensureToken(home);
    const lines: string[] = [];
    const file = new TokenFile(home, (l) => lines.push(l));
    expect([...file.current().keys()]).toEqual(['default']);
    const ci = ensureToken(home, 'ci');
    expect(file.current().get('ci')).toBe(ci.token);
    expect(authorize({ method: 'POST', authorization: `Bearer ${ci.token}` }, true, file.current())).toEqual({ ok: true, name: 'ci' });
    chmodSync(join(home, 'http-tokens'), 0o644);
    expect(file.current().size).toBe(0);
    expect(authorize({ method: 'POST', authorization: `Bearer ${first.token}` }, true, file.current())).toMatchObject({ ok: false, status: 401 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/no token is accepted until .*http-tokens is fixed: .*may be read by others/);
  });
});
