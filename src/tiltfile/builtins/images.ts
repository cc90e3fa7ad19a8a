// Images: docker_build, custom_build, default_registry.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { Dict, List, None, Tuple, repr, typeOf, type Value } from '../../starlark/values/value.js';
import { parseRef, validateRegistryHost } from '../../container/ref.js';
import { fromHost, tiltBuiltin, toHost, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { liveUpdateSteps, type LiveUpdateStep } from './liveupdate.js';
import { goQuote, goStringSlice, goType } from './settings-go.js';

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
  /** Normalized refs of the images, for the duplicate check. */
  normalized: Set<string>;
  registry?: RegistrySpec;
}

export function imagesOf(ctx: TiltfileContext): ImagesPart {
  return ctx.part('images', () => ({ images: [], normalized: new Set<string>() }));
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

const CACHE_OBSOLETE =
  'docker_build(cache=...) is obsolete, and currently a no-op.\nYou should switch to live_update to optimize your builds.';

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const add = (name: string, params: string[], fn: (a: Args, t: Thread) => Value) =>
    out.set(
      name,
      tiltBuiltin(ctx, name, params, (a, _c, t) => fn(a, t)),
    );

  add('docker_build', DOCKER_BUILD_PARAMS, (a, t) => {
    const ref = a.string('ref');
    // Values unpacked by Tilt's argument unpacker fail before anything else.
    const buildArgs = stringStringMap(a, 'build_args');
    const matchInEnvVars = a.bool('match_in_env_vars', false);
    const target = a.string('target', '');
    const ssh = stringOrStringList(a, 'ssh');
    const secret = stringOrStringList(a, 'secret');
    const network = stringable(a, 'network');
    const extraTags = stringOrStringList(a, 'extra_tag');
    const cacheFrom = stringOrStringList(a, 'cache_from');
    const pull = a.bool('pull', false);
    const platform = stringable(a, 'platform');
    const extraHosts = stringOrStringList(a, 'extra_hosts');

    const normalized = normalizedRef(ref);
    const context = a.path('context');
    if (a.has('dockerfile') && a.has('dockerfile_contents')) {
      throw fail('Cannot specify both dockerfile and dockerfile_contents keyword arguments');
    }
    let dockerfile: string | null = a.path('dockerfile', join(context, 'Dockerfile'));
    let contents: string;
    if (a.has('dockerfile_contents')) {
      const v = a.get('dockerfile_contents')!;
      if (typeof v !== 'string' && !(v instanceof Blob)) {
        throw fail('Argument (dockerfile_contents): must be string or blob.');
      }
      contents = typeof v === 'string' ? toHost(v) : v.text;
      dockerfile = null;
    } else {
      // The Dockerfile is read now, so editing it reloads the Tiltfile.
      ctx.addConfigFile(dockerfile);
      contents = readText(dockerfile, 'error reading dockerfile');
    }
    if (a.has('cache')) ctx.warn(CACHE_OBSOLETE);
    const liveUpdate = liveUpdateSteps(a.fn, 'live_update', a.get('live_update'));
    const ignore = valuesToStrings(a, 'ignore');
    const only = valuesToStrings(a, 'only');
    for (const o of only) {
      if (o.includes('*')) {
        throw fail(`'only' does not support '*' file globs. Must be a real path: ${o}`);
      }
    }
    const entrypoint = unixCommand(a, 'entrypoint');
    const containerArgs = containerArgsOf(a);
    for (const tag of extraTags) {
      try {
        parseRef(tag);
      } catch (e) {
        throw fail(
          `Argument extra_tag=${goQuote(tag)} not a valid image reference: ${(e as Error).message}`,
        );
      }
    }
    addImage(ctx, normalized, {
      kind: 'docker',
      ref,
      context,
      dockerfile,
      dockerfileContents: contents,
      buildArgs,
      liveUpdate,
      matchInEnvVars,
      ignore,
      only,
      entrypoint,
      containerArgs,
      target,
      ssh,
      secret,
      network: network ?? '',
      extraTags,
      cacheFrom,
      pull,
      // As the Docker CLI does, an unset platform falls back to the environment.
      platform: platform || (ctx.env.DOCKER_DEFAULT_PLATFORM ?? ''),
      extraHosts,
      definedAt: ctx.callerPos(t),
    });
    return None;
  });

  add('custom_build', CUSTOM_BUILD_PARAMS, (a, t) => {
    const ref = a.string('ref');
    const deps = localPathList(a, 'deps', ctx);
    const tag = a.string('tag', '');
    const disablePush = a.bool('disable_push', false);
    const skipsLocalDocker = a.bool('skips_local_docker', false);
    const matchInEnvVars = a.bool('match_in_env_vars', false);
    const outputsImageRefTo = a.has('outputs_image_ref_to') ? a.path('outputs_image_ref_to') : '';
    const imageDeps = imageList(a, 'image_deps');
    const env = stringStringMap(a, 'env');

    const normalized = normalizedRef(ref);
    const liveUpdate = liveUpdateSteps(a.fn, 'live_update', a.get('live_update'));
    const ignore = valuesToStrings(a, 'ignore');
    const entrypoint = unixCommand(a, 'entrypoint');
    const containerArgs = containerArgsOf(a);
    // command_bat only applies on Windows.
    let command: string[];
    try {
      command = commandOf(a.get('command'));
    } catch (e) {
      throw fail(`Argument 2 (command): ${(e as Error).message}`);
    }
    if (command.length === 0) throw fail("Argument 2 (command) can't be empty");
    if (tag !== '' && outputsImageRefTo !== '') {
      throw fail('Cannot specify both tag= and outputs_image_ref_to=');
    }
    addImage(ctx, normalized, {
      kind: 'custom',
      ref,
      command,
      deps,
      tag,
      disablePush,
      skipsLocalDocker,
      outputsImageRefTo,
      imageDeps,
      env,
      dir: a.path('dir', ctx.dir),
      liveUpdate,
      matchInEnvVars,
      ignore,
      entrypoint,
      containerArgs,
      definedAt: ctx.callerPos(t),
    });
    return None;
  });

  add('default_registry', ['host', 'host_from_cluster?', 'single_name'], (a) => {
    const part = imagesOf(ctx);
    // An empty host is no registry at all, so it does not count as defined.
    if (part.registry?.host) throw fail('default registry already defined');
    const host = a.string('host');
    const hostFromCluster = a.string('host_from_cluster', '');
    const singleName = a.string('single_name', '');
    const problem = registryProblem(host, hostFromCluster);
    if (problem) throw fail(`validating defaultRegistry: ${problem}`);
    part.registry = { host, hostFromCluster, singleName };
    return None;
  });
}

