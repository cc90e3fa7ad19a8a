// Terminal text for the log pane: SGR colours and styles become spans, every other escape
// sequence and control character is dropped.

export interface AnsiStyle {
  /** 0-15: a palette class; a string: a CSS colour (256-colour and true-colour codes). */
  fg?: number | string;
  bg?: number | string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSpan {
  text: string;
  style: AnsiStyle | null;
}

// CSI (with its parameters), OSC (to BEL or ST), other two-byte escapes, and C0 controls but tab.
// Group 1 and 2: a CSI's parameters and final byte.
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]?|[\x00-\x08\x0a-\x1f\x7f]/g;

// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * What a terminal would leave of a line with carriage returns: the text after the last one
 * (a trailing one, as in CRLF, does not count).
 */
export function settleCarriageReturns(s: string): string {
  if (s.indexOf('\r') < 0) return s;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  const t = s.slice(0, end);
  return t.slice(t.lastIndexOf('\r') + 1);
}

/** The text without escapes and control characters, as it reads on screen. */
export function plainText(s: string): string {
  const t = settleCarriageReturns(s);
  return HAS_CONTROL.test(t) ? t.replace(ESCAPES, '') : t;
}

export function hasControl(s: string): boolean {
  return HAS_CONTROL.test(s);
}

/** The spans of one line; plain text becomes one unstyled span. */
export function parseAnsi(s: string): AnsiSpan[] {
  const line = settleCarriageReturns(s);
  if (!HAS_CONTROL.test(line)) return [{ text: line, style: null }];
  const spans: AnsiSpan[] = [];
  let style: AnsiStyle = {};
  let pos = 0;
  ESCAPES.lastIndex = 0;
  for (let m = ESCAPES.exec(line); m; m = ESCAPES.exec(line)) {
    if (m.index > pos) spans.push({ text: line.slice(pos, m.index), style: styleOrNull(style) });
    pos = m.index + m[0].length;
    if (m[2] === 'm' && m[0].charCodeAt(1) === 91) style = applySgr(style, m[1]);
  }
  if (pos < line.length) spans.push({ text: line.slice(pos), style: styleOrNull(style) });
  return spans;
}

function styleOrNull(s: AnsiStyle): AnsiStyle | null {
  for (const k in s) if (s[k as keyof AnsiStyle] !== undefined) return s;
  return null;
}

function applySgr(prev: AnsiStyle, params: string): AnsiStyle {
  const s: AnsiStyle = { ...prev };
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) {
      for (const k of Object.keys(s)) delete s[k as keyof AnsiStyle];
    } else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) s.bold = s.dim = undefined;
    else if (c === 23) s.italic = undefined;
    else if (c === 24) s.underline = undefined;
    else if (c === 27) s.inverse = undefined;
    else if (c >= 30 && c <= 37) s.fg = c - 30;
    else if (c >= 90 && c <= 97) s.fg = c - 90 + 8;
    else if (c === 39) s.fg = undefined;
    else if (c >= 40 && c <= 47) s.bg = c - 40;
    else if (c >= 100 && c <= 107) s.bg = c - 100 + 8;
    else if (c === 49) s.bg = undefined;
    else if (c === 38 || c === 48) {
      const [colour, used] = extendedColour(codes, i + 1);
      if (c === 38) s.fg = colour;
      else s.bg = colour;
      i += used;
    }
  }
  return s;
}

/** `5;n` or `2;r;g;b` after 38/48: the colour and how many codes it took. */
function extendedColour(codes: number[], i: number): [number | string | undefined, number] {
  if (codes[i] === 5 && i + 1 < codes.length) {
    const n = codes[i + 1];
    return [n < 16 ? n : xterm256(n), 2];
  }
  if (codes[i] === 2 && i + 3 < codes.length) {
    return [`rgb(${codes[i + 1]},${codes[i + 2]},${codes[i + 3]})`, 4];
  }
  return [undefined, codes.length - i];
}

function xterm256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const k = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(k / 36))},${level(Math.floor(k / 6) % 6)},${level(k % 6)})`;
}
