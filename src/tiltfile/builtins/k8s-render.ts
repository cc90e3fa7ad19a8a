// Kubernetes YAML rendered by external tools: helm() runs `helm template` on a
// chart directory, kustomize() runs `kustomize build` (or `kubectl kustomize`).
// Both return a blob for k8s_yaml and watch the files the output depends on.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parse as parseYAML } from 'yaml';
import { EvalError } from '../../starlark/errors.js';
import type { Value } from '../../starlark/values/value.js';
import {
  K8sEntity,
  YAMLParseError,
  parseYAMLStream,
  serializeYAMLStream,
} from '../../k8s/entity.js';
import { tiltBuiltin, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { recordRead, walkSorted } from './files.js';
import { goQuote } from './settings-go.js';

// ---- running commands ----

/**
 * Finds an executable as Go's exec.LookPath does, searching the Tiltfile's
 * PATH; a name with a slash is checked as is. Throws Go's message when absent.
 */
export function lookPath(name: string, env: Record<string, string>, cwd: string): string {
  const check = (p: string): string | undefined => {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return err.code === 'ENOENT'
        ? `stat ${p}: no such file or directory`
        : `stat ${p}: ${err.message}`;
    }
    if (st.isDirectory()) return 'is a directory';
    try {
      accessSync(p, constants.X_OK);
    } catch {
      return 'permission denied';
    }
    return undefined;
  };
  if (name.includes('/')) {
    const problem = check(isAbsolute(name) ? name : resolve(cwd, name));
    if (problem) throw new EvalError(`exec: ${goQuote(name)}: ${problem}`);
    return name;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const p = join(dir === '' ? cwd : resolve(cwd, dir), name);
    if (check(p) === undefined) return p;
  }
  throw new EvalError(`exec: ${goQuote(name)}: executable file not found in $PATH`);
}

/** How Tilt shows a command: argv joined by spaces, arguments with spaces quoted. */
export function cmdString(argv: string[]): string {
  return argv.map((a) => (a.includes(' ') ? goQuote(a) : a)).join(' ');
}

interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs argv in the Tiltfile's directory and environment, logging
 * `Running: <cmd>` first. A failure reports the output, as Tilt does for
 * commands whose output is not logged.
 */
