// Resolves ${E:…}, ${T:…}, ${P:…} and bare ${NAME} placeholders (product.md §2) when an attempt starts.
import { DateTime } from 'luxon';
import { shellContexts, type ShellContext } from './shell-context.js';

/**
 * `cmd` hands every value to bash as a variable, never as script text; `path` (stdout/stderr)
 * splices values in as they are; `alert` also allows ${P:…}.
 */
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
  /**
   * The text is a bash script (default true for `cmd` and `alert`, false for `path`): each value is
   * then put in `env` and the placeholder replaced by a reference to it that fits its quoting.
   */
  quote?: boolean;
}

/**
 * `env` holds the variables the script's references need (`EASYTASK_VALUE_1`, …); the script must
 * run with them in its environment. It is empty when nothing was substituted or `quote` is false.
 */
export type Resolution = { ok: true; value: string; env: Record<string, string> } | { ok: false; message: string };

/** The variables that carry placeholder values into a script: EASYTASK_VALUE_1, EASYTASK_VALUE_2, … */
export const VALUE_VARIABLE_PREFIX = 'EASYTASK_VALUE_';

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
  const script = opts.quote ?? opts.mode !== 'path';
  const contexts = script ? shellContexts(text) : undefined;
  const env: Record<string, string> = {};
  const names = new Map<string, string>();
  let failure: string | undefined;
  const value = text.replace(PLACEHOLDER, (whole: string, inner: string, offset: number) => {
    if (failure !== undefined) return whole;
    const found = lookup(inner, ctx, opts);
    if (found.ok === 'keep') return whole;
    if (!found.ok) {
      failure = found.message;
      return whole;
    }
    if (contexts === undefined) return found.value;
    const where = contexts[offset] ?? 'plain';
    if (where === 'heredoc-literal') {
      failure = `placeholder ${whole} in ${opts.field} is inside a quoted here-document (<<'EOF'), where bash expands nothing; use an unquoted delimiter (<<EOF)`;
      return whole;
    }
    if (where === 'arith') {
      if (/^[+-]?\d+$/.test(found.value)) return found.value;
      failure = `placeholder ${whole} in ${opts.field} is inside an arithmetic expression, so its value must be a whole number; got ${JSON.stringify(found.value)}`;
      return whole;
    }
    let name = names.get(inner);
    if (name === undefined) {
      name = `${VALUE_VARIABLE_PREFIX}${names.size + 1}`;
      names.set(inner, name);
      env[name] = found.value;
    }
    return reference(name, where);
  });
  return failure === undefined ? { ok: true, value, env } : { ok: false, message: failure };
}

/** A reference to variable `name` that bash expands to its value as one literal word, in context `where`. */
function reference(name: string, where: Exclude<ShellContext, 'arith' | 'heredoc-literal'>): string {
  switch (where) {
    case 'plain':
      return `"\${${name}}"`;
    case 'double':
    case 'heredoc':
      return `\${${name}}`;
    case 'single':
      return `'"\${${name}}"'`;
    case 'ansi':
      return `'"\${${name}}"$'`;
  }
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
