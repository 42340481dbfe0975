// This agent's row in the store (easytask agents): written every few seconds, which is enough to be
// seen online (offline after 10 s without one), and at once when the number of live runs changed.
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/index.js';
import { hostName } from './lock.js';

/** How often the row is written while nothing changes. */
const AGENT_BEAT_MS = 3000;

export class AgentBeat {
  private at = -Infinity;
  private runs = -1;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly running: () => number,
  ) {}

  async beat(): Promise<void> {
    const now = this.clock.monotonic();
    const running = this.running();
    if (now - this.at < AGENT_BEAT_MS && running === this.runs) return;
    this.at = now;
    this.runs = running;
    await this.store.agents.beat(hostName(), process.pid, running);
  }
}
