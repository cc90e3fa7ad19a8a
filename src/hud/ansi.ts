// Just enough ANSI for the HUD: colors, cursor moves, and width-aware cutting.

export type Color = 'green' | 'red' | 'yellow' | 'grey';

const SGR: Record<Color, string> = {
  green: '\x1b[32m',
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  grey: '\x1b[90m',
};
const RESET = '\x1b[0m';

/** Moves the cursor to the start of the line `n` lines up. */
export function cursorUp(n: number): string {
  return n > 0 ? `\r\x1b[${n}A` : '\r';
}

/** Clears from the cursor to the end of the screen. */
export const CLEAR_DOWN = '\x1b[0J';

/** A run of text in one color (none: the terminal's default). */
export interface Span {
  text: string;
  color?: Color;
}

/** Columns a string takes: one per code point (the HUD's glyphs are all narrow). */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/**
 * Cuts spans to `width` columns, ending in `…` when something was cut, and
 * drops trailing blanks, so a line never wraps (wrapping would break the
 * cursor arithmetic of the redraw).
 */
export function fitSpans(spans: Span[], width: number): Span[] {
  const trimmed = trimEnd(spans);
  const total = trimmed.reduce((n, s) => n + textWidth(s.text), 0);
  if (total <= width) return trimmed;
  if (width <= 0) return [];
  const out: Span[] = [];
  let room = width - 1; // keep a column for the ellipsis
  for (const span of trimmed) {
    if (room <= 0) break;
    const chars = Array.from(span.text);
    const take = chars.slice(0, room);
    out.push({ ...span, text: take.join('') });
    room -= take.length;
  }
  const last = out[out.length - 1];
  out.push({ text: '…', color: last?.color });
  return out;
}

function trimEnd(spans: Span[]): Span[] {
  const out = spans.filter((s) => s.text !== '');
  while (out.length > 0) {
    const last = out[out.length - 1];
    const text = last.text.trimEnd();
    if (text !== '') {
      out[out.length - 1] = { ...last, text };
      break;
    }
    out.pop();
  }
  return out;
}

/** Joins spans into a string, with color codes only when `color`. */
export function paint(spans: Span[], color: boolean): string {
  return spans
    .map((s) => (color && s.color !== undefined ? `${SGR[s.color]}${s.text}${RESET}` : s.text))
    .join('');
}
