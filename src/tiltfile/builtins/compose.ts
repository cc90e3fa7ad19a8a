// Docker Compose: docker_compose() reads compose files into projects, one
// resource per service; dc_resource() configures (or renames) a service's
// resource. The files are read here, without Docker: several files merge as
// Compose merges them, `${VAR}` is interpolated from the environment and the
// project's env file, and services are filtered by the active profiles.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { EvalError } from '../../starlark/errors.js';
import { None, type Value } from '../../starlark/values/value.js';
import { RefError, parseRef } from '../../container/ref.js';
import { tiltBuiltin, toHost, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { recordRead } from './files.js';
import { localResourcesOf } from './local.js';
import { goQuote, goType, valueOrSequence } from './settings-go.js';
import { linksArg, triggerModeArg, type LinkSpec, type TriggerModeArg } from './settings.js';

// ---- records ----

export interface ComposeBuild {
  /** Absolute path (or a remote URL, as written). */
  context: string;
  /** Absolute path of the Dockerfile (as written when the context is remote). */
  dockerfile: string;
  args: Record<string, string>;
  target: string;
}

export interface ComposePort {
  /** The host IP the port is bound to ("" for all). */
  host: string;
  /** The host port; 0 when Docker picks one (or for a published range). */
  published: number;
  target: number;
}

/** Options set with dc_resource(), kept per service across docker_compose() calls. */
export interface ComposeResourceOptions {
  /** The image given to dc_resource(image=...), which replaces the compose file's. */
  imageFromUser: string;
  triggerMode: TriggerModeArg | undefined;
  inferLinks: boolean;
  links: LinkSpec[];
  autoInit: boolean | undefined;
  labels: string[];
  resourceDeps: string[];
}

export interface ComposeService {
  /** The resource name: the service name, or the dc_resource new_name. */
  name: string;
  /** The service's name in the compose files. */
  serviceName: string;
  /** The image as written in the compose files ("" when none). */
  configImage: string;
  /** The image Compose runs: as written, else `<project>_<service>`. */
  defaultImage: string;
  build?: ComposeBuild;
  /** Services this one depends on (depends_on, links, volumes_from, network_mode). */
  dependsOn: string[];
  ports: ComposePort[];
  profiles: string[];
  environment: Record<string, string>;
  envFiles: string[];
  options: ComposeResourceOptions;
}

export interface ComposeProject {
  name: string;
  /** Directory relative paths in the compose files resolve against: that of the first file. */
  projectPath: string;
  configPaths: string[];
  /** The env_file given to docker_compose(), or "". */
  envFile: string;
  profiles: string[];
  wait: boolean;
  /** Services in the order their resources are made (dependencies first). */
  services: ComposeService[];
  /** dc_resource options by resource name. */
  options: Map<string, ComposeResourceOptions>;
  /** The Tiltfile that declared the project. */
  tiltfilePath: string;
}

export interface ComposePart {
  projects: ComposeProject[];
}

export function composeOf(ctx: TiltfileContext): ComposePart {
  return ctx.part<ComposePart>('compose', () => ({ projects: [] }));
}

function newOptions(): ComposeResourceOptions {
  return {
    imageFromUser: '',
    triggerMode: undefined,
    inferLinks: true,
    links: [],
    autoInit: undefined,
    labels: [],
    resourceDeps: [],
  };
}

/** The image a service's resource builds and runs: dc_resource's, else the compose file's. */
export function serviceImage(svc: ComposeService): string {
  return svc.options.imageFromUser || svc.defaultImage;
}

// ---- project names ----

/** Compose's normalization of a project name: lower case, [a-z0-9_-] only, no leading _ or -. */
export function normalizeProjectName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

function checkProjectName(name: string): void {
  if (name !== normalizeProjectName(name)) {
    throw new EvalError(
      `invalid project name ${goQuote(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
    );
  }
}

// ---- interpolation ----

type Lookup = (name: string) => string | undefined;

const VAR_NAME = /^[_A-Za-z][_A-Za-z0-9]*/;

/**
 * Compose's variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`;
 * `$$` is a literal `$`. Unset variables without a default are empty.
 */
export function interpolate(s: string, lookup: Lookup): string {
  if (!s.includes('$')) return s;
  const invalid = () => new EvalError(`Invalid template: ${goQuote(s)}`);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      // find the matching brace, allowing nested ${...} in the default
      let depth = 1;
      let j = i + 2;
      for (; j < s.length && depth > 0; j++) {
        if (s[j] === '$' && s[j + 1] === '{') {
          depth++;
          j++;
        } else if (s[j] === '}') depth--;
      }
      if (depth !== 0) throw invalid();
      const inner = s.slice(i + 2, j - 1);
      out += substitute(inner, lookup, invalid);
      i = j;
      continue;
    }
    const m = VAR_NAME.exec(s.slice(i + 1));
    if (m) {
      out += lookup(m[0]) ?? '';
      i += 1 + m[0].length;
      continue;
    }
    out += '$';
    i++;
  }
  return out;
}

function substitute(inner: string, lookup: Lookup, invalid: () => EvalError): string {
  const m = VAR_NAME.exec(inner);
  if (!m) throw invalid();
  const name = m[0];
  const rest = inner.slice(name.length);
  const value = lookup(name);
  if (rest === '') return value ?? '';
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest);
  if (!op) throw invalid();
  const arg = () => interpolate(rest.slice(op[0].length), lookup);
  const unsetOrEmpty = value === undefined || value === '';
  switch (op[0]) {
    case ':-':
      return unsetOrEmpty ? arg() : value;
    case '-':
      return value === undefined ? arg() : value;
    case ':?':
    case '?': {
      const missing = op[0] === ':?' ? unsetOrEmpty : value === undefined;
      if (missing) {
        const msg = arg();
        throw new EvalError(`required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);
      }
      return value ?? '';
    }
    case ':+':
      return unsetOrEmpty ? '' : arg();
    default:
      return value === undefined ? '' : arg();
  }
}

function interpolateTree(v: unknown, lookup: Lookup): unknown {
  if (typeof v === 'string') return interpolate(v, lookup);
  if (Array.isArray(v)) return v.map((x) => interpolateTree(x, lookup));
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = interpolateTree(x, lookup);
    return out;
  }
  return v;
}

// ---- env files ----

/** Parses a .env file: KEY=VALUE lines, `export` prefixes, quotes and comments. */
export function parseDotEnv(text: string, lookup: Lookup): Record<string, string> {
  const out: Record<string, string> = {};
  const get: Lookup = (k) => out[k] ?? lookup(k);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice('export '.length).trim();
    const eq = line.indexOf('=');
    if (eq < 0) {
      // a bare name takes its value from the environment
      const v = lookup(line);
      if (v !== undefined) out[line] = v;
      continue;
    }
    const key = line.slice(0, eq).trim();
    let raw = line.slice(eq + 1).trimStart();
    const q = raw[0];
    if (q === '"' || q === "'") {
      // a quoted value may span lines
      let body = raw.slice(1);
      while (!closes(body, q) && n + 1 < lines.length) body += '\n' + lines[++n];
      const end = closingQuote(body, q);
      body = end < 0 ? body : body.slice(0, end);
      if (q === "'") out[key] = body;
      else {
        body = body.replace(/\\([nrt"\\$])/g, (_, ch: string) =>
          ch === 'n' ? '\n' : ch === 'r' ? '\r' : ch === 't' ? '\t' : ch,
        );
        out[key] = interpolate(body, get);
      }
      continue;
    }
    const hash = raw.search(/\s#/);
    if (hash >= 0) raw = raw.slice(0, hash);
    out[key] = interpolate(raw.trim(), get);
  }
  return out;
}

function closingQuote(body: string, q: string): number {
  for (let i = 0; i < body.length; i++) {
    if (q === '"' && body[i] === '\\') {
      i++;
      continue;
    }
    if (body[i] === q) return i;
  }
  return -1;
}

function closes(body: string, q: string): boolean {
  return closingQuote(body, q) >= 0;
}

// ---- reading and merging compose files ----

type Doc = Record<string, unknown>;

function isMap(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

/** KEY=VALUE lists become maps (a bare KEY maps to null). */
function listToMap(v: unknown): Doc {
  if (isMap(v)) return { ...v };
  const out: Doc = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalarText(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = null;
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
  }
  return out;
}

/** A service as written in one file, with list/short forms turned into the map forms. */
function normalizeService(raw: unknown): Doc {
  const svc: Doc = isMap(raw) ? { ...raw } : {};
  if (typeof svc.build === 'string') svc.build = { context: svc.build };
  if (isMap(svc.build) && svc.build.args !== undefined) {
    svc.build = { ...svc.build, args: listToMap(svc.build.args) };
  }
  for (const key of ['environment', 'labels', 'annotations']) {
    if (svc[key] !== undefined && svc[key] !== null) svc[key] = listToMap(svc[key]);
  }
  if (Array.isArray(svc.depends_on)) {
    const deps: Doc = {};
    for (const d of svc.depends_on) deps[scalarText(d)] = { condition: 'service_started' };
    svc.depends_on = deps;
  }
  if (typeof svc.env_file === 'string') svc.env_file = [svc.env_file];
  return svc;
}

/** The container path of a volume entry (short "src:dst[:mode]" or long form). */
function volumeTarget(v: unknown): string {
  if (isMap(v)) return scalarText(v.target);
  const parts = scalarText(v).split(':');
  return parts.length >= 2 ? parts[1] : parts[0];
}

const REPLACED_KEYS = new Set(['command', 'entrypoint']);

/** Merges an override service into a base one, as Compose merges multiple files. */
function mergeService(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (REPLACED_KEYS.has(k) || b === undefined || b === null) out[k] = v;
    else if (k === 'volumes' && Array.isArray(b) && Array.isArray(v)) {
      const byTarget = new Map<string, unknown>();
      for (const x of [...b, ...v]) byTarget.set(volumeTarget(x), x);
      out[k] = [...byTarget.values()];
    } else out[k] = mergeValue(b, v);
  }
  return out;
}

function mergeValue(b: unknown, v: unknown): unknown {
  if (isMap(b) && isMap(v)) {
    const out: Doc = { ...b };
    for (const [k, x] of Object.entries(v)) {
      out[k] = k in out && out[k] !== null && x !== null ? mergeValue(out[k], x) : x;
    }
    return out;
  }
  if (Array.isArray(b) && Array.isArray(v)) {
    const seen = new Set(b.map((x) => JSON.stringify(x)));
    return [...b, ...v.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  return v;
}

/** Reads one compose file's services, interpolated. */
function readComposeFile(path: string, lookup: Lookup): Map<string, Doc> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file or directory' : err.message;
    throw new EvalError(`open ${path}: ${why}`);
  }
  const doc = parseDocument(text, { merge: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new EvalError(`failed to parse ${path}: ${doc.errors[0].message.split('\n')[0]}`);
  }
  const top = doc.toJS({ maxAliasCount: 10000 }) as unknown;
  const out = new Map<string, Doc>();
  if (top === null || top === undefined) return out;
  if (!isMap(top)) throw new EvalError(`Top-level object must be a mapping: ${path}`);
  const services = top.services;
  if (services === undefined || services === null) return out;
  if (!isMap(services)) throw new EvalError(`services must be a mapping: ${path}`);
  for (const [name, svc] of Object.entries(services)) {
    out.set(name, normalizeService(interpolateTree(svc, lookup)));
  }
  return out;
}

// ---- services ----

/** A build context that Docker fetches rather than reads from disk. */
function isRemoteContext(ctx: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx) || ctx.startsWith('git@') || ctx.startsWith('github.com/')
  );
}

function buildOf(raw: unknown, projectPath: string, lookup: Lookup): ComposeBuild | undefined {
  if (!isMap(raw)) return undefined;
  const ctxText = scalarText(raw.context) || '.';
  const remote = isRemoteContext(ctxText);
  const context = remote ? ctxText : resolve(projectPath, ctxText);
  const df = scalarText(raw.dockerfile) || 'Dockerfile';
  const dockerfile = remote || isAbsolute(df) ? df : resolve(context, df);
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(listToMap(raw.args))) {
    if (v === null || v === undefined) {
      // an argument without a value takes the environment's, if any
      const env = lookup(k);
      if (env !== undefined) args[k] = env;
    } else args[k] = scalarText(v);
  }
  return { context, dockerfile, args, target: scalarText(raw.target) };
}

function portNumber(s: string, what: string, spec: string): number {
  if (!/^\d+$/.test(s) || Number(s) > 65535) {
    throw new EvalError(`Invalid ${what}: ${s} (in port spec ${goQuote(spec)})`);
  }
  return Number(s);
}

function portRange(s: string, what: string, spec: string): [number, number] {
  const dash = s.indexOf('-');
  if (dash < 0) {
    const n = portNumber(s, what, spec);
    return [n, n];
  }
  const lo = portNumber(s.slice(0, dash), what, spec);
  const hi = portNumber(s.slice(dash + 1), what, spec);
  if (hi < lo) throw new EvalError(`Invalid ${what}: ${s} (in port spec ${goQuote(spec)})`);
  return [lo, hi];
}

/** Ports in the short ("[host:][published:]target[/proto]") or long form. */
export function parsePorts(raw: unknown): ComposePort[] {
  if (!Array.isArray(raw)) return [];
  const out: ComposePort[] = [];
  for (const p of raw) {
    if (isMap(p)) {
      const target = Number(p.target);
      const pub = scalarText(p.published);
      out.push({
        host: scalarText(p.host_ip),
        published: /^\d+$/.test(pub) ? Number(pub) : 0,
        target: Number.isFinite(target) ? target : 0,
      });
      continue;
    }
    if (typeof p === 'number') {
      out.push({ host: '', published: 0, target: p });
      continue;
    }
    const spec = scalarText(p);
    const noProto = spec.split('/')[0];
    let host = '';
    let rest = noProto;
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      host = rest.slice(1, close);
      rest = rest.slice(close + 2);
    }
    const parts = rest.split(':');
    if (parts.length > 3) throw new EvalError(`Invalid port spec ${goQuote(spec)}`);
    if (parts.length === 3) host = parts.shift()!;
    const targetText = parts.pop()!;
    const pubText = parts.pop() ?? '';
    const [tLo, tHi] = portRange(targetText, 'containerPort', spec);
    if (pubText === '') {
      for (let t = tLo; t <= tHi; t++) out.push({ host, published: 0, target: t });
      continue;
    }
    const [pLo, pHi] = portRange(pubText, 'hostPort', spec);
    if (tHi - tLo === pHi - pLo) {
      for (let i = 0; i <= tHi - tLo; i++) {
        out.push({ host, published: pLo + i, target: tLo + i });
      }
    } else {
      // a published range for one container port: Docker picks within it
      for (let t = tLo; t <= tHi; t++) out.push({ host, published: 0, target: t });
    }
  }
  return out;
}

/** Names of the services a service needs: depends_on, links, volumes_from and network_mode. */
function dependenciesOf(svc: Doc): string[] {
  const deps: string[] = [];
  const add = (d: string) => {
    if (d && !deps.includes(d)) deps.push(d);
  };
  if (isMap(svc.depends_on)) Object.keys(svc.depends_on).forEach(add);
  if (Array.isArray(svc.links)) for (const l of svc.links) add(scalarText(l).split(':')[0]);
  if (Array.isArray(svc.volumes_from)) {
    for (const v of svc.volumes_from) {
      const s = scalarText(v);
      if (!s.startsWith('container:')) add(s.split(':')[0]);
    }
  }
  const net = scalarText(svc.network_mode);
  if (net.startsWith('service:')) add(net.slice('service:'.length));
  return deps;
}

function envFilesOf(svc: Doc, projectPath: string): string[] {
  const files = Array.isArray(svc.env_file) ? svc.env_file : [];
  return files
    .map((f) => (isMap(f) ? scalarText(f.path) : scalarText(f)))
    .filter((f) => f !== '')
    .map((f) => resolve(projectPath, f));
}

/** The environment for interpolation: the project's env file, overridden by the process env. */
function projectEnv(ctx: TiltfileContext, project: ComposeProject): Lookup {
  let file = project.envFile;
  if (file === '') {
    const dotenv = join(project.projectPath, '.env');
    if (existsSync(dotenv)) {
      file = dotenv;
      recordRead(ctx, dotenv);
    }
  } else if (!existsSync(file)) {
    throw new EvalError(`Couldn't find env file: ${file}`);
  }
  const processEnv: Lookup = (k) => ctx.env[k];
  const fromFile = file ? parseDotEnv(readFileSync(file, 'utf8'), processEnv) : {};
  return (k) => ctx.env[k] ?? fromFile[k];
}

/** Loads a project's services: merged, interpolated, filtered by profile, dependencies first. */
function loadServices(ctx: TiltfileContext, project: ComposeProject): ComposeService[] {
  checkProjectName(project.name);
  const lookup = projectEnv(ctx, project);
  const merged = new Map<string, Doc>();
  for (const path of project.configPaths) {
    for (const [name, svc] of readComposeFile(path, lookup)) {
      const base = merged.get(name);
      merged.set(name, base ? mergeService(base, svc) : svc);
    }
  }
  for (const [name, svc] of merged) {
    for (const d of dependenciesOf(svc)) {
      if (!merged.has(d)) {
        throw new EvalError(
          `service ${goQuote(name)} depends on undefined service ${goQuote(d)}: invalid compose project`,
        );
      }
    }
  }
  const active = new Set(project.profiles);
  const enabled = (svc: Doc) => {
    const profiles = Array.isArray(svc.profiles) ? svc.profiles.map(scalarText) : [];
    return profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p));
  };
  const byName = new Map([...merged].filter(([, svc]) => enabled(svc)));

  // sorted by name, each after the services it depends on
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name) || path.includes(name) || !byName.has(name)) return;
    for (const d of [...dependenciesOf(byName.get(name)!)].sort()) visit(d, [...path, name]);
    order.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);

  return order.map((name) => {
    const svc = byName.get(name)!;
    const build =
      svc.build === undefined || svc.build === null
        ? undefined
        : buildOf(svc.build, project.projectPath, lookup);
    const configImage = scalarText(svc.image);
    if (!configImage && !build) {
      throw new EvalError(
        `service ${goQuote(name)} has neither an image nor a build context specified: invalid compose project`,
      );
    }
    const defaultImage = configImage || `${project.name}_${name}`;
    try {
      parseRef(defaultImage);
    } catch (e) {
      if (e instanceof RefError) {
        throw new EvalError(
          `getting service ${name}: Error parsing image name ${goQuote(defaultImage)}: ${e.message}`,
        );
      }
      throw e;
    }
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(listToMap(svc.environment))) {
      if (v === null || v === undefined) {
        const env = lookup(k);
        if (env !== undefined) environment[k] = env;
      } else environment[k] = scalarText(v);
    }
    let options = project.options.get(name);
    if (!options) {
      options = newOptions();
      project.options.set(name, options);
    }
    const dependsOn = dependenciesOf(svc);
    options.resourceDeps = [...new Set([...options.resourceDeps, ...dependsOn])].sort();
    return {
      name,
      serviceName: name,
      configImage,
      defaultImage,
      build,
      dependsOn,
      ports: parsePorts(svc.ports),
      profiles: Array.isArray(svc.profiles) ? svc.profiles.map(scalarText) : [],
      environment,
      envFiles: envFilesOf(svc, project.projectPath),
      options,
    };
  });
}

