// Image targets: which builds a resource's objects use, the builds they are
// FROM (base images first), what each watches, and the unused-image warning.

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import { imageRefsOf } from '../../build/dockerfile/deps.js';
import { DockerfileParseError, parseDockerfile } from '../../build/dockerfile/parse.js';
import {
  parseRef,
  refSelector,
  selectorMatches,
  type ParsedRef,
  type RefSelector,
} from '../../container/ref.js';
import type { ImageTarget, Manifest } from '../../model/manifest.js';
import type { TiltfileContext } from '../context.js';
import type { ImageSpec } from '../builtins/images.js';
import { validateLiveUpdate } from '../builtins/liveupdate.js';
import { settingsOf } from '../builtins/settings.js';

interface Indexed {
  spec: ImageSpec;
  selector: RefSelector;
}

/** The builds of one assembly, looked up by image name; Dockerfiles are read once. */
export class ImageIndex {
  readonly entries: Indexed[];
  private readonly byName = new Map<string, Indexed[]>();
  private readonly deps = new Map<Indexed, Indexed[]>();
  private readonly parsed = new Map<string, ParsedRef | null>();

  constructor(specs: ImageSpec[]) {
    const refs = specs.map((s) => parseRef(s.ref));
    const count = new Map<string, number>();
    for (const r of refs) count.set(r.name, (count.get(r.name) ?? 0) + 1);
    this.entries = specs.map((spec, i) => {
      const sel = refSelector(refs[i]);
      // builds sharing a name with different tags all match exactly
      const shared = (count.get(refs[i].name) ?? 0) > 1;
      const x = { spec, selector: shared ? { ref: sel.ref, exact: true } : sel };
      const list = this.byName.get(refs[i].name) ?? [];
      list.push(x);
      this.byName.set(refs[i].name, list);
      return x;
    });
  }

  /** The builds whose selector matches an image named in YAML or a Dockerfile. */
  matching(image: string): Indexed[] {
    let ref = this.parsed.get(image);
    if (ref === undefined) {
      try {
        ref = parseRef(image);
      } catch {
        ref = null;
      }
      this.parsed.set(image, ref);
    }
    if (ref === null) return [];
    return (this.byName.get(ref.name) ?? []).filter((x) => selectorMatches(x.selector, ref));
  }

  /** The builds a build depends on: FROM / COPY --from images, or custom_build's image_deps. */
  dependencies(x: Indexed): Indexed[] {
    let out = this.deps.get(x);
    if (out) return out;
    const s = x.spec;
    let refs: string[];
    if (s.kind === 'docker') {
      try {
        const r = imageRefsOf(parseDockerfile(s.dockerfileContents), s.buildArgs);
        refs = [...r.from, ...r.copyFrom];
      } catch (e) {
        if (e instanceof DockerfileParseError) {
          throw new EvalError(
            `error parsing Dockerfile of image ${JSON.stringify(s.ref)}: ${e.message}`,
          );
        }
        throw e;
      }
    } else refs = s.imageDeps;
    out = [];
    for (const ref of refs)
      for (const d of this.matching(ref)) if (d !== x && !out.includes(d)) out.push(d);
    this.deps.set(x, out);
    return out;
  }
}

/** The image targets of a resource that names `images`, dependencies first. */
export function imageTargetsFor(
  ctx: TiltfileContext,
  index: ImageIndex,
  images: string[],
): ImageTarget[] {
  const direct: Indexed[] = [];
  for (const image of images) {
    for (const x of index.matching(image)) if (!direct.includes(x)) direct.push(x);
  }
  const ordered: Indexed[] = [];
  const visiting: Indexed[] = [];
  const visit = (x: Indexed) => {
    if (ordered.includes(x)) return;
    if (visiting.includes(x)) throw new EvalError(`Image dependency cycle: ${x.spec.ref}`);
    visiting.push(x);
    for (const d of index.dependencies(x)) visit(d);
    visiting.pop();
    ordered.push(x);
  };
  for (const x of direct) visit(x);
  return ordered.map((x) => toTarget(ctx, x, index.dependencies(x)));
}

function toTarget(ctx: TiltfileContext, x: Indexed, deps: Indexed[]): ImageTarget {
  const s = x.spec;
  const watch = watchOf(ctx, s);
  const problem = validateLiveUpdate(s.liveUpdate, watch.paths);
  if (problem) throw new EvalError(problem);
  return {
    ref: s.ref,
    dependsOn: deps.map((d) => d.spec.ref),
    build: s,
    liveUpdate: s.liveUpdate,
    entrypoint: s.entrypoint,
    containerArgs: s.containerArgs,
    watch,
  };
}

/**
 * What a build watches and ignores: the context (and a Dockerfile outside it)
 * or custom_build's deps; ignored are the .dockerignore patterns, ignore=,
 * only= (as "**" plus exceptions), .git and the Tiltfile itself.
 */
function watchOf(ctx: TiltfileContext, s: ImageSpec): { paths: string[]; ignores: string[] } {
  const ignores = [...s.ignore];
  let paths: string[];
  if (s.kind === 'docker') {
    paths = [s.context];
    if (
      s.dockerfile &&
      dirname(s.dockerfile) !== s.context &&
      !s.dockerfile.startsWith(s.context + '/')
    ) {
      paths.push(s.dockerfile);
    }
    ignores.unshift(...dockerignorePatterns(s.context, s.dockerfile));
    if (s.only.length > 0) ignores.push('**', ...s.only.map((o) => `!${o}`));
  } else paths = [...s.deps];
  ignores.push('.git', basename(ctx.mainPath));
  return { paths, ignores };
}

/** Patterns of <Dockerfile>.dockerignore if present, else of the context's .dockerignore. */
function dockerignorePatterns(context: string, dockerfile: string | null): string[] {
  const candidates = [
    dockerfile ? `${dockerfile}.dockerignore` : '',
    join(context, '.dockerignore'),
  ];
  for (const f of candidates) {
    if (f && existsSync(f)) {
      return readFileSync(f, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
    }
  }
  return [];
}

/** Tilt's warning for builds no resource uses, directly or as a base image. */
export function unusedImageWarnings(
  ctx: TiltfileContext,
  index: ImageIndex,
  manifests: Manifest[],
  imagesOf: (m: Manifest) => string[],
): string[] {
  const used = new Set(manifests.flatMap((m) => m.imageTargets.map((t) => t.ref)));
  const suppressed = new Set(settingsOf(ctx).suppressUnusedImageWarnings);
  const unbuilt = [
    ...new Set(manifests.flatMap(imagesOf).filter((img) => index.matching(img).length === 0)),
  ];
  return index.entries
    .filter((x) => !used.has(x.spec.ref) && !suppressed.has(x.spec.ref))
    .map((x) => {
      let msg = `Image not used in any Kubernetes config:\n    ✕ ${x.spec.ref}\n`;
      if (unbuilt.length > 0)
        msg += `Did you mean…\n${unbuilt.map((u) => `    - ${u}\n`).join('')}`;
      msg += 'Skipping this image build\n';
      msg += `If this is deliberate, suppress this warning with: update_settings(suppress_unused_image_warnings=["${x.spec.ref}"])`;
      return msg;
    });
}
