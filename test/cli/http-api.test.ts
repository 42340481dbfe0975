// The built daemon with --http on a free port: metrics parsed by a real Prometheus parser, the health
// check (503 while the store is locked by another writer), the JSON API, the event stream with its
// resume, tokens on POST, and who asked (with a note) through show and events.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startDaemonProcess } from '../helpers/daemon-process.js';
import { tempHome } from '../helpers/home.js';
import { parseMetrics, valueOf } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/wait.js';

const insert = (home: string, def: object) => expect(cli(home, ['insert', '-'], { input: JSON.stringify(def) }).code).toBe(0);

async function startWithHttp(home: string): Promise<{ base: string; token: string; output: () => string }> {
  const d = await startDaemonProcess(home, ['--http', '127.0.0.1:0']);
  const port = /HTTP API and metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(d.output())?.[1];
  expect(port, d.output()).toBeDefined();
  const token = cli(home, ['http-token']).stdout.trim();
  return { base: `http://127.0.0.1:${port}`, token, output: d.output };
}

const getJson = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, any> };
};

/** Read an SSE stream until `n` events came; each as {id, event, data}. */
async function readEvents(url: string, n: number, headers: Record<string, string> = {}): Promise<{ id: number; event: string; data: any }[]> {
  const ac = new AbortController();
  const r = await fetch(url, { headers, signal: ac.signal });
  expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const out: { id: number; event: string; data: any }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of r.body!) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const f = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      if (f.id) out.push({ id: Number(f.id), event: f.event!, data: JSON.parse(f.data!) });
    }
    if (out.length >= n) break;
  }
  ac.abort();
  return out.slice(0, n);
}

