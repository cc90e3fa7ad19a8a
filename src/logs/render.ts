// Terminal rendering in the format of `tilt up --stream` and `tilt logs`: every line starts with
// the resource name right-aligned in a 13-column field and ' │ ' (names longer than that are cut
// to 12 characters and '…'); global and Tiltfile lines have no prefix.

import type { LogSegment } from './types.js';

export interface PrefixOptions {
  /** Column width for the name. Default 13, as Tilt. */
  width?: number;
  /** Tilt right-aligns; 'left' pads after the name instead. */
  align?: 'right' | 'left';
  /** Colour each resource's name (on a terminal), the same colour for the same name. */
  color?: boolean;
}

// Foreground colours for names: green, yellow, blue, magenta, cyan, and bright variants.
const NAME_COLORS = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96];

function nameColor(resource: string): number {
  let h = 0;
  for (let i = 0; i < resource.length; i++) h = (h * 31 + resource.charCodeAt(i)) >>> 0;
  return NAME_COLORS[h % NAME_COLORS.length];
}

/** Tilt's manifest name for Tiltfile output, unprefixed like ''. */
export const TILTFILE_RESOURCE = '(Tiltfile)';

export function sourcePrefix(resource: string, options: PrefixOptions = {}): string {
  if (resource === '' || resource === TILTFILE_RESOURCE) return '';
  const width = options.width ?? 13;
  const chars = Array.from(resource); // count code points, so a cut never splits a pair
  const shown = chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : resource;
  const name = options.color ? `\x1b[${nameColor(resource)}m${shown}\x1b[0m` : shown;
  const pad = ' '.repeat(Math.max(0, width - chars.length));
  return options.align === 'left' ? `${name}${pad} │ ` : `${pad}${name} │ `;
}

type Renderable = Pick<LogSegment, 'resource' | 'spanId' | 'text'>;

/**
 * Turns segments, in store order, into terminal text. A span's unfinished line stays open for
 * that span's next segment; when another span writes first, the open line is ended and its
 * continuation later starts a fresh prefixed line, so lines of two spans never mix.
 */
export class StreamRenderer {
  /** The span whose line is unfinished, if any (not the segment, so its text is not kept). */
  private open: { resource: string; spanId: string } | null = null;
  private readonly prefixes = new Map<string, string>();
  constructor(private readonly options: PrefixOptions = {}) {}

  render(seg: Renderable): string {
    const { text } = seg;
    if (text.length === 0) return '';
    let out = '';
    let atLineStart = true;
    if (this.open) {
      if (this.open.resource === seg.resource && this.open.spanId === seg.spanId) {
        atLineStart = false;
      } else {
        out = '\n';
      }
    }
    const prefix = this.prefix(seg.resource);
    let pos = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl + 1;
      if (atLineStart) out += prefix;
      out += text.slice(pos, end);
      atLineStart = true;
      pos = end;
    }
    const ended = text.charCodeAt(text.length - 1) === 10;
    this.open = ended ? null : { resource: seg.resource, spanId: seg.spanId };
    return out;
  }

  /** Ends an unfinished line, for the end of the output. */
  finish(): string {
    if (!this.open) return '';
    this.open = null;
    return '\n';
  }

  private prefix(resource: string): string {
    let p = this.prefixes.get(resource);
    if (p === undefined) this.prefixes.set(resource, (p = sourcePrefix(resource, this.options)));
    return p;
  }
}

/** All of `segments` as terminal text, ending on a line end. */
export function renderSegments(segments: Iterable<Renderable>, options?: PrefixOptions): string {
  const r = new StreamRenderer(options);
  let out = '';
  for (const s of segments) out += r.render(s);
  return out + r.finish();
}
