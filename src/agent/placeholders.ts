// Resolves ${E:…}, ${T:…}, ${P:…} and bare ${NAME} placeholders (product.md §2) when an attempt starts.
import { DateTime } from 'luxon';
import { shellQuote } from './shell-quote.js';

/** `cmd` quotes every value for bash; `path` (stdout/stderr) does not; `alert` also allows ${P:…}. */
export type PlaceholderMode = 'cmd' | 'path' | 'alert';

export const ALERT_PARAMS = ['status', 'pid', 'duration', 'stdout', 'stderr'] as const;
export type AlertParam = (typeof ALERT_PARAMS)[number];

export interface PlaceholderContext {
  /** The attempt's environment: process env + task env + profile exports. */
  env: Readonly<Record<string, string | undefined>>;
  taskName: string;
  taskId: number;
  /** The run's trigger instant, epoch ms; feeds the built-ins. */
  triggerAt: number;
  /** The task's IANA zone; the built-ins are local times in it. */
  timezone: string;
  /** Values for ${P:…}, alert mode only; a missing one resolves to the empty string. */
  params?: Partial<Record<AlertParam, string>>;
}

export interface ResolveOptions {
  mode: PlaceholderMode;
  /** Where the text comes from, for messages: `cmd`, `stdout`, `alert command`… */
  field: string;
  /** Shell-quote substituted values; default true for `cmd` and `alert`, false for `path`. */
  quote?: boolean;
}

export type Resolution = { ok: true; value: string } | { ok: false; message: string };

type Lookup = { ok: true; value: string } | { ok: false; message: string } | { ok: 'keep' };

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Built-in `${E:…}` names: local date and time of the trigger instant in the task's zone. */
const BUILTIN_FORMATS: Readonly<Record<string, string>> = {
  YYYYMMDD: 'yyyyMMdd',
  'HH:MM': 'HH:mm',
  HHMM: 'HHmm',
  HH: 'HH',
};

/**
 * Replace every placeholder in `text`. Any other `${…}` form (`${x:-d}`, `${#a}`) is bash's and is
 * left alone; so is a bare `${name}` that is not in the environment when resolving `cmd`, since it
 * is then most likely a shell variable (a loop variable, say) that bash itself expands.
 */
export function resolvePlaceholders(text: string, ctx: PlaceholderContext, opts: ResolveOptions): Resolution {
  const quote = opts.quote ?? opts.mode !== 'path';
  let failure: string | undefined;
  const value = text.replace(PLACEHOLDER, (whole: string, inner: string) => {
    if (failure !== undefined) return whole;
    const found = lookup(inner, ctx, opts);
    if (found.ok === 'keep') return whole;
    if (!found.ok) {
      failure = found.message;
      return whole;
    }
    return quote ? shellQuote(found.value) : found.value;
  });
  return failure === undefined ? { ok: true, value } : { ok: false, message: failure };
}

function lookup(inner: string, ctx: PlaceholderContext, opts: ResolveOptions): Lookup {
  const unknown: Lookup = { ok: false, message: `unknown placeholder \${${inner}} in ${opts.field}` };
  const colon = inner.indexOf(':');
  const kind = colon > 0 ? inner.slice(0, colon) : '';
  const name = colon > 0 ? inner.slice(colon + 1) : inner;
  switch (kind) {
    case 'E':
      return environment(name, ctx) ?? unknown;
    case 'T':
      if (name === 'task_name') return { ok: true, value: ctx.taskName };
      if (name === 'task_id') return { ok: true, value: String(ctx.taskId) };
      return unknown;
    case 'P':
      return alertParam(name, inner, ctx, opts) ?? unknown;
    default:
      if (!IDENTIFIER.test(inner)) return { ok: 'keep' };
      return environment(inner, ctx) ?? (opts.mode === 'cmd' ? { ok: 'keep' } : unknown);
  }
}

function environment(name: string, ctx: PlaceholderContext): Lookup | undefined {
  const format = BUILTIN_FORMATS[name];
  if (format !== undefined) {
    const local = DateTime.fromMillis(ctx.triggerAt, { zone: ctx.timezone });
    if (!local.isValid) return { ok: false, message: `unknown time zone "${ctx.timezone}" for \${E:${name}}` };
    return { ok: true, value: local.toFormat(format) };
  }
  const value = ctx.env[name];
  return value === undefined ? undefined : { ok: true, value };
}

function alertParam(name: string, inner: string, ctx: PlaceholderContext, opts: ResolveOptions): Lookup | undefined {
  if (!(ALERT_PARAMS as readonly string[]).includes(name)) return undefined;
  if (opts.mode !== 'alert') {
    return { ok: false, message: `placeholder \${${inner}} is only allowed in alerts, not in ${opts.field}` };
  }
  return { ok: true, value: ctx.params?.[name as AlertParam] ?? '' };
}
