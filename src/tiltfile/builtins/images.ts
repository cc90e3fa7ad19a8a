// Images: docker_build, custom_build, default_registry.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { None, type Value } from '../../starlark/values/value.js';
import { tiltBuiltin, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';

import { liveUpdateSteps, type LiveUpdateStep } from './liveupdate.js';

/** What every image target shares, whichever way it is built. */
interface ImageBase {
  /** The ref as written in the Tiltfile. */
  ref: string;
  liveUpdate: LiveUpdateStep[];
  matchInEnvVars: boolean;
  ignore: string[];
  /** Overrides the container's command at deploy; a string runs under `sh -c`. */
  entrypoint: string[] | null;
  /** Overrides the container's args at deploy. */
  containerArgs: string[] | null;
  /** Where the builtin was called, "file:line:col". */
  definedAt: string;
}

export interface DockerImageSpec extends ImageBase {
  kind: 'docker';
  context: string;
  /** Absolute path of the Dockerfile, or null when given as dockerfile_contents. */
  dockerfile: string | null;
  dockerfileContents: string;
  buildArgs: Record<string, string>;
  only: string[];
  target: string;
  ssh: string[];
  secret: string[];
  network: string;
  extraTags: string[];
  cacheFrom: string[];
  pull: boolean;
  platform: string;
  extraHosts: string[];
}

export interface CustomImageSpec extends ImageBase {
  kind: 'custom';
  command: string[];
  deps: string[];
  tag: string;
  disablePush: boolean;
  skipsLocalDocker: boolean;
  outputsImageRefTo: string;
  imageDeps: string[];
  env: Record<string, string>;
  dir: string;
}

export type ImageSpec = DockerImageSpec | CustomImageSpec;

export interface RegistrySpec {
  host: string;
  hostFromCluster: string;
  singleName: string;
}

interface ImagesPart {
  images: ImageSpec[];
  registry?: RegistrySpec;
}

export function imagesOf(ctx: TiltfileContext): ImagesPart {
  return ctx.part('images', () => ({ images: [] }));
}

const DOCKER_BUILD_PARAMS = [
  'ref',
  'context',
  'build_args?',
  'dockerfile',
  'dockerfile_contents',
  'cache',
  'live_update',
  'match_in_env_vars',
  'ignore',
  'only',
  'entrypoint',
  'container_args',
  'target',
  'ssh',
  'secret',
  'network',
  'extra_tag',
  'cache_from',
  'pull',
  'platform',
  'extra_hosts',
];

const CUSTOM_BUILD_PARAMS = [
  'ref',
  'command',
  'deps',
  'tag?',
  'disable_push',
  'skips_local_docker',
  'live_update',
  'match_in_env_vars',
  'ignore',
  'entrypoint',
  'container_args',
  'command_bat_val',
  'outputs_image_ref_to',
  'command_bat',
  'image_deps',
  'env',
  'dir',
];

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const add = (name: string, params: string[], fn: (a: Args, t: Thread) => Value) =>
    out.set(
      name,
      tiltBuiltin(ctx, name, params, (a, _c, t) => fn(a, t)),
    );

  add('docker_build', DOCKER_BUILD_PARAMS, (a, t) => {
    const ref = a.string('ref');
    const context = a.path('context');
    if (a.has('dockerfile') && a.has('dockerfile_contents')) {
      throw new EvalError(
        'Cannot specify both dockerfile and dockerfile_contents keyword arguments',
      );
    }
    let dockerfile: string | null = a.path('dockerfile', join(context, 'Dockerfile'));
    let contents: string;
    if (a.has('dockerfile_contents')) {
      contents = a.string('dockerfile_contents')!;
      dockerfile = null;
    } else {
      // The Dockerfile is read now, so editing it reloads the Tiltfile.
      ctx.addConfigFile(dockerfile);
      contents = readText(dockerfile, 'error reading dockerfile');
    }
    if (a.has('cache')) {
      ctx.log(
        'docker_build(cache=...) is obsolete, and currently a no-op.\nYou should switch to live_update to optimize your builds.',
      );
    }
    const only = a.strings('only');
    for (const o of only) {
      if (o.includes('*'))
        throw new EvalError(
          `${a.fn}: 'only' does not support '*' file globs. Must be a real path: ${o}`,
        );
    }
    addImage(ctx, {
      kind: 'docker',
      ref,
      context,
      dockerfile,
      dockerfileContents: contents,
      buildArgs: a.stringDict('build_args'),
      liveUpdate: liveUpdateSteps(a.fn, 'live_update', a.get('live_update')),
      matchInEnvVars: a.bool('match_in_env_vars', false),
      ignore: a.strings('ignore'),
      only,
      entrypoint: a.has('entrypoint') ? a.command('entrypoint') : null,
      containerArgs: a.has('container_args') ? a.strings('container_args', false) : null,
      target: a.string('target', ''),
      ssh: a.strings('ssh'),
      secret: a.strings('secret'),
      network: a.string('network', ''),
      extraTags: a.strings('extra_tag'),
      cacheFrom: a.strings('cache_from'),
      pull: a.bool('pull', false),
      platform: a.string('platform', ctx.env.DOCKER_DEFAULT_PLATFORM ?? ''),
      extraHosts: a.strings('extra_hosts'),
      definedAt: ctx.callerPos(t),
    });
    return None;
  });

  add('custom_build', CUSTOM_BUILD_PARAMS, (a, t) => {
    const ref = a.string('ref');
    const command = a.command('command');
    if (command.length === 0 && !a.has('command_bat') && !a.has('command_bat_val')) {
      throw new EvalError(`${a.fn}: Argument 2 (command) can't be empty`);
    }
    const deps = a.paths('deps');
    addImage(ctx, {
      kind: 'custom',
      ref,
      command,
      deps,
      tag: a.string('tag', ''),
      disablePush: a.bool('disable_push', false),
      skipsLocalDocker: a.bool('skips_local_docker', false),
      outputsImageRefTo: a.has('outputs_image_ref_to') ? a.path('outputs_image_ref_to') : '',
      imageDeps: a.strings('image_deps'),
      env: a.stringDict('env'),
      dir: a.path('dir', ctx.dir),
      liveUpdate: liveUpdateSteps(a.fn, 'live_update', a.get('live_update')),
      matchInEnvVars: a.bool('match_in_env_vars', false),
      ignore: a.strings('ignore'),
      entrypoint: a.has('entrypoint') ? a.command('entrypoint') : null,
      containerArgs: a.has('container_args') ? a.strings('container_args', false) : null,
      definedAt: ctx.callerPos(t),
    });
    return None;
  });

  add('default_registry', ['host', 'host_from_cluster?', 'single_name'], (a) => {
    const part = imagesOf(ctx);
    if (part.registry) throw new EvalError('default registry already defined');
    part.registry = {
      host: a.string('host'),
      hostFromCluster: a.string('host_from_cluster', ''),
      singleName: a.string('single_name', ''),
    };
    return None;
  });
}

function addImage(ctx: TiltfileContext, spec: ImageSpec) {
  const part = imagesOf(ctx);
  if (part.images.some((i) => i.ref === spec.ref)) {
    throw new EvalError(`Image for ref ${JSON.stringify(spec.ref)} has already been defined`);
  }
  part.images.push(spec);
}

/** A file's text, or an error worded as Tilt words it. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EISDIR'
          ? 'is a directory'
          : String(e);
    throw new EvalError(`${what}: open ${path}: ${why}`);
  }
}
