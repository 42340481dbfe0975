// The API's control requests (POST, always with a token): the same requests the CLI sends (a
// command row the daemon carries out and acknowledges), and enable/disable through the same
// definition write as the CLI. Each records who asked: api:<token name>.
import type { Asker } from '../core/asker.js';
import { sendRequest } from '../control/client.js';
import type { ControlRequest } from '../control/request.js';
import { setActive } from '../definitions/set-active.js';
import type { RequestContext, Route } from './context.js';
import { HttpError, readBody, sendJson } from './respond.js';

interface Body {
  date?: string;
  instance?: string;
  note?: string;
}

const MAX_NOTE = 1000;

function optionalText(body: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw new HttpError(400, 'BAD_INPUT', `${key} must be a string of at most ${max} characters`);
  return v;
}

/** The body's date (a real YYYYMMDD), instance and note. */
export function parseBody(body: Record<string, unknown>): Body {
  const date = optionalText(body, 'date', 8);
  if (date !== undefined) {
    const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(4, 6)), Number(date.slice(6, 8))];
    const t = new Date(Date.UTC(y, m - 1, d));
    if (!/^\d{8}$/.test(date) || t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) throw new HttpError(400, 'BAD_INPUT', `date must be a real date as YYYYMMDD, got "${date}"`);
  }
  return { date, instance: optionalText(body, 'instance', 200), note: optionalText(body, 'note', MAX_NOTE) };
}

const asker = (ctx: RequestContext, b: Body): Asker => ({ by: `api:${ctx.tokenName ?? '?'}`, ...(b.note ? { note: b.note } : {}) });

/** Send the request and answer with the daemon's acknowledgement: 200, or 409 (refused), 400 (bad input). */
async function ask(ctx: RequestContext, request: ControlRequest): Promise<void> {
  const ack = await sendRequest(ctx.store, request, undefined, undefined, () => ctx.daemon.changed());
  if (ack.ok) return sendJson(ctx.res, 200, ack);
  const status = ack.result.exit_code === 2 ? 400 : 409;
  sendJson(ctx.res, status, { error: { code: status === 400 ? 'BAD_INPUT' : 'REFUSED', message: ack.message }, ...ack });
}

/** 404 before anything is sent when the task (or group) does not exist. */
async function known(ctx: RequestContext, name: string, instance: string | undefined): Promise<void> {
  await ctx.store.defs.get(name, instance);
}

const taskRoute = (verb: 'force-run' | 'terminate' | 'freeze' | 'unfreeze'): Route => ({
  method: 'POST',
  path: new RegExp(`^/api/tasks/([^/]+)/${verb}$`),
  async handle(ctx, [name]) {
    const b = parseBody(await readBody(ctx.req));
    await known(ctx, name!, b.instance);
    const who = asker(ctx, b);
    const common = { target: name!, ...(b.instance ? { instance: b.instance } : {}), ...who };
    if (verb === 'terminate') return ask(ctx, { kind: 'terminate', ...common });
    return ask(ctx, { kind: verb, ...common, ...(b.date ? { date: b.date } : {}) });
  },
});

const activeRoute = (active: boolean): Route => ({
  method: 'POST',
  path: new RegExp(`^/api/tasks/([^/]+)/${active ? 'enable' : 'disable'}$`),
  async handle(ctx, [name]) {
    const b = parseBody(await readBody(ctx.req));
    const r = await setActive(ctx.store, name!, active, { instance: b.instance, who: asker(ctx, b), onWritten: () => ctx.daemon.changed() });
    const d = r.definition;
    sendJson(ctx.res, 200, { name: d.def.name, kind: d.kind, instance: d.def.instance, active, changed: r.changed });
  },
});

export const CONTROL_ROUTES: Route[] = [
  taskRoute('force-run'),
  taskRoute('terminate'),
  taskRoute('freeze'),
  taskRoute('unfreeze'),
  activeRoute(true),
  activeRoute(false),
  {
    method: 'POST',
    path: /^\/api\/runs\/(\d+)\/terminate$/,
    async handle(ctx, [id]) {
      const b = parseBody(await readBody(ctx.req));
      const run = await ctx.store.runs.get(Number(id));
      if (!run) throw new HttpError(404, 'NOT_FOUND', `run ${id} does not exist`);
      await ask(ctx, { kind: 'terminate', run: run.id, ...asker(ctx, b) });
    },
  },
];
