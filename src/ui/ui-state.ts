// The dashboard's own screen state (input mode, panes, prompts, messages): not part of the view-model.
import type { Mode } from './keys.js';
import type { TaskStatus } from './model/types.js';
import { ALL_STATUSES } from './model/counts.js';

export type Stream = 'stdout' | 'stderr';

export interface UiState {
  mode: Mode;
  /** The filter text while it is typed. */
  draft: string;
  logs: boolean;
  stream: Stream;
  confirm: { task: string; instance: string; runId: number; state: string } | null;
  /** The last command's answer, until the next key. */
  message: { text: string; level: 'info' | 'error' } | null;
}

export const initialUi: UiState = { mode: 'normal', draft: '', logs: false, stream: 'stdout', confirm: null, message: null };

/** `f` steps through: all, then one state at a time. */
const CYCLE: readonly (readonly TaskStatus[])[] = [[], ...ALL_STATUSES.map((s) => [s])];

export function cycleStates(current: readonly TaskStatus[], dir: 1 | -1): readonly TaskStatus[] {
  const at = current.length === 1 ? CYCLE.findIndex((c) => c[0] === current[0]) : current.length === 0 ? 0 : -1;
  const from = at < 0 ? 0 : at;
  return CYCLE[(from + dir + CYCLE.length) % CYCLE.length]!;
}
