// A client's side of a control request: store it, wait for the daemon's acknowledgement, and
// withdraw it when no daemon takes it in time. Shared by the CLI and the dashboard.
import { sleep, systemClock, type Clock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { EasyTaskError } from '../core/errors.js';
import { liveDaemon } from '../daemon/lock.js';
import type { Store } from '../store/index.js';
import { encode, type ControlRequest } from './request.js';

export interface ControlAck {
  ok: boolean;
  message: string;
  result: Record<string, unknown>;
}

/** Send `request`; resolves with the daemon's answer, or throws NO_DAEMON once `waitMs` passes unanswered. */
export async function sendRequest(store: Store, request: ControlRequest, waitMs: number = DEFAULTS.ackWaitMs, clock: Clock = systemClock, onQueued?: () => void): Promise<ControlAck> {
  const daemon = await liveDaemon(store);
  const { kind, target, args } = encode(request);
  const id = await store.commands.enqueue(kind, target, args);
  onQueued?.();
  const deadline = clock.now() + waitMs;
  for (;;) {
    const c = (await store.commands.get(id))!;
    if (c.acked_at !== null) return { ok: c.ok === 1, message: c.message ?? '', result: c.result ? (JSON.parse(c.result) as Record<string, unknown>) : {} };
    if (clock.now() >= deadline) break;
    await sleep(clock, daemon ? 25 : 100);
  }
  await store.commands.withdraw(id);
  throw new EasyTaskError(
    'NO_DAEMON',
    daemon
      ? `the daemon (pid ${daemon.pid}) did not acknowledge within ${waitMs / 1000}s; the request was withdrawn`
      : `no daemon took the request within ${waitMs / 1000}s (start one with: easytask daemon); the request was withdrawn`,
    1,
  );
}
