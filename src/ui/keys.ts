// Keys to commands, as a pure function of the input mode, so key handling is tested without a terminal.
import type { TaskStatus } from './model/types.js';

/** `state`: the state picker opened by `s`, waiting for a state's letter. */
export type Mode = 'normal' | 'filter' | 'confirm' | 'help' | 'state';

/** The subset of Ink's key flags the dashboard reads. */
export interface KeyFlags {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export type KeyCommand =
  | { kind: 'move'; delta: number }
  | { kind: 'page'; dir: 1 | -1 }
  | { kind: 'edge'; to: 'top' | 'bottom' }
  | { kind: 'toggle' }
  | { kind: 'expand'; open: boolean }
  | { kind: 'filter-start' }
  | { kind: 'filter-type'; text: string }
  | { kind: 'filter-erase' }
  | { kind: 'filter-done'; keep: boolean }
  | { kind: 'state-cycle'; dir: 1 | -1 }
  /** Open the state picker. */
  | { kind: 'state-pick-start' }
  /** Filter by this state alone (null: every state), and close the picker. */
  | { kind: 'state-pick'; state: TaskStatus | null }
  | { kind: 'state-pick-cancel' }
  /** Esc in the tree: drop the text and the state filter. */
  | { kind: 'filter-clear' }
  | { kind: 'logs' }
  | { kind: 'stream' }
  | { kind: 'force-run' }
  | { kind: 'terminate' }
  | { kind: 'answer'; yes: boolean }
  | { kind: 'freeze' }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'none' };

function filterKey(input: string, key: KeyFlags): KeyCommand {
  if (key.return) return { kind: 'filter-done', keep: true };
  if (key.escape) return { kind: 'filter-done', keep: false };
  if (key.backspace || key.delete) return { kind: 'filter-erase' };
  if (key.ctrl || key.meta || input === '' || /[\x00-\x1f]/.test(input)) return { kind: 'none' };
  return { kind: 'filter-type', text: input };
}

/**
 * The state picker's letters: EasyTask's state letters, as dependency expressions use them
 * (`S:extract`, `F:load`), most wanted first. `x` picks every state.
 */
export const STATE_KEYS: ReadonlyArray<readonly [string, TaskStatus]> = [
  ['f', 'FAILED'],
  ['r', 'RUNNING'],
  ['s', 'SUCCESS'],
  ['t', 'TERMINATED'],
  ['k', 'SKIPPED'],
  ['e', 'REJECTED'],
  ['g', 'RESTARTING'],
  ['z', 'TRIGGER'],
  ['d', 'STARTED'],
  ['a', 'ACTIVE'],
  ['o', 'FROZEN'],
  ['i', 'IDLE'],
];
export const ALL_STATES_KEY = 'x';

function stateKey(input: string, key: KeyFlags): KeyCommand {
  if (key.escape) return { kind: 'state-pick-cancel' };
  const letter = input.toLowerCase();
  if (letter === ALL_STATES_KEY) return { kind: 'state-pick', state: null };
  const hit = STATE_KEYS.find(([k]) => k === letter);
  return hit ? { kind: 'state-pick', state: hit[1] } : { kind: 'none' };
}

const NORMAL: Readonly<Record<string, KeyCommand>> = {
  j: { kind: 'move', delta: 1 },
  k: { kind: 'move', delta: -1 },
  g: { kind: 'edge', to: 'top' },
  G: { kind: 'edge', to: 'bottom' },
  '/': { kind: 'filter-start' },
  f: { kind: 'state-cycle', dir: 1 },
  F: { kind: 'state-cycle', dir: -1 },
  s: { kind: 'state-pick-start' },
  l: { kind: 'logs' },
  r: { kind: 'force-run' },
  t: { kind: 'terminate' },
  z: { kind: 'freeze' },
  '?': { kind: 'help' },
  q: { kind: 'quit' },
  ' ': { kind: 'toggle' },
};

function normalKey(input: string, key: KeyFlags): KeyCommand {
  if (key.upArrow) return { kind: 'move', delta: -1 };
  if (key.downArrow) return { kind: 'move', delta: 1 };
  if (key.pageUp) return { kind: 'page', dir: -1 };
  if (key.pageDown) return { kind: 'page', dir: 1 };
  if (key.leftArrow) return { kind: 'expand', open: false };
  if (key.rightArrow) return { kind: 'expand', open: true };
  if (key.return) return { kind: 'toggle' };
  if (key.tab) return { kind: 'stream' };
  if (key.escape) return { kind: 'filter-clear' };
  if (key.ctrl || key.meta) return { kind: 'none' };
  return NORMAL[input] ?? { kind: 'none' };
}

export function keyCommand(mode: Mode, input: string, key: KeyFlags): KeyCommand {
  switch (mode) {
    case 'filter':
      return filterKey(input, key);
    case 'confirm':
      return { kind: 'answer', yes: input === 'y' || input === 'Y' };
    case 'help':
      return input === 'q' ? { kind: 'quit' } : { kind: 'help' };
    case 'state':
      return stateKey(input, key);
    case 'normal':
      return normalKey(input, key);
  }
}
