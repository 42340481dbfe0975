// The bottom line: the filter being typed, a y/n question, the last command's answer, or the key hints.
import { seg, type Seg } from '../format/segments.js';
import { ALL_STATES_KEY, STATE_KEYS } from '../keys.js';
import { statusColor } from '../theme.js';
import type { UiState } from '../ui-state.js';
import { Line } from './Line.js';

const HINTS = '↑↓/jk move  enter expand  / filter  s state  esc clear  l logs  tab stream  r run  t terminate  z freeze  ? help  q quit';

/** The state picker: each state's letter in bold, the state in its colour. */
function pickerSegs(): Seg[] {
  const picks = STATE_KEYS.flatMap(([k, state]) => [seg(` ${k}`, { bold: true }), seg(` ${state}`, { color: statusColor(state) })]);
  return [seg('state:', { color: 'cyan', bold: true }), ...picks, seg(` ${ALL_STATES_KEY}`, { bold: true }), seg(' all', { dim: true }), seg('  (esc back)', { dim: true })];
}

export function footerSegs(ui: UiState): Seg[] {
  switch (ui.mode) {
    case 'filter':
      return [seg('filter: ', { color: 'cyan', bold: true }), seg(`${ui.draft}▌`), seg('  (enter keep · esc clear)', { dim: true })];
    case 'confirm':
      if (!ui.confirm) return [];
      return [seg(`Terminate run ${ui.confirm.runId} of ${ui.confirm.task} (${ui.confirm.state})? `, { color: 'red', bold: true }), seg('y/n', { bold: true })];
    case 'help':
      return [seg('any key: back to the tree  q: quit', { dim: true })];
    case 'state':
      return pickerSegs();
    case 'normal':
      if (ui.message) return [seg(ui.message.text, ui.message.level === 'error' ? { color: 'red' } : { color: 'green' })];
      return [seg(HINTS, { dim: true })];
  }
}

export function Footer({ ui }: { ui: UiState }) {
  return <Line segs={footerSegs(ui)} />;
}