describe('easytask daemon --http', () => {
  it('metrics, health, JSON API, event stream, tokens, and who asked', async () => {
    const home = tempHome();
    insert(home, { name: 'ok', cmd: 'echo hello; echo oops >&2', trigger_times: '08:00' });
    insert(home, { name: 'bad', cmd: 'exit 3', trigger_times: '08:00' });
    const { base, token } = await startWithHttp(home);
    const auth = { authorization: `Bearer ${token}` };

    expect((await getJson(`${base}/healthz`))).toMatchObject({ status: 200, body: { status: 'ok', leader: true, degraded: null } });

    // A POST without a token, or with a wrong one: 401, and nothing runs.
    let r = await fetch(`${base}/api/tasks/ok/force-run`, { method: 'POST' });
    expect(r.status).toBe(401);
    expect(await r.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await fetch(`${base}/api/tasks/ok/force-run`, { method: 'POST', headers: { authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(401);
    expect((await getJson(`${base}/api/runs`)).body.runs).toEqual([]);

    // Force runs through the API: one succeeds, one fails; an unknown task is 404, a bad date 400.
    const since = (await getJson(`${base}/api/events?limit=1000`)).body.next_after as number;
    r = await fetch(`${base}/api/tasks/ok/force-run`, { method: 'POST', headers: auth });
    const okRun = ((await r.json()) as any).result.run as number;
    expect(r.status).toBe(200);
    r = await fetch(`${base}/api/tasks/bad/force-run`, { method: 'POST', headers: auth, body: '{}' });
    expect(r.status).toBe(200);
    expect((await fetch(`${base}/api/tasks/nosuch/force-run`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/api/tasks/ok/freeze`, { method: 'POST', headers: auth, body: JSON.stringify({ date: '20260231' }) })).status).toBe(400);
    const done = async () => (await getJson(`${base}/api/runs?state=FAILED`)).body.runs.length === 1 && (await getJson(`${base}/api/runs?task=ok&state=success`)).body.runs.length === 1;
    const deadline = Date.now() + 15_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('runs did not end');
      await new Promise((res) => setTimeout(res, 50));
    }
    const run = (await getJson(`${base}/api/runs/${okRun}`)).body.run;
    expect(run).toMatchObject({ id: okRun, task: 'ok', state: 'SUCCESS', exit_code: 0, origin: 'force' });
    const logs = (await getJson(`${base}/api/runs/${okRun}/logs`)).body;
    expect([logs.stdout.text, logs.stderr.text]).toEqual(['hello\n', 'oops\n']);
    expect((await getJson(`${base}/api/runs/999999`)).status).toBe(404);
    expect((await getJson(`${base}/api/runs?limit=abc`)).status).toBe(400);
    const tasks = (await getJson(`${base}/api/tasks`)).body.tasks as any[];
    expect(tasks.map((t) => [t.name, t.state, t.last_run?.state])).toEqual([['bad', 'ACTIVE', 'FAILED'], ['ok', 'ACTIVE', 'SUCCESS']]);

    // Metrics (the reader follows the pass that recorded the ends by a few tens of ms).
    let m = parseMetrics('');
    for (const until = Date.now() + 5000; Date.now() < until; await new Promise((res) => setTimeout(res, 50))) {
      m = parseMetrics(await (await fetch(`${base}/metrics`)).text());
      if (valueOf(m, 'easytask_runs_finished_total', { task: 'bad', state: 'FAILED' }) === 1 && valueOf(m, 'easytask_runs_finished_total', { task: 'ok', state: 'SUCCESS' }) === 1) break;
    }
    expect(valueOf(m, 'easytask_runs_finished_total', { task: 'ok', state: 'SUCCESS' })).toBe(1);
    expect(valueOf(m, 'easytask_runs_finished_total', { task: 'bad', state: 'FAILED' })).toBe(1);
    expect(valueOf(m, 'easytask_runs_live')).toBe(0);
    expect(valueOf(m, 'easytask_up')).toBe(1);
    expect(valueOf(m, 'easytask_degraded')).toBe(0);
    expect(valueOf(m, 'easytask_last_success_timestamp_seconds', { task: 'ok' })).toBeCloseTo(Date.parse(run.ended_at) / 1000, 1);
    expect(m.find((f) => f.name === 'easytask_fire_lateness_seconds')!.metrics[0]!.count).toBe('2');

    // The event stream from `since`: every event since, in seq order; then resumed with Last-Event-ID.
    const page = (await getJson(`${base}/api/events?after=${since}&limit=1000`)).body.events as any[];
    const streamed = await readEvents(`${base}/api/events/stream?after=${since}`, page.length);
    expect(streamed.map((e) => e.id)).toEqual(page.map((e) => e.seq));
    expect(streamed.map((e) => e.event)).toEqual(page.map((e) => e.type));
    const triggered = streamed.find((e) => e.event === 'run.triggered' && e.data.task === 'ok')!;
    expect(triggered.data.data).toMatchObject({ forced: true, by: 'api:default' });
    const resumeAt = streamed[3]!.id;
    const resumed = await readEvents(`${base}/api/events/stream`, 2, { 'last-event-id': String(resumeAt) });
    expect(resumed.map((e) => e.id)).toEqual([streamed[4]!.id, streamed[5]!.id]);

    // Live: a stream opened now receives the disable the API makes, with who asked and the note.
    const live = readEvents(`${base}/api/events/stream`, 1);
    await new Promise((res) => setTimeout(res, 200));
    r = await fetch(`${base}/api/tasks/ok/disable`, { method: 'POST', headers: auth, body: JSON.stringify({ note: 'disk swap' }) });
    expect(await r.json()).toMatchObject({ name: 'ok', active: false, changed: true });
    const [disabled] = await live;
    expect(disabled).toMatchObject({ event: 'task.disabled', data: { task: 'ok', data: { by: 'api:default', note: 'disk swap' } } });
    expect(cli(home, ['show', 'ok']).stdout).toMatch(/disabled: +\S+ by api:default: disk swap/);
    expect((await getJson(`${base}/api/tasks/ok`)).body).toMatchObject({ state: 'IDLE', last_disable: { by: 'api:default', note: 'disk swap' } });

    // The CLI records the OS user as who asked.
    const { userInfo } = await import('node:os');
    expect(cli(home, ['disable', 'bad', '--note', 'flaky upstream']).code).toBe(0);
    expect(cli(home, ['events']).stdout).toContain(`task.disabled task bad version 2 tid 1000002 by ${userInfo().username} note "flaky upstream"`);
    expect(cli(home, ['show', 'bad']).stdout).toContain(`by ${userInfo().username}: flaky upstream`);

    // The store locked by another writer: the daemon's writes fail (degraded), and /healthz says 503.
    const db = new Database(join(home, 'easytask.db'));
    db.exec('BEGIN EXCLUSIVE');
    try {
      let h = await getJson(`${base}/healthz`);
      for (const until = Date.now() + 30_000; h.status === 200 && Date.now() < until; h = await getJson(`${base}/healthz`)) await new Promise((res) => setTimeout(res, 200));
      expect(h).toMatchObject({ status: 503, body: { status: 'degraded', degraded: { cause: 'database_locked' } } });
    } finally {
      db.exec('COMMIT');
      db.close();
    }
  }, 90_000);
});