function runLogged(ctx: TiltfileContext, argv: string[]): RunResult {
  ctx.log(`Running: ${cmdString(argv)}`);
  const failed = (why: string, stdout = '', stderr = '') =>
    new EvalError(
      `command ${goQuote(cmdString(argv))} failed.\nerror: ${why}\nstdout: ${goQuote(stdout)}\nstderr: ${goQuote(stderr)}`,
    );
  let exe: string;
  try {
    exe = lookPath(argv[0], ctx.env, ctx.dir);
  } catch (e) {
    throw failed((e as Error).message);
  }
  const r = spawnSync(exe, argv.slice(1), {
    cwd: ctx.dir,
    env: ctx.env,
    input: '',
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  if (r.error || r.status !== 0) {
    const why = r.error
      ? r.error.message
      : r.signal
        ? `signal: ${signalName(r.signal)}`
        : `exit status ${r.status}`;
    throw failed(why, stdout, stderr);
  }
  return { stdout, stderr };
}

function signalName(sig: NodeJS.Signals): string {
  const names: Record<string, string> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGINT: 'interrupt',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
  };
  return names[sig] ?? sig;
}

// ---- helm ----

type HelmVersion = 'v3.0' | 'v3.1+';

/** The Helm major/minor family from `helm version --client --short` (the last line of it). */
export function parseHelmVersion(output: string): HelmVersion {
  const lines = output.trim().split('\n');
  const last = lines[lines.length - 1].trim();
  const m = /^v?(\d+)\.(\d+)\./.exec(last);
  if (m && Number(m[1]) >= 3) return Number(m[1]) === 3 && m[2] === '0' ? 'v3.0' : 'v3.1+';
  throw new EvalError(`could not parse Helm version from string: ${goQuote(output)}`);
}

/** Lines of a `helm template` document that mark it as a chart test. */
const HELM_TEST_SOURCE = /^# Source: .*\/tests\//;

/** Drops the documents that come from a chart's tests/ directory. */
export function filterHelmTestYAML(stream: string): string {
  return stream
    .split('---\n')
    .filter((doc) => !doc.split('\n').some((l) => HELM_TEST_SOURCE.test(l)))
    .join('---\n');
}

/** Local (file://) chart dependencies of requirements.yaml and Chart.yaml, as absolute paths. */
function localSubcharts(chartDir: string): string[] {
  const out: string[] = [];
  for (const file of ['requirements.yaml', 'Chart.yaml']) {
    const path = join(chartDir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    let doc: unknown;
    try {
      doc = parseYAML(text);
    } catch (e) {
      // A malformed Chart.yaml is left for helm to report.
      if (file === 'Chart.yaml') continue;
      throw new EvalError(`error parsing ${path}: ${(e as Error).message}`);
    }
    const deps = (doc as { dependencies?: unknown } | null)?.dependencies;
    if (!Array.isArray(deps)) continue;
    for (const d of deps) {
      const repo = (d as { repository?: unknown } | null)?.repository;
      if (typeof repo === 'string' && repo.startsWith('file://')) {
        const p = resolve(chartDir, repo.slice('file://'.length));
        if (!out.includes(p)) out.push(p);
      }
    }
  }
  return out;
}

/** YAML files under <chart>/crds, for Helm 3.0 which leaves them out of `helm template`. */
function chartCRDs(chartDir: string): string[] {
  const out: string[] = [];
  walkSorted(join(chartDir, 'crds'), (p, e) => {
    if (e.isFile() && /^\.ya?ml$/i.test(extname(e.name))) out.push(readFileSync(p, 'utf8'));
  });
  return out;
}

/** Sets the namespace of every object that names none (helm template does not). */
function injectNamespace(yaml: string, namespace: string): string {
  let entities: K8sEntity[];
  try {
    entities = parseYAMLStream(yaml);
  } catch (e) {
    if (e instanceof YAMLParseError) throw new EvalError(e.message);
    throw e;
  }
  const out = entities.map((e) => {
    if (e.namespace !== '') return e;
    const c = e.clone();
    const meta = c.obj.metadata;
    if (meta && typeof meta === 'object' && !Array.isArray(meta)) meta.namespace = namespace;
    else c.obj.metadata = { namespace };
    return c;
  });
  return serializeYAMLStream(out);
}

function helm(a: Args, ctx: TiltfileContext): Value {
  const chart = a.path('paths');
  const name = a.string('name', '') || 'chart';
  const namespace = a.string('namespace', '');
  const values = a.strings('values');
  const set = a.strings('set');
  const kubeVersion = a.string('kube_version', '');
  const skipCRDs = a.bool('skip_crds', false);

  let isDir: boolean;
  try {
    isDir = statSync(chart).isDirectory();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      throw new EvalError(`Could not read Helm chart directory ${goQuote(chart)}: does not exist`);
    }
    throw new EvalError(`Could not read Helm chart directory ${goQuote(chart)}: ${err.message}`);
  }
  if (!isDir) {
    throw new EvalError(
      `helm() may only be called on directories with Chart.yaml: ${goQuote(chart)}`,
    );
  }
  recordRead(ctx, chart, true);
  for (const dep of localSubcharts(chart)) recordRead(ctx, dep, true);

  let exe: string;
  try {
    exe = lookPath('helm', ctx.env, ctx.dir);
  } catch {
    throw new EvalError('Unable to find Helm installation. Make sure `helm` is on your $PATH.');
  }
  const v = spawnSync(exe, ['version', '--client', '--short'], {
    cwd: ctx.dir,
    env: ctx.env,
    input: '',
    encoding: 'utf8',
  });
  if (v.error || v.status !== 0) {
    throw new EvalError(v.error ? v.error.message : `exit status ${v.status}`);
  }
  const version = parseHelmVersion(v.stdout ?? '');

  const argv = ['helm', 'template', name, chart];
  if (version === 'v3.1+' && !skipCRDs) argv.push('--include-crds');
  if (namespace) argv.push('--namespace', namespace);
  if (kubeVersion) argv.push('--kube-version', kubeVersion);
  for (const f of values) {
    argv.push('--values', f);
    recordRead(ctx, ctx.absPath(f));
  }
  for (const s of set) argv.push('--set', s);

  let yaml = filterHelmTestYAML(runLogged(ctx, argv).stdout);
  if (version === 'v3.0' && !skipCRDs) {
    const crds = chartCRDs(chart);
    if (crds.length > 0) yaml = [yaml, ...crds].join('\n---\n');
  }
  if (namespace) yaml = injectNamespace(yaml, namespace);
  return new Blob(yaml, `helm: ${chart}`);
}

// ---- kustomize ----

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A kustomization reference that names a remote target rather than a local path. */
function isRemote(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.startsWith('git@') || ref.startsWith('github.com/')
  );
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The kustomization file of a directory; exactly one of the known names must exist. */
function kustomizationFile(dir: string): string {
  const found = KUSTOMIZATION_FILES.map((f) => join(dir, f)).filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  if (found.length === 0) {
    throw new Error(
      `unable to find one of [${KUSTOMIZATION_FILES.join(' ')}] in directory '${dir}'`,
    );
  }
  if (found.length > 1) throw new Error(`Found multiple kustomization files under: ${dir}\n`);
  return found[0];
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asStrings = (v: unknown): string[] =>
  asArray(v).filter((x): x is string => typeof x === 'string');
const field = (v: unknown, k: string): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;

/**
 * The files a kustomization reads: its kustomization file, resources,
 * patches, generator sources and CRDs; bases, components and resource
 * directories are followed recursively.
 */
export function kustomizeDeps(dir: string, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const file = kustomizationFile(dir);
  let doc: unknown;
  try {
    doc = parseYAML(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Failed to read kustomization file under ${dir}:\n${(e as Error).message}`);
  }
  const deps: string[] = [];
  const local = (ref: string) => !isRemote(ref) && ref !== '';
  const addPath = (ref: string) => {
    if (!local(ref)) return;
    const p = resolve(dir, ref);
    if (isDirectory(p) && KUSTOMIZATION_FILES.some((f) => isFileAt(join(p, f)))) {
      deps.push(...kustomizeDeps(p, seen));
    } else deps.push(p);
  };
  for (const base of asStrings(field(doc, 'bases'))) addPath(base);
  deps.push(file);
  for (const r of asStrings(field(doc, 'resources'))) addPath(r);
  for (const c of asStrings(field(doc, 'components'))) addPath(c);
  for (const p of asStrings(field(doc, 'patchesStrategicMerge'))) {
    // an inline patch is YAML, not a path
    if (!p.includes('\n')) addPath(p);
  }
  for (const key of ['patchesJson6902', 'patches', 'replacements']) {
    for (const p of asArray(field(doc, key))) {
      const path = field(p, 'path');
      if (typeof path === 'string') addPath(path);
    }
  }
  for (const key of ['crds', 'configurations', 'generators', 'transformers', 'validators']) {
    for (const p of asStrings(field(doc, key))) addPath(p);
  }
  const openapi = field(field(doc, 'openapi'), 'path');
  if (typeof openapi === 'string') addPath(openapi);
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    for (const g of asArray(field(doc, key))) {
      for (const src of asStrings(field(g, 'files'))) {
        // "key=path" names the key the file's contents go under
        const eq = src.indexOf('=');
        addPath(eq >= 0 ? src.slice(eq + 1) : src);
      }
      for (const env of asStrings(field(g, 'envs'))) addPath(env);
      const env = field(g, 'env');
      if (typeof env === 'string') addPath(env);
    }
  }
  return [...new Set(deps)];
}

function isFileAt(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function kustomize(a: Args, ctx: TiltfileContext): Value {
  const path = a.path('paths');
  const bin = a.has('kustomize_bin') ? a.path('kustomize_bin') : '';
  const flags = a.strings('flags');

  let base = [bin || 'kustomize', 'build'];
  try {
    lookPath(base[0], ctx.env, ctx.dir);
  } catch (e) {
    if (bin) throw e;
    ctx.log(`Falling back to \`kubectl kustomize\` since \`${base[0]}\` was not found in PATH`);
    base = ['kubectl', 'kustomize'];
  }
  // kustomize mishandles absolute paths, so the path is given relative to the Tiltfile's directory
  const argv = [...base, ...flags, relative(ctx.dir, path) || '.'];
  const { stdout } = runLogged(ctx, argv);
  let deps: string[];
  try {
    deps = kustomizeDeps(path);
  } catch (e) {
    throw new EvalError(`resolving deps: ${(e as Error).message}`);
  }
  for (const d of deps) recordRead(ctx, d, true);
  return new Blob(stdout, `kustomize: ${path}`);
}

// ---- registration ----

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  out.set(
    'helm',
    tiltBuiltin(
      ctx,
      'helm',
      ['paths', 'name?', 'namespace', 'values', 'set', 'kube_version', 'skip_crds'],
      (a, c) => helm(a, c),
    ),
  );
  out.set(
    'kustomize',
    tiltBuiltin(ctx, 'kustomize', ['paths', 'kustomize_bin?', 'flags'], (a, c) => kustomize(a, c)),
  );
}
