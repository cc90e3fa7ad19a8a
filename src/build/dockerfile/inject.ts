// Points a Dockerfile's FROM and --from images at freshly built refs, editing only those
// arguments so the rest of the file (comments, continuations, spacing) is unchanged.

import { parseRef, RefError, type ParsedRef } from '../../container/ref.js';
import { imageSites } from './deps.js';
import { parseDockerfile, sourceRange } from './parse.js';

/**
 * Rewrites every FROM, COPY --from and RUN --mount from= whose image (after ARG expansion) gets
 * a replacement from `replace`. The whole argument is replaced, even when written as `${ARG}`.
 */
export function injectImages(
  text: string,
  replace: (ref: ParsedRef) => string | undefined,
  buildArgs: Record<string, string> = {},
): { text: string; replaced: number } {
  const df = parseDockerfile(text);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const site of imageSites(df, buildArgs)) {
    let ref: ParsedRef;
    try {
      ref = parseRef(site.image);
    } catch (e) {
      if (e instanceof RefError) continue;
      throw e;
    }
    const replacement = replace(ref);
    if (replacement === undefined) continue;
    const [start, end] = sourceRange(site.instruction, site.at, site.end);
    edits.push({ start, end, text: site.render(replacement) });
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  return { text: out, replaced: edits.length };
}
