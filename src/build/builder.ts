// Builds the image targets of a resource, base images first: each
// Dockerfile's FROM / --from naming a dependency is rewritten to the
// dependency's freshly built ref, the context is streamed to the engine, and
// the image is tagged `tilt-<first 16 hex digits of its ID>` so that identical
// content gives an identical tag. Logs follow Tilt's build log format.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { Readable } from 'node:stream';
import {
  familiarName,
  nameOnly,
  parseRef,
  registryTag,
  replaceRegistry,
  selectorMatches,
  refSelector,
  type ParsedRef,
} from '../container/ref.js';
import type { ImageTarget } from '../model/manifest.js';
import type {
  CustomImageSpec,
  DockerImageSpec,
  RegistrySpec,
} from '../tiltfile/builtins/images.js';
import { contextTar } from './context.js';
import {
  BuildError,
  DockerUnreachableError,
  TILT_BUILT_LABELS,
  type BuilderKind,
  type BuildOptions,
} from './docker/engine.js';
import { injectImages } from './dockerfile/inject.js';
import { dockerInputsDigest, type BuildRecord } from './record.js';

const BUILDKIT_NETWORKS = new Set(['default', 'host', 'none']);

/** What the builder needs from a container engine (see docker/engine.ts). */
export interface BuildEngine {
  build(
    tar: Readable,
    opts: Omit<BuildOptions, 'tags' | 'signal'>,
    onLine: (line: string) => void,
  ): Promise<{ imageId: string }>;
  /** BuildKit when the engine offers it (or DOCKER_BUILDKIT asks), else classic. */
  preferredBuilder(): Promise<BuilderKind>;
  tag(imageId: string, repo: string, tag: string): Promise<void>;
  inspect(ref: string): Promise<{ id: string } | undefined>;
  push(ref: string, onLine: (line: string) => void): Promise<unknown>;
}

export interface BuiltImage {
  /** The ref as written in the Tiltfile. */
  ref: string;
  imageId: string;
  /** `tilt-<16 hex>` */
  tag: string;
  /** The local ref with the content tag, e.g. `app:tilt-0123456789abcdef`. */
  localRef: string;
  /** The ref the cluster pulls (the pushed ref when pushed, else the local ref). */
  deployRef: string;
  pushed: boolean;
}

/** A failure to build or push one image, with Tilt's words. */
export class ImageBuildError extends Error {
  constructor(
    readonly ref: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageBuildError';
  }

  /** The engine did not answer: the same build may succeed once it does. */
  get engineUnreachable(): boolean {
    return this.cause instanceof DockerUnreachableError;
  }
}

export interface BuilderOptions {
  engine: BuildEngine;
  log: (line: string) => void;
  /** default_registry(), if any: images are pushed there. */
  registry?: RegistrySpec;
  /** Push to the registry (false when the runtime uses the local engine directly). */
  push: boolean;
  /** Environment for custom_build commands. */
  env?: Record<string, string>;
  /** The main Tiltfile, left out of build contexts. */
  tiltfile?: string;
  /** Build inputs → images, kept across runs: unchanged inputs reuse the recorded image. */
  record?: BuildRecord;
}

/** The content tag of an image ID (`sha256:<hex>`). */
export function contentTag(imageId: string): string {
  const hex = imageId.startsWith('sha256:') ? imageId.slice(7) : imageId;
  return `tilt-${hex.slice(0, 16)}`;
}

const INDENT = '     ';

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

export class ImageBuilder {
  constructor(private readonly opts: BuilderOptions) {}

