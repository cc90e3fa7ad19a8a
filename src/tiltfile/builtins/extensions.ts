// Extensions and API objects: load('ext://NAME') resolved through extension
// repositories, and the v1alpha1 module that declares API objects directly
// (extension_repo, extension, cmd, config_map, file_watch, ui_button, ...).

import { existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EvalError } from '../../starlark/errors.js';
import {
  Builtin,
  Dict,
  List,
  Module,
  None,
  Tuple,
  typeOf,
  type Value,
} from '../../starlark/values/value.js';
import { toHost } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';

/** The repository Tilt uses when a Tiltfile registers none. */
export const DEFAULT_EXTENSION_REPO = 'https://github.com/tilt-dev/tilt-extensions';

/**
 * Extensions shipped with tilt-ts, laid out like the default repository: the
 * package's extensions/ folder, three levels above this module in src/ and dist/.
 */
export const BUNDLED_EXTENSIONS_DIR = fileURLToPath(
  new URL('../../../extensions/', import.meta.url),
);

/** The Tiltfile of a bundled extension at `repoPath`, if there is one. */
function bundledTiltfile(repoPath: string): string | undefined {
  const path = resolve(BUNDLED_EXTENSIONS_DIR, repoPath, 'Tiltfile');
  if (!path.startsWith(resolve(BUNDLED_EXTENSIONS_DIR) + sep)) return undefined;
  return existsSync(path) ? path : undefined;
}

