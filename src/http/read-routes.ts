// The JSON API's reads: tasks, runs, a run's output, and the event log (a page, or a stream).
import { open } from 'node:fs/promises';
import { isRunState } from '../core/states.js';
import { runView } from '../cli/run-view.js';
import { lastAsked } from '../events/last-asked.js';
import { eventJson } from '../events/format.js';
import type { RunRow } from '../store/index.js';
import type { RequestContext, Route } from './context.js';
import { HttpError, intParam, sendJson } from './respond.js';
import { streamEvents } from './sse.js';

/** How much of each output stream /api/runs/:id/logs returns (the end of it), bytes. */
const LOG_TAIL = 1024 * 1024;

async function runOf(ctx: RequestContext, id: string): Promise<RunRow> {
  const run = await ctx.store.runs.get(Number(id));
  if (!run) throw new HttpError(404, 'NOT_FOUND', `run ${id} does not exist`);
  return run;
}

/** The end of a file, at most LOG_TAIL bytes; null when the run wrote none or it is gone. */
async function tail(path: string | null): Promise<{ path: string | null; text: string | null; bytes: number; truncated: boolean }> {
  if (!path) return { path, text: null, bytes: 0, truncated: false };
  let h;
  try {
    h = await open(path, 'r');
  } catch {
    return { path, text: null, bytes: 0, truncated: false };
  }
  try {
    const { size } = await h.stat();
    const from = Math.max(0, size - LOG_TAIL);
    const buf = Buffer.alloc(size - from);
    await h.read(buf, 0, buf.length, from);
    return { path, text: buf.toString('utf8'), bytes: size, truncated: from > 0 };
  } finally {
    await h.close();
  }
}

export const READ_ROUTES: Route[] = [
  {
    method: 'GET',
    path: /^\/api\/tasks$/,
    async handle(ctx) {
      const defs = (await ctx.store.defs.all('task')).flatMap((s) => (s.definition.kind === 'task' ? [s.definition.def] : []));
      const latest = await ctx.store.runs.latestOfTasks(defs.map((t) => ({ task: t.name, instance: t.instance })));
      const tasks = defs.map((t, i) => ({ name: t.name, tid: t.tid, instance: t.instance, state: t.active ? 'ACTIVE' : 'IDLE', group: t.task_group ?? null, last_run: latest[i] ? runView(latest[i].run) : null }));
      sendJson(ctx.res, 200, { tasks });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/tasks\/([^/]+)$/,
    async handle(ctx, [name]) {
      const s = await ctx.store.defs.get(name!, ctx.url.searchParams.get('instance') ?? undefined);
      const d = s.definition;
      const runs = d.kind === 'task' ? (await ctx.store.runs.list({ task: d.def.name, instance: d.def.instance, limit: 10 })).map((r) => runView(r)) : [];
      const asked = d.kind === 'task' ? await lastAsked(ctx.store, d.def.name, d.def.instance) : { last_disable: null, last_freeze: null };
      sendJson(ctx.res, 200, { kind: d.kind, name: d.def.name, state: d.def.active ? 'ACTIVE' : 'IDLE', version: s.version, updated_at: new Date(s.updated_at).toISOString(), ...asked, definition: d.def, recent_runs: runs });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/runs$/,
    async handle(ctx) {
      const q = ctx.url.searchParams;
      const state = q.get('state')?.toUpperCase();
      if (state !== undefined && state !== '' && !isRunState(state)) throw new HttpError(400, 'BAD_INPUT', `state must be a run state (ACTIVE, TRIGGER, …, SUCCESS, FAILED), got "${q.get('state')}"`);
      const limit = intParam(q, 'limit', 50, 1, 1000)!;
      const runs = await ctx.store.runs.list({ ...(q.get('task') ? { task: q.get('task')! } : {}), ...(q.get('instance') ? { instance: q.get('instance')! } : {}), ...(state ? { state } : {}), limit });
      sendJson(ctx.res, 200, { runs: runs.map((r) => runView(r)) });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/runs\/(\d+)$/,
    async handle(ctx, [id]) {
      const run = await runOf(ctx, id!);
      sendJson(ctx.res, 200, { run: runView(run, await ctx.store.runs.lastAttemptMs(run)) });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/runs\/(\d+)\/logs$/,
    async handle(ctx, [id]) {
      const run = await runOf(ctx, id!);
      const [stdout, stderr] = await Promise.all([tail(run.stdout_path), tail(run.stderr_path)]);
      sendJson(ctx.res, 200, { run: run.id, state: run.state, attempt: run.attempt, stdout, stderr });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/events$/,
    async handle(ctx) {
      const q = ctx.url.searchParams;
      const after = intParam(q, 'after', 0, 0, Number.MAX_SAFE_INTEGER)!;
      const limit = intParam(q, 'limit', 100, 1, 1000)!;
      const events = await ctx.store.events.list({ afterSeq: after, limit, ...(q.get('task') ? { task: q.get('task')! } : {}) });
      sendJson(ctx.res, 200, { events: events.map(eventJson), next_after: events.at(-1)?.seq ?? after });
    },
  },
  {
    method: 'GET',
    path: /^\/api\/events\/stream$/,
    async handle(ctx) {
      const header = ctx.req.headers['last-event-id'];
      const fromHeader = typeof header === 'string' && header !== '' ? header : undefined;
      if (fromHeader !== undefined && !/^\d+$/.test(fromHeader)) throw new HttpError(400, 'BAD_INPUT', `Last-Event-ID must be an event seq, got "${fromHeader}"`);
      const after = fromHeader !== undefined ? Number(fromHeader) : intParam(ctx.url.searchParams, 'after', undefined, 0, Number.MAX_SAFE_INTEGER);
      await streamEvents(ctx.req, ctx.res, ctx.store, ctx.hub, ctx.clock, after);
    },
  },
];