  /**
   * Builds `targets` (dependencies first, as assembly orders them), reusing
   * `previous` results for targets not in `dirty`. Returns every target's image.
   * `stepOffset`/`totalSteps` number the STEP lines within a larger update.
   */
  async buildAll(
    targets: ImageTarget[],
    opts: {
      previous?: Map<string, BuiltImage>;
      dirty?: Set<string>;
      stepOffset?: number;
      totalSteps?: number;
      /** Images no workload uses directly are built but not pushed. */
      deployed?: Set<string>;
    } = {},
  ): Promise<Map<string, BuiltImage>> {
    const results = new Map<string, BuiltImage>();
    /** Targets built in this call: their dependents must rebuild too. */
    const built = new Set<string>();
    const total = opts.totalSteps ?? targets.length * 2;
    let step = opts.stepOffset ?? 0;
    const timings: { label: string; ms: number }[] = [];
    const started = performance.now();
    for (const t of targets) {
      const prev = opts.previous?.get(t.ref);
      const depRebuilt = t.dependsOn.some((d) => built.has(d));
      if (prev && opts.dirty && !opts.dirty.has(t.ref) && !depRebuilt) {
        results.set(t.ref, prev);
        step += 2;
        continue;
      }
      const deps = t.dependsOn.map((d) => results.get(d)!).filter(Boolean);
      step++;
      const label =
        t.build.kind === 'docker'
          ? `Building Dockerfile: [${t.ref}]`
          : `Building Custom Build: [${t.ref}]`;
      this.opts.log(`STEP ${step}/${total} — ${label}`);
      const t0 = performance.now();
      let image: BuiltImage;
      try {
        const local =
          t.build.kind === 'docker'
            ? await this.buildDocker(t.build, deps)
            : await this.buildCustom(t.build, deps);
        timings.push({ label, ms: performance.now() - t0 });
        step++;
        const custom = t.build.kind === 'custom' ? t.build : undefined;
        image = custom?.skipsLocalDocker
          ? { ...local, deployRef: local.localRef, pushed: false }
          : await this.maybePush(
              t.ref,
              local,
              step,
              total,
              (opts.deployed?.has(t.ref) ?? true) && !custom?.disablePush,
            );
      } catch (e) {
        // Every failure names its image; engine errors (tag, inspect) stay the cause.
        if (e instanceof ImageBuildError) throw e;
        throw new ImageBuildError(t.ref, (e as Error).message, { cause: e });
      }
      results.set(t.ref, image);
      built.add(t.ref);
    }
    this.opts.record?.save();
    this.opts.log('');
    timings.forEach((tm, i) =>
      this.opts.log(`${INDENT}Step ${i + 1} - ${seconds(tm.ms)} (${tm.label})`),
    );
    this.opts.log(`${INDENT}DONE IN: ${seconds(performance.now() - started)}`);
    return results;
  }

  private async buildDocker(
    spec: DockerImageSpec,
    deps: BuiltImage[],
  ): Promise<Omit<BuiltImage, 'deployRef' | 'pushed'>> {
    const log = this.opts.log;
    // Point FROM / --from naming a dependency at its freshly built ref.
    const depSelectors = deps.map((d) => ({ sel: refSelector(d.ref), ref: d.deployRef }));
    const injected = injectImages(
      spec.dockerfileContents,
      (r) => depSelectors.find((d) => selectorMatches(d.sel, r))?.ref,
      spec.buildArgs,
    );
    for (const d of deps) {
      if (!injected.text.includes(d.deployRef)) {
        throw new ImageBuildError(
          spec.ref,
          `Could not inject image ${JSON.stringify(d.ref)} into Dockerfile of image ${JSON.stringify(spec.ref)}`,
        );
      }
    }
    const extraIgnores = ['.git', ...this.tiltfileIn(spec.context)];
    const digest = this.opts.record
      ? dockerInputsDigest(spec, injected.text, extraIgnores)
      : undefined;
    const recorded = digest ? this.opts.record!.get(digest) : undefined;
    if (recorded && (await this.opts.engine.inspect(recorded.localRef))?.id === recorded.imageId) {
      log(`${INDENT}Reusing ${recorded.localRef}: its inputs are unchanged since it was built`);
      return recorded;
    }
    log('Building Dockerfile:');
    for (const line of injected.text.replace(/\n$/, '').split('\n')) log(`  ${line}`);
    log('');
    log(`${INDENT}Building image`);
    let builder = await this.opts.engine.preferredBuilder();
    // BuildKit runs steps only on the host, none or default network; a named network
    // needs the classic builder.
    if (spec.network && !BUILDKIT_NETWORKS.has(spec.network)) builder = 'classic';
    const { stream, dockerfileName } = contextTar(spec.context, {
      dockerfile: spec.dockerfile,
      dockerfileContents: injected.text,
      // .git and the Tiltfile are never part of what tilt sends
      ignore: [...spec.ignore, ...extraIgnores],
      only: spec.only,
    });
    let imageId: string;
    try {
      ({ imageId } = await this.opts.engine.build(
        stream,
        {
          builder,
          dockerfile: dockerfileName,
          buildArgs: spec.buildArgs,
          target: spec.target || undefined,
          network: spec.network || undefined,
          extraHosts: spec.extraHosts,
          platform: spec.platform || undefined,
          pull: spec.pull,
          cacheFrom: spec.cacheFrom,
          labels: { ...TILT_BUILT_LABELS },
        },
        (line) => log(`${INDENT}${line}`),
      ));
    } catch (e) {
      // The failing step's output is already in the log; the error names the step.
      if (e instanceof BuildError) {
        throw new ImageBuildError(
          spec.ref,
          e.step ? `${e.step}: ${e.engineMessage}` : e.engineMessage,
          { cause: e },
        );
      }
      throw e;
    }
    const image = await this.tagLocal(spec.ref, imageId, spec.extraTags);
    if (digest) this.opts.record!.set(digest, image);
    return image;
  }

  /** The main Tiltfile as a pattern of the context, when it lies inside it. */
  private tiltfileIn(context: string): string[] {
    if (!this.opts.tiltfile) return [];
    const rel = relative(context, this.opts.tiltfile);
    return rel.startsWith('..') || isAbsolute(rel) ? [] : [rel];
  }

