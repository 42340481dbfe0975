// random_delay: a per-slot offset in [0, random_delay] seconds, like systemd's RandomizedDelaySec. It
// is derived from the owner and the slot instant (a hash, no state), so the same slot gets the same
// offset after a restart or on another host, and a run is never due before its slot.
import { createHash } from 'node:crypto';

/** Whose delay it is: a standalone task's own name, or the group a member runs in, per instance. */
export function delayOwner(def: { instance: string; name: string; task_group?: string }): string {
  return `${def.instance}/${def.task_group ?? def.name}`;
}

/** The offset of one slot, in ms: whole seconds from 0 to `seconds`; 0 without a delay. */
export function randomDelayMs(owner: string, slot: number, seconds: number | undefined): number {
  if (!seconds) return 0;
  const digest = createHash('sha256').update(`${owner}\u0000${slot}`).digest();
  const fraction = digest.readUIntBE(0, 6) / 2 ** 48; // [0, 1)
  return Math.floor(fraction * (seconds + 1)) * 1000;
}

/** When the run of a slot is due: the slot plus its offset. */
export function delayedInstant(owner: string, slot: number, seconds: number | undefined): number {
  return slot + randomDelayMs(owner, slot, seconds);
}