/** A declared API object: its kind, name and spec as plain data. */
export interface APIObject {
  kind: string;
  name: string;
  spec: Record<string, unknown>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface ExtensionsPart {
  objects: APIObject[];
}

export function apiObjectsOf(ctx: TiltfileContext): APIObject[] {
  return ctx.part('extensions', (): ExtensionsPart => ({ objects: [] })).objects;
}

/** Plain data of a Starlark value, for an object's spec. */
function plain(v: Value): unknown {
  if (typeof v === 'string') return toHost(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v === None) return null;
  if (v instanceof Blob) return v.text;
  if (v instanceof List || v instanceof Tuple) return v.elems.map(plain);
  if (v instanceof Dict) {
    const out: Record<string, unknown> = {};
    for (const { k, v: x } of v.entries())
      out[typeof k === 'string' ? toHost(k) : String(plain(k))] = plain(x);
    return out;
  }
  if (v.type === 'function' || v instanceof Builtin) {
    throw new EvalError(`a value of type ${typeOf(v)} cannot be part of an API object`);
  }
  const attrs = (
    v as unknown as { attrNames?(): string[]; attr?(n: string): Value | undefined }
  ).attrNames?.();
  if (attrs) {
    const out: Record<string, unknown> = {};
    for (const n of attrs) out[n] = plain((v as unknown as { attr(n: string): Value }).attr(n));
    return out;
  }
  return String(v.type);
}

function stringMap(fn: string, param: string, v: Value | undefined): Record<string, string> {
  if (v === undefined || v === None) return {};
  if (!(v instanceof Dict))
    throw new EvalError(`${fn}: for parameter ${param}: got ${typeOf(v)}, want dict`);
  const out: Record<string, string> = {};
  for (const { k, v: x } of v.entries()) {
    if (typeof k !== 'string' || typeof x !== 'string') {
      throw new EvalError(`${fn}: for parameter ${param}: want a dict of strings`);
    }
    out[toHost(k)] = toHost(x);
  }
  return out;
}

/** Kinds that v1alpha1 declares, with the spec fields each requires. */
const KINDS: Record<string, { kind: string; required: string[] }> = {
  extension_repo: { kind: 'ExtensionRepo', required: ['url'] },
  extension: { kind: 'Extension', required: ['repo_name'] },
  cmd: { kind: 'Cmd', required: ['args'] },
  config_map: { kind: 'ConfigMap', required: [] },
  file_watch: { kind: 'FileWatch', required: ['watched_paths'] },
  kubernetes_apply: { kind: 'KubernetesApply', required: [] },
  kubernetes_discovery: { kind: 'KubernetesDiscovery', required: [] },
  ui_button: { kind: 'UIButton', required: ['text'] },
};

function declare(ctx: TiltfileContext, fnName: string, kind: string, required: string[]): Builtin {
  return new Builtin(fnName, (_t, args, kwargs) => {
    if (args.length > 1)
      throw new EvalError(`${fnName}: got ${args.length} arguments, want at most 1`);
    const fields = new Map<string, Value>(kwargs.map(([k, v]) => [toHost(k), v]));
    const nameV = args[0] ?? fields.get('name');
    if (typeof nameV !== 'string' || nameV === '')
      throw new EvalError(`${fnName}: missing argument for name`);
    fields.delete('name');
    const name = toHost(nameV);
    for (const r of required) {
      if (!fields.has(r) || fields.get(r) === None)
        throw new EvalError(`${fnName}: missing argument for ${r}`);
    }
    const labels = stringMap(fnName, 'labels', fields.get('labels'));
    const annotations = stringMap(fnName, 'annotations', fields.get('annotations'));
    fields.delete('labels');
    fields.delete('annotations');
    const spec: Record<string, unknown> = {};
    for (const [k, v] of fields) if (v !== None) spec[k] = plain(v);
    const objects = apiObjectsOf(ctx);
    const existing = objects.find((o) => o.kind === kind && o.name === name);
    const obj: APIObject = { kind, name, spec, labels, annotations };
    if (existing) {
      if (JSON.stringify(existing) !== JSON.stringify(obj)) {
        throw new EvalError(`${kind} ${JSON.stringify(name)} already registered`);
      }
      return None;
    }
    objects.push(obj);
    return None;
  });
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const members = new Map<string, Value>();
  for (const [fn, { kind, required }] of Object.entries(KINDS)) {
    members.set(fn, declare(ctx, fn, kind, required));
  }
  out.set('v1alpha1', new Module('v1alpha1', members));
}

/**
 * The Tiltfile of extension `name`: from an Extension object naming its repo,
 * or from the repo registered as "default". Only file:// repositories can be
 * read here; from the default GitHub repository, only the extensions bundled
 * with tilt-ts are available without a local copy.
 */
export function extensionTiltfile(ctx: TiltfileContext, name: string): string {
  const objects = apiObjectsOf(ctx);
  const ext = objects.find((o) => o.kind === 'Extension' && o.name === name);
  const repoName = ext ? String(ext.spec.repo_name) : 'default';
  const repoPath = ext && typeof ext.spec.repo_path === 'string' ? ext.spec.repo_path : name;
  const repo = objects.find((o) => o.kind === 'ExtensionRepo' && o.name === repoName);
  const url = repo
    ? String(repo.spec.url)
    : repoName === 'default'
      ? DEFAULT_EXTENSION_REPO
      : undefined;
  if (url === undefined) {
    throw new EvalError(
      `extension ${JSON.stringify(name)}: extension repo ${JSON.stringify(repoName)} not found`,
    );
  }
  if (url === DEFAULT_EXTENSION_REPO) {
    const bundled = bundledTiltfile(repoPath);
    if (bundled) return bundled;
  }
  if (!url.startsWith('file://')) {
    throw new EvalError(
      `loading extension ${JSON.stringify(name)}: extension repo ${repoName} (${url}) cannot be fetched from here. ` +
        `Register a local copy with v1alpha1.extension_repo(name=${JSON.stringify(repoName)}, url="file:///path/to/repo")`,
    );
  }
  const dir = fileURLToPath(url);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new EvalError(`extension repo ${repoName}: ${dir} is not a directory`);
  }
  const path = join(dir, repoPath, 'Tiltfile');
  if (!existsSync(path)) {
    throw new EvalError(
      `extension ${JSON.stringify(name)} not found in repo ${repoName} (${url}): no ${join(repoPath, 'Tiltfile')}`,
    );
  }
  return path;
}
