// overlap "replace": a slot that comes while a run of the task is live ends that run (TERMINATED,
// reason replaced, its process group killed, as `easytask terminate` does) and waits for it to end.
import type { Clock } from '../core/clock.js';
import { isFinal } from '../core/states.js';
import type { Store } from '../store/index.js';
import type { LocalAgent } from './agent.js';
import { planTerminate } from './terminate-runs.js';
import { movedMeanwhile } from './trigger.js';

export class Replacer {
  /** Live runs already asked to end, so a pass that finds them still live does not ask again. */
  private asked = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly agent: Pick<LocalAgent, 'terminate'>,
    private readonly log: (line: string) => void,
    /** A run ended here (it had not started): the run waiting for it triggers on the next pass. */
    private readonly wake: () => void,
  ) {}

  async replace(live: readonly { id: number; by: number }[]): Promise<void> {
    const wanted = new Set(live.map((l) => l.id));
    for (const id of this.asked) if (!wanted.has(id)) this.asked.delete(id); // ended meanwhile
    for (const { id, by } of live) {
      if (this.asked.has(id)) continue;
      const run = await this.store.runs.get(id);
      if (!run || isFinal(run.state)) continue;
      const plan = planTerminate(this.agent, [run], 'replaced', this.clock.now(), { by: 'overlap replace', replaced_by: by });
      for (const o of plan.requests.length ? await this.store.runs.transitionEach(plan.requests) : []) if (!o.ok && !movedMeanwhile(o.error)) throw o.error;
      if (plan.requests.length) this.wake();
      if (plan.stop.length) await this.store.attempts.requestTerminate(plan.stop);
      this.asked.add(id);
      this.log(`${run.task_name}: run ${by} replaces ${plan.done.join(', ')} (overlap replace)`);
    }
  }
}