/** Why a default_registry host pair is invalid, worded as Tilt words it, or undefined. */
function registryProblem(host: string, hostFromCluster: string): string | undefined {
  if (host === '') {
    if (hostFromCluster === '') return undefined;
    return `illegal registry: provided hostFromCluster ${goQuote(hostFromCluster)} without providing Host`;
  }
  for (const [what, h] of [
    ['host', host],
    ['hostFromCluster', hostFromCluster],
  ] as const) {
    if (h === '') continue;
    try {
      validateRegistryHost(h);
    } catch (e) {
      return `validating registry ${what} ${goQuote(h)}: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** The normalized form of an image ref (`foo` → `docker.io/library/foo`), or Tilt's error. */
function normalizedRef(ref: string): string {
  try {
    return parseRef(ref).toString();
  } catch (e) {
    throw fail(`Argument 1 (ref): can't parse ${goQuote(ref)}: ${(e as Error).message}`);
  }
}

function addImage(ctx: TiltfileContext, normalized: string, spec: ImageSpec) {
  const part = imagesOf(ctx);
  if (part.normalized.has(normalized)) {
    throw fail(`Image for ref ${goQuote(normalized)} has already been defined`);
  }
  part.normalized.add(normalized);
  part.images.push(spec);
}

/** An error whose message is host text. */
function fail(msg: string): EvalError {
  return new EvalError(fromHost(msg));
}

// Conversions from Starlark values with the messages of Tilt's value unpackers.
// Unpacker errors read `<fn>: for parameter <name>: <problem>`.

function paramError(a: Args, name: string, problem: string): EvalError {
  return fail(`${a.fn}: for parameter ${name}: ${problem}`);
}

/** A string, or a blob's text (Tilt's AsString); undefined for anything else. */
export function asString(v: Value): string | undefined {
  if (typeof v === 'string') return toHost(v);
  if (v instanceof Blob) return v.text;
  return undefined;
}

/** A string or a list/tuple of strings (Tilt's StringOrStringList). */
export function stringOrStringList(a: Args, name: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const s = asString(v);
  if (s !== undefined) return [s];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw paramError(
      a,
      name,
      `value should be a string or List or Tuple of strings, but is of type ${typeOf(v)}`,
    );
  }
  return v.elems.map((e) => {
    const x = asString(e);
    if (x === undefined) {
      throw paramError(
        a,
        name,
        `list should contain only strings, but element ${goQuote(toHost(repr(e)))} was of type ${typeOf(e)}`,
      );
    }
    return x;
  });
}

