// The control requests a client (the CLI, the dashboard) asks the daemon to carry out, as one typed
// union, and the one place that turns them into a stored command row and back.
import type { Asker } from '../core/asker.js';
import type { CommandKind, CommandRow } from '../store/index.js';

/** Every request may say who asked (`by`: the OS user, or api:<token name>) and why (`note`); the events it causes carry both. */
export type ControlRequest = Asker & (
  /** Run a task (or start a group cycle) now, for a business date (default: today in its zone). */
  | { kind: 'force-run'; target: string; date?: string; instance?: string }
  /** End a task's live runs, or one run (`run`; with `target`, it must be one of that task's). */
  | { kind: 'terminate'; target?: string; run?: number; instance?: string }
  /** Hold (freeze) or release (unfreeze) a task's runs for a date (default: today in its zone). */
  | { kind: 'freeze' | 'unfreeze'; target: string; date?: string; instance?: string }
  /** Set a finished run to SUCCESS or FAILED. */
  | { kind: 'modify-status'; run: number; status: 'SUCCESS' | 'FAILED' }
  /** Re-read the definitions. */
  | { kind: 'reload' }
  /** Create the runs of a task's past slots from one date to another (YYYY-MM-DD in its zone); existing slots stay. */
  | { kind: 'backfill'; target: string; from: string; to: string; max?: number; instance?: string }
);

export type Decoded = { ok: true; request: ControlRequest } | { ok: false; message: string };

/** The row a request is stored as: kind, target, and its other fields as JSON. */
export function encode(r: ControlRequest): { kind: CommandKind; target: string | null; args: Record<string, unknown> } {
  const e = encodeKind(r);
  return { ...e, args: { ...e.args, ...defined({ by: r.by, note: r.note }) } };
}

function encodeKind(r: ControlRequest): { kind: CommandKind; target: string | null; args: Record<string, unknown> } {
  switch (r.kind) {
    case 'force-run':
    case 'freeze':
    case 'unfreeze':
      return { kind: r.kind, target: r.target, args: defined({ date: r.date, instance: r.instance }) };
    case 'terminate':
      return { kind: r.kind, target: r.target ?? null, args: defined({ run: r.run, instance: r.instance }) };
    case 'modify-status':
      return { kind: r.kind, target: String(r.run), args: { status: r.status } };
    case 'reload':
      return { kind: r.kind, target: null, args: {} };
    case 'backfill':
      return { kind: r.kind, target: r.target, args: defined({ from: r.from, to: r.to, max: r.max, instance: r.instance }) };
  }
}

/** A stored row back as a request; a row no client of this version writes is refused with the reason. */
export function decode(row: Pick<CommandRow, 'kind' | 'target' | 'args'>): Decoded {
  const d = decodeKind(row);
  if (!d.ok) return d;
  let args: Record<string, unknown> = {};
  try {
    args = JSON.parse(row.args) as Record<string, unknown>;
  } catch {
    // decodeKind refused it already
  }
  return ok({ ...d.request, ...defined({ by: optionalString(args.by), note: optionalString(args.note) }) });
}

function decodeKind(row: Pick<CommandRow, 'kind' | 'target' | 'args'>): Decoded {
  let args: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(row.args);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return bad(`its arguments are not an object: ${row.args}`);
    args = parsed as Record<string, unknown>;
  } catch {
    return bad(`its arguments are not JSON: ${row.args}`);
  }
  const target = row.target ?? undefined;
  const date = optionalString(args.date);
  const instance = optionalString(args.instance);
  switch (row.kind) {
    case 'force-run':
    case 'freeze':
    case 'unfreeze':
      if (!target) return bad(`${row.kind} names no task`);
      return ok({ kind: row.kind, target, ...defined({ date, instance }) });
    case 'terminate': {
      const run = args.run;
      if (run !== undefined && !(typeof run === 'number' && Number.isInteger(run) && run > 0)) return bad(`terminate --run must be a run id, got ${JSON.stringify(run)}`);
      if (run === undefined && !target) return bad('terminate names neither a task nor a run');
      return ok({ kind: 'terminate', ...defined({ target, run: run as number | undefined, instance }) });
    }
    case 'modify-status': {
      const run = Number(target);
      if (!target || !/^\d+$/.test(target) || run < 1) return bad(`modify-status needs a run id, got "${target ?? ''}"`);
      const status = String(args.status ?? '').toUpperCase();
      if (status !== 'SUCCESS' && status !== 'FAILED') return bad(`--status must be SUCCESS or FAILED, got "${String(args.status ?? '')}"`);
      return ok({ kind: 'modify-status', run, status });
    }
    case 'reload':
      return ok({ kind: 'reload' });
    case 'backfill': {
      const [from, to, max] = [optionalString(args.from), optionalString(args.to), args.max];
      if (!target || !from || !to) return bad('backfill needs a task, --from and --to');
      if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max > 0)) return bad(`backfill --max must be a positive integer, got ${JSON.stringify(max)}`);
      return ok({ kind: 'backfill', target, from, to, ...defined({ max: max as number | undefined, instance }) });
    }
    default:
      return bad(`"${String(row.kind)}" is not a control command this daemon knows`);
  }
}

const ok = (request: ControlRequest): Decoded => ({ ok: true, request });
const bad = (message: string): Decoded => ({ ok: false, message });
const optionalString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The fields that have a value (a request round-trips without `undefined` keys). */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
