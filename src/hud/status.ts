// The status table of `tilt up` in a terminal, as plain lines: a pure
// function of the view, so it is tested with exact strings.

import { fitSpans, paint, textWidth, type Color, type Span } from './ansi.js';
import type { HudResource, HudView, RuntimeStatus, UpdateStatus } from './types.js';

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

/** The one-glyph summary of a resource. */
export type Light = 'busy' | 'ok' | 'error' | 'pending' | 'off';

/**
 * Like Tilt's UI, a build problem outranks the runtime: updating wins, then
 * any error, then a runtime still coming up after a deploy (busy too: the pod
 * is starting), then anything queued or unknown, then ok.
 */
export function lightOf(r: HudResource): Light {
  if (r.disabled) return 'off';
  if (r.updateStatus === 'in_progress') return 'busy';
  if (r.updateStatus === 'error' || r.runtimeStatus === 'error') return 'error';
  if (
    r.runtimeStatus === 'pending' &&
    (r.updateStatus === 'ok' || r.updateStatus === 'not_applicable')
  ) {
    return 'busy';
  }
  if (
    r.updateStatus === 'pending' ||
    r.runtimeStatus === 'pending' ||
    r.runtimeStatus === 'unknown'
  ) {
    return 'pending';
  }
  if (r.updateStatus === 'ok' || r.runtimeStatus === 'ok') return 'ok';
  return 'off';
}

/** Whether the view shows a spinner, i.e. needs animating. */
export function isBusy(view: HudView): boolean {
  return view.resources.some((r) => lightOf(r) === 'busy');
}

const LIGHT_COLOR: Record<Light, Color> = {
  busy: 'yellow',
  ok: 'green',
  error: 'red',
  pending: 'yellow',
  off: 'grey',
};

function glyph(light: Light, spinnerFrame: number): string {
  switch (light) {
    case 'busy': {
      const n = SPINNER_FRAMES.length;
      return SPINNER_FRAMES[((spinnerFrame % n) + n) % n];
    }
    case 'ok':
      return '✔';
    case 'error':
      return '✖';
    case 'pending':
      return '●';
    case 'off':
      return '–';
  }
}

const UPDATE_WORD: Record<UpdateStatus, Span> = {
  in_progress: { text: 'updating', color: 'yellow' },
  pending: { text: 'pending', color: 'yellow' },
  ok: { text: 'ok', color: 'green' },
  error: { text: 'error', color: 'red' },
  none: { text: '' },
  not_applicable: { text: '' },
};

const RUNTIME_WORD: Record<RuntimeStatus, Span> = {
  pending: { text: 'pending', color: 'yellow' },
  ok: { text: 'ok', color: 'green' },
  error: { text: 'error', color: 'red' },
  unknown: { text: 'unknown', color: 'yellow' },
  none: { text: '' },
  not_applicable: { text: '' },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * When the last update finished, as a clock time (with the date when not
 * today). Absolute on purpose: a relative "5s ago" would need a timer to
 * stay true, and an idle HUD runs none.
 */
export function formatUpdateTime(at: number, now: number): string {
  const d = new Date(at);
  const n = new Date(now);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  const sameDay =
    d.getFullYear() === n.getFullYear() &&
    d.getMonth() === n.getMonth() &&
    d.getDate() === n.getDate();
  return sameDay
    ? `${time}:${two(d.getSeconds())}`
    : `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${time}`;
}

export interface RenderOptions {
  /** Terminal columns: no line is longer. */
  width: number;
  color: boolean;
  /** Advances the spinner; any integer. */
  spinnerFrame: number;
  /** ms since epoch, to tell today's updates from older ones. */
  now: number;
}

/** One row before layout: the padded columns, then free text. */
interface Row {
  glyph: Span;
  cells: Span[];
  rest: Span[];
}

const HEADERS = ['RESOURCE', 'UPDATE', 'RUNTIME', 'UPDATED'];

function rowOf(r: HudResource, opts: RenderOptions): Row {
  const light = lightOf(r);
  const g: Span = { text: glyph(light, opts.spinnerFrame), color: LIGHT_COLOR[light] };
  if (r.disabled) {
    return {
      glyph: g,
      cells: [
        { text: r.name, color: 'grey' },
        { text: 'disabled', color: 'grey' },
        { text: '' },
        { text: '' },
      ],
      rest: [],
    };
  }
  const at = r.lastUpdate === undefined ? '' : formatUpdateTime(r.lastUpdate, opts.now);
  const rest: Span[] = [];
  if (r.detail) {
    const detailColor: Color | undefined =
      light === 'error' ? 'red' : light === 'pending' || light === 'busy' ? 'yellow' : undefined;
    rest.push({ text: oneLine(r.detail), color: detailColor });
  }
  if (r.endpoints.length > 0) rest.push({ text: r.endpoints.join(' ') });
  return {
    glyph: g,
    cells: [
      { text: r.name },
      UPDATE_WORD[r.updateStatus],
      RUNTIME_WORD[r.runtimeStatus],
      { text: at },
    ],
    rest: rest.flatMap((s, i) => (i === 0 ? [s] : [{ text: '  ' }, s])),
  };
}

/** A detail is one line by contract; a stray newline must not break the redraw. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * The lines of the status table, each at most `width` columns:
 *
 *     Tilt started on http://localhost:10350/
 *       RESOURCE    UPDATE    RUNTIME  UPDATED
 *     ✔ (Tiltfile)  ok                 15:04:05
 *     ⠋ api         updating  pending           http://localhost:8080/
 *     ✖ db          ok        error    15:04:07  CrashLoopBackOff
 *
 * A column nobody has a value for (e.g. no update finished yet) is left out.
 */
export function renderStatus(view: HudView, opts: RenderOptions): string[] {
  const lines: Span[][] = [];
  const url = view.webUrl ? ` on ${view.webUrl}` : '';
  lines.push([{ text: `Tilt started${url}` }]);
  if (view.banner) lines.push([{ text: oneLine(view.banner), color: 'red' }]);

  const rows = view.resources.map((r) => rowOf(r, opts));
  if (rows.length > 0) {
    const shown = HEADERS.map((_, i) => i < 3 || rows.some((row) => row.cells[i].text !== ''));
    const widths = HEADERS.map((h, i) =>
      Math.max(textWidth(h), ...rows.map((row) => textWidth(row.cells[i].text))),
    );
    const layout = (glyphSpan: Span, cells: Span[], rest: Span[]): Span[] => {
      const out: Span[] = [glyphSpan, { text: ' ' }];
      cells.forEach((cell, i) => {
        if (!shown[i]) return;
        if (i > 0) out.push({ text: '  ' });
        out.push(cell, { text: ' '.repeat(widths[i] - textWidth(cell.text)) });
      });
      if (rest.length > 0) out.push({ text: '  ' }, ...rest);
      return out;
    };
    lines.push(
      layout(
        { text: ' ' },
        HEADERS.map((h) => ({ text: h, color: 'grey' })),
        [],
      ),
    );
    for (const row of rows) lines.push(layout(row.glyph, row.cells, row.rest));
  }
  return lines.map((spans) => paint(fitSpans(spans, opts.width), opts.color));
}