/** A dict of strings to strings (Tilt's StringStringMap). */
export function stringStringMap(a: Args, name: string): Record<string, string> {
  const v = a.get(name);
  const out: Record<string, string> = {};
  if (v === undefined) return out;
  if (!(v instanceof Dict)) throw paramError(a, name, `expected dict, got ${goType(v)}`);
  for (const { k, v: x } of v.entries()) {
    const key = asString(k);
    if (key === undefined) {
      throw paramError(a, name, `key is not a string: ${goType(k)} (${toHost(repr(k))})`);
    }
    const val = asString(x);
    if (val === undefined) {
      throw paramError(a, name, `value is not a string: ${goType(x)} (${toHost(repr(x))})`);
    }
    out[key] = val;
  }
  return out;
}

/** A value convertible to a string (Tilt's Stringable); undefined when not given. */
function stringable(a: Args, name: string): string | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  const s = asString(v);
  if (s === undefined) {
    throw paramError(a, name, `Value should be convertible to string, but is type ${typeOf(v)}`);
  }
  return s;
}

/** ignore= and only=: a string or a sequence of strings, none with a newline. */
export function valuesToStrings(a: Args, name: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const items = v instanceof List || v instanceof Tuple ? v.elems : [v];
  return items.map((item) => {
    if (typeof item !== 'string') {
      throw fail(`${name} must be a string or a sequence of strings; found a ${goType(item)}`);
    }
    const s = toHost(item);
    if (s.includes('\n')) {
      throw fail(`${name} cannot contain newlines; found ${name}: ${goQuote(s)}`);
    }
    return s;
  });
}

/** The argv of a command value: a string runs under `sh -c`, a list is argv as is. */
export function commandOf(v: Value | undefined): string[] {
  if (v === undefined) return [];
  const s = typeof v === 'string' ? toHost(v) : v instanceof Blob ? v.text : undefined;
  // Like Tilt's ToUnixCmd, the script is trimmed; an empty one is no command.
  if (s !== undefined) return s === '' ? [] : ['sh', '-c', s.trim()];
  if (v instanceof List || v instanceof Tuple) {
    try {
      return goStringSlice(v.elems);
    } catch (e) {
      throw new Error(`a command must be a string or a list of strings: ${(e as Error).message}`);
    }
  }
  throw new Error(`a command must be a string or list of strings. found ${goType(v)}`);
}

/** entrypoint=: a command, or null when not given or empty (no override). */
function unixCommand(a: Args, name: string): string[] | null {
  let argv: string[];
  try {
    argv = commandOf(a.get(name));
  } catch (e) {
    throw fail((e as Error).message);
  }
  return argv.length > 0 ? argv : null;
}

/** container_args=: a sequence of strings, or null when not given. */
function containerArgsOf(a: Args): string[] | null {
  const v = a.get('container_args');
  if (v === undefined) return null;
  if (!(v instanceof List || v instanceof Tuple)) {
    throw paramError(a, 'container_args', `got ${typeOf(v)}, want sequence`);
  }
  try {
    return goStringSlice(v.elems);
  } catch (e) {
    throw fail(`Argument 'container_args': ${(e as Error).message}`);
  }
}

/** A path or a list of paths, each made absolute (Tilt's LocalPathList). */
export function localPathList(a: Args, name: string, ctx: TiltfileContext): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const ctxPath = (p: string) => ctx.absPath(p);
  const s = asString(v);
  if (s !== undefined) return [ctxPath(s)];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw paramError(
      a,
      name,
      `value should be a string or List or Tuple of strings, but is of type ${typeOf(v)}`,
    );
  }
  return v.elems.map((e, i) => {
    const x = asString(e);
    if (x === undefined) {
      throw paramError(
        a,
        name,
        `unpacking list item at index ${i}: expected path | string. Actual type: ${goType(e)}`,
      );
    }
    return ctxPath(x);
  });
}

/** A list of image refs (Tilt's ImageList), each checked. */
export function imageList(a: Args, name: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw paramError(
      a,
      name,
      `value should be a List or Tuple of strings, but is of type ${typeOf(v)}`,
    );
  }
  return v.elems.map((e) => {
    const s = asString(e);
    if (s === undefined) {
      throw paramError(
        a,
        name,
        `value should contain only strings, but element ${goQuote(toHost(repr(e)))} was of type ${typeOf(e)}`,
      );
    }
    try {
      parseRef(s);
    } catch (err) {
      throw paramError(a, name, `must be a valid image reference: ${(err as Error).message}`);
    }
    return s;
  });
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
    throw fail(`${what}: open ${path}: ${why}`);
  }
}
