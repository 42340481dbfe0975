// The whole frame, from the view-model and the screen state: header, tree (or help), event tail, logs, footer.
import { Box } from 'ink';
import { filterActive } from '../model/filter.js';
import { cursorIndex, selectedTask, visibleRows } from '../model/rows.js';
import type { ViewState } from '../model/types.js';
import { layoutFor } from '../layout.js';
import type { UiState } from '../ui-state.js';
import { EventTail } from './EventTail.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import { LogPane } from './LogPane.js';
import { TreeView } from './TreeView.js';

export interface ScreenProps {
  state: ViewState;
  ui: UiState;
  width: number;
  height: number;
  logLines: readonly string[];
}

export function Screen({ state, ui, width, height, logLines }: ScreenProps) {
  const layout = layoutFor(height, ui.logs);
  const rows = visibleRows(state);
  const empty = filterActive(state.filter) ? 'nothing matches the filter (esc clears it; /, s or f changes it)' : 'no tasks yet: easytask insert <file>';
  return (
    <Box flexDirection="column" width={width} height={Math.max(1, height - 1)} overflow="hidden">
      <Header state={state} width={width} />
      {ui.mode === 'help' ? (
        <Help height={layout.tree} />
      ) : (
        <TreeView rows={rows} cursor={cursorIndex(state, rows)} height={layout.tree} now={state.now} emptyText={empty} />
      )}
      {layout.events > 0 ? <EventTail events={state.tail} height={layout.events} /> : null}
      {layout.logs > 0 ? <LogPane task={selectedTask(state)} stream={ui.stream} lines={logLines} height={layout.logs} /> : null}
      <Footer ui={ui} />
    </Box>
  );
}