// ---- the builtins ----

/** Where an inline compose file (a blob) is written, so that Compose can be given its path. */
function writeBlobConfig(text: string): string {
  const dir = join(tmpdir(), 'tilt-ts-compose');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(text).digest('hex')}.yml`);
  writeFileSync(path, text);
  return path;
}

/** Fails when a resource of another kind (or another project) already has the name. */
function checkResourceConflict(ctx: TiltfileContext, name: string): void {
  if (localResourcesOf(ctx).some((r) => r.name === name)) {
    throw new EvalError(`local_resource named ${goQuote(name)} already exists`);
  }
  for (const p of composeOf(ctx).projects) {
    if (p.services.some((s) => s.name === name)) {
      throw new EvalError(`dc_resource named ${goQuote(name)} already exists`);
    }
  }
}

function dockerCompose(a: Args, ctx: TiltfileContext): Value {
  const paths = valueOrSequence(a.get('configPaths'));
  if (paths.length === 0) throw new EvalError('Nothing to compose');
  let name = a.string('project_name', '');
  const envFile = a.has('env_file') ? a.path('env_file') : '';
  let profiles = a.strings('profiles');
  const wait = a.bool('wait', false);
  if (envFile) recordRead(ctx, envFile);

  const configPaths: string[] = [];
  let projectPath = '';
  for (const v of paths) {
    if (v === None) continue;
    if (v instanceof Blob) {
      configPaths.push(writeBlobConfig(v.text));
      continue;
    }
    if (typeof v !== 'string') {
      throw new EvalError(`expected blob | path (string). Actual type: ${goType(v)}`);
    }
    const path = ctx.absPath(toHost(v));
    // the project's directory and default name are those of the first file, as for the Compose CLI
    if (projectPath === '') projectPath = dirname(path);
    if (name === '') name = normalizeProjectName(basename(dirname(path)));
    configPaths.push(path);
    recordRead(ctx, path);
  }
  const tiltfilePath = ctx.currentFile;
  if (name === '') name = normalizeProjectName(basename(dirname(tiltfilePath)));
  if (projectPath === '') projectPath = dirname(tiltfilePath);
  if (!a.has('profiles') && ctx.env.COMPOSE_PROFILES) {
    ctx.log(
      `Compose project ${goQuote(name)} loading profiles from environment: ${ctx.env.COMPOSE_PROFILES}`,
    );
    profiles = ctx.env.COMPOSE_PROFILES.split(',');
  }

  const part = composeOf(ctx);
  let project = part.projects.find((p) => p.name === name);
  if (!project) {
    project = {
      name,
      projectPath,
      configPaths,
      envFile,
      profiles,
      wait,
      services: [],
      options: new Map(),
      tiltfilePath,
    };
    part.projects.push(project);
  } else {
    for (const p of configPaths) if (!project.configPaths.includes(p)) project.configPaths.push(p);
    if (envFile) project.envFile = envFile;
  }

  project.services = [];
  const services = loadServices(ctx, project);
  for (const svc of services) {
    checkResourceConflict(ctx, svc.name);
    for (const f of svc.envFiles) recordRead(ctx, f);
    project.services.push(svc);
  }
  return None;
}

/** The service named `name` (a resource name) in the given project, or in any. */
function findService(
  ctx: TiltfileContext,
  name: string,
  projectName: string,
): { project: ComposeProject; svc: ComposeService } {
  let found: { project: ComposeProject; svc: ComposeService } | undefined;
  const all: string[] = [];
  for (const project of composeOf(ctx).projects) {
    if (projectName !== '' && project.name !== projectName) continue;
    for (const svc of project.services) {
      if (svc.name === name) {
        if (found) {
          throw new EvalError(
            `found multiple resources named ${goQuote(name)}, please specify which one with project_name= argument`,
          );
        }
        found = { project, svc };
      }
      all.push(svc.name);
    }
  }
  if (!found) {
    throw new EvalError(
      `no Docker Compose service found with name ${goQuote(name)}. Found these instead:\n\t${all.join('; ')}`,
    );
  }
  return found;
}

function rename(
  ctx: TiltfileContext,
  project: ComposeProject,
  svc: ComposeService,
  newName: string,
) {
  checkResourceConflict(ctx, newName);
  const old = svc.name;
  const opts = project.options.get(old);
  if (opts) {
    project.options.delete(old);
    project.options.set(newName, opts);
  }
  for (const other of project.services) {
    if (other === svc) continue;
    const i = other.dependsOn.indexOf(old);
    if (i >= 0) other.dependsOn[i] = newName;
    const j = other.options.resourceDeps.indexOf(old);
    if (j >= 0) other.options.resourceDeps[j] = newName;
  }
  svc.name = newName;
}

function dcResource(a: Args, ctx: TiltfileContext): Value {
  const name = a.string('name');
  if (name === '') throw new EvalError('dc_resource: `name` must not be empty');
  const image = a.get('image');
  let imageRef: string | undefined;
  if (image !== undefined) {
    if (typeof image !== 'string') {
      throw new EvalError(`image arg must be a string; got ${goType(image)}`);
    }
    imageRef = toHost(image);
    try {
      parseRef(imageRef);
    } catch (e) {
      if (e instanceof RefError) throw new EvalError(e.message);
      throw e;
    }
  }
  const triggerMode = triggerModeArg(a, 'trigger_mode');
  const resourceDeps = a.strings('resource_deps', false);
  const links = linksArg(a, 'links');
  const labels = a.strings('labels');
  const newName = a.string('new_name', '');

  const { project, svc } = findService(ctx, name, a.string('project_name', ''));
  if (newName !== '') rename(ctx, project, svc, newName);
  const o = svc.options;
  if (triggerMode !== undefined) o.triggerMode = triggerMode;
  if (a.has('infer_links')) o.inferLinks = a.bool('infer_links', true);
  o.links.push(...links);
  for (const l of labels) if (!o.labels.includes(l)) o.labels.push(l);
  if (imageRef !== undefined) o.imageFromUser = imageRef;
  for (const d of resourceDeps) if (!o.resourceDeps.includes(d)) o.resourceDeps.push(d);
  if (a.has('auto_init')) o.autoInit = a.bool('auto_init', true);
  return None;
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  out.set(
    'docker_compose',
    tiltBuiltin(
      ctx,
      'docker_compose',
      ['configPaths', 'env_file?', 'project_name', 'profiles', 'wait'],
      (a, c) => dockerCompose(a, c),
    ),
  );
  out.set(
    'dc_resource',
    tiltBuiltin(
      ctx,
      'dc_resource',
      [
        'name',
        'image?',
        'trigger_mode',
        'resource_deps',
        'infer_links',
        'links',
        'labels',
        'auto_init',
        'project_name',
        'new_name',
      ],
      (a, c) => dcResource(a, c),
    ),
  );
}
