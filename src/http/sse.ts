// GET /api/events/stream: the event log as Server-Sent Events, each event's id its seq. A client
// resumes after Last-Event-ID (or ?after=SEQ): the events it missed come from the store first, then
// the live ones from the hub, in seq order, none twice.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { every, type Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import { eventJson } from '../events/format.js';
import type { Store } from '../store/index.js';
import type { EventHub } from './event-hub.js';

const PAGE = 1000;
const KEEPALIVE_MS = 15_000;

export async function streamEvents(req: IncomingMessage, res: ServerResponse, store: Store, hub: EventHub, clock: Clock, after: number | undefined): Promise<void> {
  let last = after ?? 0;
  let live = false;
  let closed = false;
  const held: StoredEvent[] = [];
  const send = (events: readonly StoredEvent[]): void => {
    let text = '';
    for (const e of events) {
      if (e.seq <= last) continue;
      text += `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(eventJson(e))}\n\n`;
      last = e.seq;
    }
    if (text && !closed) res.write(text);
  };
  // Subscribed before the catch-up reads, so an event the hub hands over meanwhile is held, not lost.
  const unsubscribe = hub.subscribe((events) => (live ? send(events) : held.push(...events)));
  const keepalive = every(clock, KEEPALIVE_MS, () => void (closed || res.write(': keepalive\n\n')));
  const close = () => {
    closed = true;
    unsubscribe();
    keepalive.cancel();
  };
  req.on('close', close);
  res.on('error', close);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': easytask events\n\n');
  try {
    if (after === undefined) last = await store.events.lastSeq();
    else {
      for (;;) {
        const page = await store.events.list({ afterSeq: last, limit: PAGE });
        send(page);
        if (page.length < PAGE || closed) break;
      }
    }
  } catch (err) {
    res.write(`event: error\ndata: ${JSON.stringify({ error: { code: 'STORE', message: (err as Error).message } })}\n\n`);
    res.end();
    close();
    return;
  }
  live = true;
  send(held.splice(0));
}
