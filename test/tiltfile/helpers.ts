// Running a Tiltfile from a temporary project directory in tests, and the
// Kubernetes YAML such projects deploy.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EvalError } from '../../src/starlark/errors.js';
import { Thread } from '../../src/starlark/eval/thread.js';
import { execFile } from '../../src/starlark/interp.js';
import { TILT_DIALECT } from '../../src/starlark/resolve/resolver.js';
import type { Value } from '../../src/starlark/values/value.js';
import { toHost } from '../../src/tiltfile/args.js';
import { TiltfileContext } from '../../src/tiltfile/context.js';
import { loadTiltfile, type TiltfileResult } from '../../src/tiltfile/index.js';
import { describeTiltfileError, execTiltfile } from '../../src/tiltfile/loader.js';

const projects: string[] = [];

/** A temporary directory holding the given files (paths relative to it, parents created). */
export function writeProject(
  files: Record<string, string>,
  symlinks: Record<string, string> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilt-test-'));
  projects.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  for (const [link, target] of Object.entries(symlinks)) {
    const p = join(dir, link);
    mkdirSync(dirname(p), { recursive: true });
    symlinkSync(target, p);
  }
  return dir;
}

/** Removes the directories made by writeProject (call from afterEach). */
export function removeProjects(): void {
  for (const d of projects.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface LoadProjectOptions {
  /** Arguments after `--`. */
  args?: string[];
  /** The environment of the Tiltfile (default: empty). */
  env?: Record<string, string>;
  /**
   * A subdirectory of the temporary directory to hold the project, for when
   * the project directory's name matters (docker_compose's project name).
   */
  subdir?: string;
}

export type LoadedProject = TiltfileResult & {
  /** The project directory, holding the Tiltfile. */
  dir: string;
  /** Log lines, the loader's own included. */
  logs: string[];
};

/** Loads the Tiltfile of the project in `dir` as `tilt up` does, collecting its log lines. */
export function loadProjectAt(dir: string, opts: LoadProjectOptions = {}): LoadedProject {
  const logs: string[] = [];
  const r = loadTiltfile({
    path: join(dir, 'Tiltfile'),
    args: opts.args ?? [],
    env: opts.env ?? {},
    log: (l) => logs.push(l),
  });
  return { ...r, dir, logs };
}

/** Writes the files (a Tiltfile among them) into a fresh project and loads it. */
export function loadProject(
  files: Record<string, string>,
  opts: LoadProjectOptions = {},
): LoadedProject {
  const sub = opts.subdir;
  if (!sub) return loadProjectAt(writeProject(files), opts);
  const root = writeProject(
    Object.fromEntries(Object.entries(files).map(([name, text]) => [join(sub, name), text])),
  );
  return loadProjectAt(join(root, sub), opts);
}

export interface RunOptions {
  /** Other files of the project. */
  files?: Record<string, string>;
  /** Symlinks to create: link path -> target. */
  symlinks?: Record<string, string>;
  /** Arguments after `--`. */
  args?: string[];
  env?: Record<string, string>;
  subcommand?: string;
  /** Path of the main Tiltfile in the project (default "Tiltfile"). */
  main?: string;
}

export interface RunResult {
  dir: string;
  ctx: TiltfileContext;
  error: Error | null;
  /** The error's message (without the backtrace), or null. */
  message: string | null;
  /** The error as Tilt shows it, or null. */
  shown: string | null;
  /** Log lines (print output, warnings). */
  logs: string[];
  /** Log lines joined, each followed by a newline. */
  output: string;
  env: Record<string, string>;
}

/** Runs `src` as the main Tiltfile of a fresh project. */
export function runTiltfile(src: string, opts: RunOptions = {}): RunResult {
  const main = opts.main ?? 'Tiltfile';
  const dir = writeProject({ ...opts.files, [main]: src }, opts.symlinks);
  const logs: string[] = [];
  const env = opts.env ?? {};
  const { ctx, error } = execTiltfile({
    mainPath: join(dir, main),
    args: opts.args ?? [],
    subcommand: opts.subcommand ?? 'up',
    env,
    log: (l) => logs.push(l),
  });
  return {
    dir,
    ctx,
    error,
    message: error ? toHost(error instanceof EvalError ? error.msg : error.message) : null,
    shown: error ? describeTiltfileError(error) : null,
    logs,
    output: logs.map((l) => l + '\n').join(''),
    env,
  };
}

export interface PartialRun {
  dir: string;
  ctx: TiltfileContext;
  /** The error's message as host text, if the Tiltfile failed. */
  error?: string;
  /** The error as Tilt shows it, if the Tiltfile failed. */
  backtrace?: string;
}

/**
 * Runs `src` with only the builtins that `setup` adds (a family's register
 * function, stand-ins for other builtins), executing the file without assembly.
 */
export function runWithBuiltins(
  src: string,
  setup: (ctx: TiltfileContext, predeclared: Map<string, Value>) => void,
): PartialRun {
  const dir = writeProject({ Tiltfile: src });
  const path = join(dir, 'Tiltfile');
  const ctx = new TiltfileContext({
    mainPath: path,
    args: [],
    subcommand: 'up',
    env: {},
    log: () => {},
  });
  const predeclared = new Map<string, Value>();
  setup(ctx, predeclared);
  try {
    ctx.inFile(path, () =>
      execFile(new Thread({ print: () => {} }), path, src, { dialect: TILT_DIALECT, predeclared }),
    );
    return { dir, ctx };
  } catch (e) {
    const err = e as Error & { msg?: string };
    return {
      dir,
      ctx,
      error: toHost(err.msg ?? err.message),
      backtrace: describeTiltfileError(err),
    };
  }
}

export interface DeploymentOptions {
  /** Labels of the pods, also the selector (default: app: <name>). */
  labels?: Record<string, string>;
  namespace?: string;
  /** Environment variables of the container. */
  env?: Record<string, string>;
}

/** A Deployment whose one container, "main", runs `image`. */
export function deploymentYAML(name: string, image: string, opts: DeploymentOptions = {}): string {
  const labels = opts.labels ?? { app: name };
  const labelLines = (indent: string) =>
    Object.entries(labels)
      .map(([k, v]) => `${indent}${k}: ${v}`)
      .join('\n');
  const envLines = Object.entries(opts.env ?? {})
    .map(([k, v]) => `            - name: ${k}\n              value: ${v}\n`)
    .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${opts.namespace ? `  namespace: ${opts.namespace}\n` : ''}spec:
  selector:
    matchLabels:
${labelLines('      ')}
  template:
    metadata:
      labels:
${labelLines('        ')}
    spec:
      containers:
        - name: main
          image: ${image}
${envLines ? `          env:\n${envLines}` : ''}`;
}

/** A Service on port 80 selecting the pods with the `selector` labels. */
export function serviceYAML(
  name: string,
  selector: Record<string, string>,
  labels: Record<string, string> = {},
): string {
  const lines = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([k, v]) => `    ${k}: ${v}`)
      .join('\n');
  const md = lines(labels);
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
${md ? `  labels:\n${md}\n` : ''}spec:
  selector:
${lines(selector)}
  ports:
    - port: 80
`;
}

/** A Pod whose one container, named like the pod, runs `image`. */
export function podYAML(name: string, image: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: ${name}\n      image: ${image}\n`;
}