  private async buildCustom(
    spec: CustomImageSpec,
    deps: BuiltImage[],
  ): Promise<Omit<BuiltImage, 'deployRef' | 'pushed'>> {
    const ref = parseRef(spec.ref);
    const expected = nameOnly(ref);
    // Tilt hands the command a ref to build; the content tag is applied after.
    const expectedTag = spec.tag || `tilt-build-${Date.now()}`;
    const expectedRef = `${familiarName(expected)}:${expectedTag}`;
    const env: Record<string, string> = {
      ...(this.opts.env ?? (process.env as Record<string, string>)),
      ...spec.env,
      EXPECTED_REF: expectedRef,
      EXPECTED_IMAGE: familiarName(expected),
      EXPECTED_TAG: expectedTag,
      EXPECTED_REGISTRY: this.opts.registry?.host ?? '',
      REGISTRY_HOST: this.opts.registry?.host ?? '',
    };
    deps.forEach((d, i) => {
      env[`TILT_IMAGE_${i}`] = d.deployRef;
      env[`TILT_IMAGE_MAP_${i}`] = d.ref;
    });
    await runCommand(
      spec.command,
      spec.dir,
      env,
      (line) => this.opts.log(`${INDENT}${line}`),
      spec.ref,
    );
    const built = spec.outputsImageRefTo
      ? readFileSync(spec.outputsImageRefTo, 'utf8').trim()
      : expectedRef;
    if (spec.skipsLocalDocker) {
      // Built and pushed elsewhere (a remote builder): the reported ref is deployed as is.
      const tag = parseRef(built).tag ?? expectedTag;
      return { ref: spec.ref, imageId: '', tag, localRef: built };
    }
    const info = await this.opts.engine.inspect(built);
    if (!info) {
      throw new ImageBuildError(
        spec.ref,
        `Custom build command did not produce the expected image ${JSON.stringify(built)}`,
      );
    }
    return this.tagLocal(spec.ref, info.id, []);
  }

  private async tagLocal(ref: string, imageId: string, extraTags: string[]) {
    const tag = contentTag(imageId);
    const repo = familiarName(nameOnly(parseRef(ref)));
    await this.opts.engine.tag(imageId, repo, tag);
    for (const extra of extraTags) {
      const r = parseRef(extra);
      await this.opts.engine.tag(imageId, familiarName(nameOnly(r)), r.tag ?? 'latest');
    }
    return { ref, imageId, tag, localRef: `${repo}:${tag}` };
  }

  private async maybePush(
    ref: string,
    built: Omit<BuiltImage, 'deployRef' | 'pushed'>,
    step: number,
    total: number,
    deployed: boolean,
  ): Promise<BuiltImage> {
    const reg = this.opts.registry;
    if (!reg || !this.opts.push) {
      this.opts.log(`STEP ${step}/${total} — Pushing ${built.localRef}`);
      this.opts.log(`${INDENT}Skipping push: building on cluster's container runtime`);
      return { ...built, deployRef: built.localRef, pushed: false };
    }
    const parsed: ParsedRef = parseRef(ref);
    const target = replaceRegistry(reg.host, parsed, reg.singleName);
    const tag = registryTag(parsed, built.tag, reg.singleName);
    const pushRef = `${target.name}:${tag}`;
    if (!deployed) {
      this.opts.log(`STEP ${step}/${total} — Pushing ${pushRef}`);
      this.opts.log(`${INDENT}Skipping push: no workload uses this image directly`);
      return { ...built, deployRef: built.localRef, pushed: false };
    }
    this.opts.log(`STEP ${step}/${total} — Pushing ${pushRef}`);
    await this.opts.engine.tag(built.imageId, target.name, tag);
    try {
      await this.opts.engine.push(pushRef, (line) => this.opts.log(`${INDENT}${line}`));
    } catch (e) {
      throw new ImageBuildError(ref, `pushing ${pushRef}: ${(e as Error).message}`, { cause: e });
    }
    const clusterHost = reg.hostFromCluster || reg.host;
    const deployRef =
      clusterHost === reg.host
        ? pushRef
        : `${replaceRegistry(clusterHost, parsed, reg.singleName).name}:${tag}`;
    return { ...built, deployRef, pushed: true };
  }
}

function runCommand(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  onLine: (line: string) => void,
  ref: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const feed = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', feed);
    child.on('error', (e) =>
      reject(new ImageBuildError(ref, `Custom build command failed: ${e.message}`)),
    );
    child.on('close', (code, signal) => {
      if (buf) onLine(buf);
      if (code === 0) resolve();
      else {
        reject(
          new ImageBuildError(
            ref,
            `Custom build command ${JSON.stringify(argv.join(' '))} failed: ${signal ? `signal: ${signal}` : `exit status ${code}`}`,
          ),
        );
      }
    });
  });
}
