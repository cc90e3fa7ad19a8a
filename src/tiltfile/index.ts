// Loading a Tiltfile: execute it, then assemble what it recorded into manifests.

import { resolve } from 'node:path';
import type { Manifest } from '../model/manifest.js';
import { EvalError } from '../starlark/errors.js';
import { toHost } from './args.js';
import { assemble } from './assemble/index.js';
import { apiObjectsOf, type APIObject } from './builtins/extensions.js';
import { imagesOf, type RegistrySpec } from './builtins/images.js';
import { settingsOf, type TiltfileSettings } from './builtins/settings.js';
import { describeTiltfileError, execTiltfile } from './loader.js';

export interface LoadOptions {
  /** Path of the main Tiltfile (default ./Tiltfile). */
  path?: string;
  /** Arguments after `--`. */
  args?: string[];
  subcommand?: string;
  env?: Record<string, string>;
  /** Receives the Tiltfile's log lines. */
  log?: (line: string) => void;
  /** Stop a Tiltfile that runs longer than this many steps. */
  maxSteps?: number;
  /** Stop a Tiltfile that runs longer than this (ms). */
  timeoutMs?: number;
  /** The runtime restarts containers in place (the Docker runtime): restart_container() is allowed for k8s resources. */
  containerRestarts?: boolean;
}

export interface TiltfileResult {
  manifests: Manifest[];
  /** Files whose change re-runs the Tiltfile. */
  configFiles: string[];
  warnings: string[];
  /** API objects declared with v1alpha1.* */
  apiObjects: APIObject[];
  /** update_settings, watch_settings, ci_settings and the like. */
  settings: TiltfileSettings;
  /** default_registry(), if called. */
  registry?: RegistrySpec;
  /** The error as Tilt shows it (a backtrace, or file:line:col: message), or null. */
  error: string | null;
}

/** A duration as Go prints it: 1.5s, 250ms, 12.345ms. */
export function goDuration(ms: number): string {
  if (ms >= 1000) return `${+(ms / 1000).toFixed(9)}s`;
  if (ms >= 1) return `${+ms.toFixed(6)}ms`;
  return `${+(ms * 1000).toFixed(3)}µs`;
}

export function loadTiltfile(opts: LoadOptions = {}): TiltfileResult {
  const path = resolve(opts.path ?? 'Tiltfile');
  const log = opts.log ?? (() => {});
  const start = performance.now();
  log(`Loading Tiltfile at: ${path}`);
  const result = load(path, opts);
  if (!result.error) log(`Successfully loaded Tiltfile (${goDuration(performance.now() - start)})`);
  return result;
}

function load(path: string, opts: LoadOptions): TiltfileResult {
  const { ctx, error } = execTiltfile({
    mainPath: path,
    args: opts.args ?? [],
    subcommand: opts.subcommand ?? 'up',
    // A copy: os.putenv changes what the Tiltfile and its commands see, not this process.
    env: opts.env ?? ({ ...process.env } as Record<string, string>),
    log: opts.log ?? (() => {}),
    maxSteps: opts.maxSteps,
    timeoutMs: opts.timeoutMs,
    containerRestarts: opts.containerRestarts,
  });
  const result = (manifests: Manifest[], err: Error | null): TiltfileResult => ({
    manifests,
    configFiles: [...ctx.configFiles],
    warnings: ctx.warnings,
    apiObjects: apiObjectsOf(ctx),
    settings: settingsOf(ctx),
    registry: imagesOf(ctx).registry,
    error: err ? describeTiltfileError(err) : null,
  });
  if (error) return result([], error);
  try {
    return result(assemble(ctx), null);
  } catch (e) {
    // Assembly errors are not raised by a call: Tilt shows their message alone.
    if (e instanceof EvalError && e.frames.length === 0)
      return { ...result([], null), error: toHost(e.msg) };
    return result([], e instanceof Error ? e : new Error(String(e)));
  }
}
