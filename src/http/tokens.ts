// The HTTP API's bearer tokens: the file <home>/http-tokens, one `NAME TOKEN` a line, mode 0600. The
// daemon creates it (with a `default` token) on its first start with --http, and refuses to start
// while others may read it.
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EasyTaskError } from '../core/errors.js';

export const TOKENS_FILE = 'http-tokens';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const tokensPath = (home: string): string => join(home, TOKENS_FILE);
const newToken = (): string => randomBytes(32).toString('base64url');

/** The tokens by name; refused (HTTP_TOKENS) when the file is readable by others or a line is malformed. */
export function readTokens(home: string): Map<string, string> {
  const path = tokensPath(home);
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new EasyTaskError('INSECURE', `${path} may be read by others (mode ${mode.toString(8).padStart(4, '0')}); it holds the HTTP API's tokens: run chmod 600 ${path}`, 1);
  }
  const tokens = new Map<string, string>();
  for (const [i, raw] of readFileSync(path, 'utf8').split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [name, token, ...rest] = line.split(/\s+/);
    if (!name || !token || rest.length || !NAME.test(name) || token.length < 16) {
      throw new EasyTaskError('INSECURE', `${path} line ${i + 1}: expected "NAME TOKEN" (a name of letters, digits, _ . -, and a token of at least 16 characters)`, 1);
    }
    tokens.set(name, token);
  }
  return tokens;
}

/** The token called `name`, created (and the file with mode 0600) when missing. */
export function ensureToken(home: string, name = 'default'): { name: string; token: string; created: boolean; path: string } {
  if (!NAME.test(name)) throw new EasyTaskError('BAD_INPUT', `--name must be letters, digits, _ . - (up to 64), got "${name}"`, 2);
  const path = tokensPath(home);
  if (!existsSync(path)) {
    writeFileSync(path, '# EasyTask HTTP API tokens: NAME TOKEN, one a line (keep this file mode 0600)\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600); // whatever the umask
  }
  const known = readTokens(home).get(name);
  if (known) return { name, token: known, created: false, path };
  const token = newToken();
  appendFileSync(path, `${name} ${token}\n`);
  return { name, token, created: true, path };
}

/**
 * The tokens as the file holds them now: read again when the file changed (a token added with
 * `easytask http-token --name` works without a restart). A file that became unreadable, insecure or
 * malformed leaves no token valid (closed, not open) and is said once.
 */
export class TokenFile {
  private stamp = '';
  private tokens = new Map<string, string>();

  constructor(
    private readonly home: string,
    private readonly log: (line: string) => void,
  ) {}

  current(): ReadonlyMap<string, string> {
    let stamp: string;
    try {
      const st = statSync(tokensPath(this.home));
      stamp = `${st.mtimeMs}:${st.size}:${st.mode}:${st.ino}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.stamp) return this.tokens;
    this.stamp = stamp;
    try {
      this.tokens = readTokens(this.home);
    } catch (err) {
      this.tokens = new Map();
      this.log(`HTTP API: no token is accepted until ${tokensPath(this.home)} is fixed: ${(err as Error).message}`);
    }
    return this.tokens;
  }
}
