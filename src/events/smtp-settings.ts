// Where email alerts are sent from: the daemon's SMTP settings, from its environment (EASYTASK_SMTP_*)
// or from <home>/smtp.json, never from a task definition. Read at each mail, so a fix needs no restart.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EasyTaskError } from '../core/errors.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte (port 465). */
  secure: boolean;
  /** smtp://: STARTTLS is required unless tls is "off" (a plain connection, for a relay on the same host). */
  starttls: boolean;
  user?: string;
  password?: string;
  from: string;
  /** Certificates to trust beside the system's (PEM), e.g. a private CA or a self-signed server. */
  ca?: string;
  /** Where the settings came from, for error messages. */
  source: string;
}

/** The settings file's fields (all strings): the same names as the variables, lower case, without EASYTASK_SMTP_. */
const FILE_KEYS = ['url', 'user', 'password', 'password_file', 'from', 'tls', 'ca_file'] as const;
type Raw = Partial<Record<(typeof FILE_KEYS)[number], string>>;

export const SMTP_FILE = 'smtp.json';

const fail = (message: string): never => {
  throw new EasyTaskError('BAD_INPUT', message, 2);
};

/**
 * The settings in force: the environment when EASYTASK_SMTP_URL is set, else <home>/smtp.json.
 * Throws SMTP_SETTINGS (with what to do) when there are none or they cannot be used.
 */
export function smtpSettings(home: string, env: NodeJS.ProcessEnv = process.env): SmtpSettings {
  if (env.EASYTASK_SMTP_URL) {
    const raw: Raw = {};
    for (const k of FILE_KEYS) {
      const v = env[`EASYTASK_SMTP_${k.toUpperCase()}`];
      if (v !== undefined && v !== '') raw[k] = v;
    }
    return parse(raw, 'the environment (EASYTASK_SMTP_*)');
  }
  const path = join(home, SMTP_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return fail(`no SMTP settings: set EASYTASK_SMTP_URL (and EASYTASK_SMTP_FROM, …) in the daemon's environment, or write ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(`${path} is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${path} must hold an object such as {"url": "smtp://mail.example.com:587", "from": "easytask@example.com"}`);
  for (const [k, v] of Object.entries(raw)) {
    if (!(FILE_KEYS as readonly string[]).includes(k)) fail(`${path}: unknown field "${k}"; expected ${FILE_KEYS.join(', ')}`);
    if (typeof v !== 'string') fail(`${path}: "${k}" must be a string`);
  }
  const settings = raw as Raw;
  if (settings.password !== undefined || hasUrlPassword(settings.url)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) fail(`${path} holds a password but its mode is 0${mode.toString(8)}; make it readable by its owner only (chmod 600 ${path})`);
  }
  return parse(settings, path);
}

function hasUrlPassword(url: string | undefined): boolean {
  try {
    return url !== undefined && new URL(url).password !== '';
  } catch {
    return false;
  }
}

function parse(raw: Raw, source: string): SmtpSettings {
  if (!raw.url) return fail(`${source}: no SMTP server: "url" (EASYTASK_SMTP_URL) such as smtp://mail.example.com:587 or smtps://mail.example.com`);
  let url: URL;
  try {
    url = new URL(raw.url);
  } catch {
    return fail(`${source}: the SMTP url "${redact(raw.url)}" is not a URL; expected smtp://host:port or smtps://host:port`);
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) fail(`${source}: the SMTP url must be smtp://host[:port] or smtps://host[:port]`);
  const secure = url.protocol === 'smtps:';
  const tls = raw.tls ?? 'starttls';
  if (tls !== 'starttls' && tls !== 'off') fail(`${source}: tls (EASYTASK_SMTP_TLS) must be "starttls" (the default) or "off"`);
  if (secure && tls === 'off') fail(`${source}: tls "off" contradicts an smtps:// url`);
  if (!raw.from) fail(`${source}: no sender: "from" (EASYTASK_SMTP_FROM) such as easytask@example.com`);
  let password = raw.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  if (raw.password_file) {
    try {
      password = readFileSync(raw.password_file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      fail(`${source}: cannot read the password file ${raw.password_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let ca: string | undefined;
  if (raw.ca_file) {
    try {
      ca = readFileSync(raw.ca_file, 'utf8');
    } catch (err) {
      fail(`${source}: cannot read the CA file ${raw.ca_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const user = raw.user ?? (url.username ? decodeURIComponent(url.username) : undefined);
  if (password !== undefined && user === undefined) fail(`${source}: a password without a user (EASYTASK_SMTP_USER)`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    starttls: !secure && tls === 'starttls',
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    from: raw.from!,
    ...(ca !== undefined ? { ca } : {}),
    source,
  };
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
