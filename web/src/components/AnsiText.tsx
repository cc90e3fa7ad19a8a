// One line of terminal text as styled spans, with the search matches marked.

import type { CSSProperties, ReactNode } from 'react';
import { parseAnsi, type AnsiSpan, type AnsiStyle } from '../ansi.js';

function spanProps(style: AnsiStyle): { className?: string; style?: CSSProperties } {
  const classes: string[] = [];
  const css: CSSProperties = {};
  let { fg, bg } = style;
  if (style.inverse) [fg, bg] = [bg ?? 'var(--log-bg)', fg ?? 'var(--log-fg)'];
  if (typeof fg === 'number') classes.push(`ansi-fg-${fg}`);
  else if (fg) css.color = fg;
  if (typeof bg === 'number') classes.push(`ansi-bg-${bg}`);
  else if (bg) css.backgroundColor = bg;
  if (style.bold) classes.push('ansi-bold');
  if (style.dim) classes.push('ansi-dim');
  if (style.italic) classes.push('ansi-italic');
  if (style.underline) classes.push('ansi-underline');
  return {
    className: classes.length > 0 ? classes.join(' ') : undefined,
    style: Object.keys(css).length > 0 ? css : undefined,
  };
}

/** [start, end) ranges of the matches of `re` (global) in `text`. */
function matchRanges(text: string, re: RegExp): [number, number][] {
  const out: [number, number][] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

function renderSpan(span: AnsiSpan, key: number, children: ReactNode): ReactNode {
  if (!span.style) return children;
  return (
    <span key={key} {...spanProps(span.style)}>
      {children}
    </span>
  );
}

export function AnsiText({ text, highlight }: { text: string; highlight?: RegExp | null }) {
  const spans = parseAnsi(text);
  const ranges = highlight ? matchRanges(spans.map((s) => s.text).join(''), highlight) : [];
  if (ranges.length === 0) {
    if (spans.length === 1 && !spans[0].style) return <>{spans[0].text}</>;
    return <>{spans.map((s, i) => renderSpan(s, i, s.text))}</>;
  }
  // Cut the spans at the match boundaries.
  const out: ReactNode[] = [];
  let pos = 0;
  let r = 0;
  let key = 0;
  for (const span of spans) {
    const end = pos + span.text.length;
    const pieces: ReactNode[] = [];
    let at = pos;
    while (at < end) {
      while (r < ranges.length && ranges[r][1] <= at) r++;
      const range = ranges[r];
      if (!range || range[0] >= end) {
        pieces.push(span.text.slice(at - pos));
        at = end;
      } else if (range[0] > at) {
        pieces.push(span.text.slice(at - pos, range[0] - pos));
        at = range[0];
      } else {
        const stop = Math.min(end, range[1]);
        pieces.push(<mark key={`m${key++}`}>{span.text.slice(at - pos, stop - pos)}</mark>);
        at = stop;
      }
    }
    out.push(span.style ? renderSpan(span, key++, pieces) : <span key={key++}>{pieces}</span>);
    pos = end;
  }
  return <>{out}</>;
}
