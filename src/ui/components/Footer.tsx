// The bottom line: the filter being typed, a y/n question, the last command's answer, or the key hints.
import { seg, type Seg } from '../format/segments.js';
import type { UiState } from '../ui-state.js';
import { Line } from './Line.js';

const HINTS = '↑↓/jk move  enter expand  / filter  f state  l logs  tab stream  r run  t terminate  z freeze  ? help  q quit';

export function footerSegs(ui: UiState): Seg[] {
  switch (ui.mode) {
    case 'filter':
      return [seg('filter: ', { color: 'cyan', bold: true }), seg(`${ui.draft}▌`), seg('  (enter keep · esc clear)', { dim: true })];
    case 'confirm':
      if (!ui.confirm) return [];
      return [seg(`Terminate run ${ui.confirm.runId} of ${ui.confirm.task} (${ui.confirm.state})? `, { color: 'red', bold: true }), seg('y/n', { bold: true })];
    case 'help':
      return [seg('any key: back to the tree  q: quit', { dim: true })];
    case 'normal':
      if (ui.message) return [seg(ui.message.text, ui.message.level === 'error' ? { color: 'red' } : { color: 'green' })];
      return [seg(HINTS, { dim: true })];
  }
}

export function Footer({ ui }: { ui: UiState }) {
  return <Line segs={footerSegs(ui)} />;
}
