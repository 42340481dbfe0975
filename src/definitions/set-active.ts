// enable / disable: one definition made ACTIVE or IDLE, with who asked (and a note) in its event; a
// disabled task's pending runs are skipped (by the daemon, or here when none holds the home). Shared
// by the CLI and the HTTP API.
import type { Asker } from '../core/asker.js';
import type { Definition } from '../core/task.js';
import { settleDefinitionEffects } from '../cli/definition-effects.js';
import type { Store } from '../store/index.js';

export interface SetActiveOutcome {
  definition: Definition;
  active: boolean;
  changed: boolean;
  /** The daemon had not skipped the disabled task's pending runs within the wait (it will once it reads the change). */
  pending: boolean;
}

export async function setActive(store: Store, ref: string, active: boolean, opts: { instance?: string; who?: Asker; onWritten?: () => void } = {}): Promise<SetActiveOutcome> {
  const res = await store.defs.setActive(ref, active, opts.instance, opts.who);
  if (res.changed) opts.onWritten?.();
  let pending = false;
  if (!active && res.changed && res.definition.kind === 'task' && res.seq !== undefined) pending = !(await settleDefinitionEffects(store, res.seq)).applied;
  return { definition: res.definition, active, changed: res.changed, pending };
}

/** "Task nightly (tid 1000001) disabled", or "… was already disabled". */
export function setActiveText(r: SetActiveOutcome): string {
  const d = r.definition;
  const label = `${d.kind === 'task' ? 'Task' : 'Group'} ${d.def.name} (${d.kind === 'task' ? `tid ${d.def.tid}` : `gid ${d.def.gid}`})`;
  return r.changed ? `${label} ${r.active ? 'enabled' : 'disabled'}` : `${label} was already ${r.active ? 'enabled' : 'disabled'}`;
}
