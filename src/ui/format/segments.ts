// A line of styled text as plain data, so row layout is tested without rendering.
import type { Color } from '../theme.js';

export interface Seg {
  text: string;
  color?: Color;
  bold?: boolean;
  dim?: boolean;
}

export const seg = (text: string, style: Omit<Seg, 'text'> = {}): Seg => ({ text, ...style });

export const plainText = (segs: readonly Seg[]): string => segs.map((s) => s.text).join('');

/** Fit text in exactly `width` columns: cut with an ellipsis or pad with spaces. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
}
