// The dashboard container: subscribes to the view-model, turns keys into commands, follows the selected log.
import { useApp, useInput } from 'ink';
import { useCallback, useRef, useState } from 'react';
import { runCommand, type Control } from '../commands.js';
import { useLogTail, useTerminalSize, useView, type PollSource } from '../hooks.js';
import { keyCommand } from '../keys.js';
import { layoutFor } from '../layout.js';
import { selectedTask } from '../model/rows.js';
import { initialUi, type UiState } from '../ui-state.js';
import type { ViewStore } from '../view-store.js';
import { Screen } from './Screen.js';

export interface AppProps {
  view: ViewStore;
  control: Control;
  polls?: PollSource;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { columns: number; rows: number };
}

export function App({ view, control, polls, size }: AppProps) {
  const state = useView(view);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const { exit } = useApp();
  const uiRef = useRef<UiState>(initialUi);
  const [ui, setUiState] = useState<UiState>(initialUi);
  const setUi = useCallback((f: (u: UiState) => UiState) => {
    uiRef.current = f(uiRef.current);
    setUiState(uiRef.current);
  }, []);
  const task = ui.logs ? selectedTask(state) : undefined;
  const logPath = task?.run ? (ui.stream === 'stdout' ? task.run.stdoutPath : task.run.stderrPath) : null;
  const logLines = useLogTail(polls, logPath);
  const page = layoutFor(rows, ui.logs).tree;
  useInput((input, key) => {
    const ctx = { view, ui: () => uiRef.current, setUi, control, exit, page };
    // Keys typed faster than a frame (or sent by a script) arrive as one string: one command per character.
    const chars = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
    for (const ch of chars) runCommand(keyCommand(uiRef.current.mode, ch, chars.length > 1 ? {} : key), ctx);
  });
  return <Screen state={state} ui={ui} width={columns} height={rows} logLines={logLines} />;
}
