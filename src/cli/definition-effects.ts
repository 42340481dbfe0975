// After the CLI changes definitions: their effects on runs (a deleted or disabled task skips its
// pending runs) are the daemon's to apply. With no daemon holding the home, the CLI applies the same
// function itself, in the store's unit that checks so; with one, it waits for the daemon to have done it.
import { sleep, systemClock, type Clock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { liveDaemon, liveOf } from '../daemon/lock.js';
import type { Store } from '../store/index.js';

export interface Settled {
  /** False when a daemon holds the home but had not applied them within the wait. */
  applied: boolean;
  /** Runs skipped because of the event with this seq. */
  skippedBy(seq: number | undefined): Promise<number>;
}

export async function settleDefinitionEffects(store: Store, upTo: number, waitMs: number = DEFAULTS.ackWaitMs, clock: Clock = systemClock): Promise<Settled> {
  // Taken here only with no daemon (asked again inside the store's unit); while one lives, only read.
  const applyIfVacant = async () =>
    (await liveDaemon(store)) === undefined && (await store.definitionEffects.apply((lease) => liveOf(lease) === undefined)) !== undefined;
  let applied = await applyIfVacant();
  const deadline = clock.now() + waitMs;
  while (!applied && clock.now() < deadline) {
    await sleep(clock, 25);
    applied = ((await store.definitionEffects.applied()) ?? 0) >= upTo || (await applyIfVacant());
  }
  return { applied, skippedBy: async (seq) => (seq === undefined ? 0 : store.definitionEffects.skippedBy(seq - 1, seq)) };
}
