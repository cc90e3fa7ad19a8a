// The config module: user settings from tilt_config.json and the command
// line after `--`, and the choice of resources to enable.

import { readFileSync } from 'node:fs';
import { EvalError } from '../../starlark/errors.js';
import { Module, None, type Value } from '../../starlark/values/value.js';
import { fromHost, tiltBuiltin, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import {
  FlagError,
  mergeSettings,
  parseArgs,
  parseConfigFile,
  usageText,
  type SettingDef,
  type SettingKind,
  type SettingValue,
} from './config-settings.js';
import { readError, recordRead } from './files.js';
import { join } from './os-filepath.js';

export const USER_CONFIG_FILE = 'tilt_config.json';

/** What the config builtins recorded (the `config` part of the context). */
export interface ConfigState {
  /** Whether config.parse was called (then the args after `--` are settings, not resource names). */
  parseCalled: boolean;
  /** The directory of the Tiltfile that called config.parse. */
  parseDir?: string;
  /** Settings in definition order. */
  settings: Map<string, SettingDef>;
  /** The setting that receives positional args (args=True). */
  positional?: string;
  /** The list given to the last set_enabled_resources, or [] after clear_enabled_resources. */
  enabled?: string[];
  /** Whether clear_enabled_resources was called last (everything starts disabled). */
  disableAll: boolean;
}

export function configState(ctx: TiltfileContext): ConfigState {
  return ctx.part<ConfigState>('config', () => ({
    parseCalled: false,
    settings: new Map(),
    disableAll: false,
  }));
}

/**
 * The resources the user asked for, or undefined for all of them:
 * set_enabled_resources wins (an empty list means all);
 * clear_enabled_resources gives [] (all disabled);
 * otherwise, unless config.parse was called, the args after `--` name them.
 * Assembly enables these and everything they depend on.
 */
export function enabledResources(ctx: TiltfileContext): string[] | undefined {
  const s = configState(ctx);
  if (s.disableAll) return [];
  if (s.enabled !== undefined) return s.enabled.length > 0 ? [...s.enabled] : undefined;
  if (!s.parseCalled && ctx.args.length > 0) return [...ctx.args];
  return undefined;
}

export interface ResourceNode {
  name: string;
  resourceDeps: string[];
}

/**
 * The names of the resources to enable, in the order of `all`: the requested
 * ones and, transitively, their dependencies (all of them when `requested` is
 * undefined). Unknown names fail with Tilt's message.
 */
export function selectResources(requested: string[] | undefined, all: ResourceNode[]): string[] {
  if (requested === undefined) return all.map((r) => r.name);
  const byName = new Map(all.map((r) => [r.name, r]));
  const unknown = requested.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const quote = (l: string[]) => l.map((n) => JSON.stringify(n)).join(', ');
    const others = all.map((r) => r.name).filter((n) => !requested.includes(n));
    throw new Error(
      `You specified some resources that could not be found: ${quote(unknown)}\nIs this a typo? Existing resources in Tiltfile: ${quote(others)}`,
    );
  }
  const chosen = new Set<string>();
  const add = (n: string) => {
    if (chosen.has(n)) return;
    chosen.add(n);
    for (const d of byName.get(n)?.resourceDeps ?? []) add(d);
  };
  requested.forEach(add);
  return all.map((r) => r.name).filter((n) => chosen.has(n));
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const state = configState(ctx);

  const define = (kind: SettingKind) => {
    const fn = `config.define_${kind}`;
    return tiltBuiltin(ctx, fn, ['name', 'args?', 'usage?'], (a: Args) => {
      const name = a.string('name');
      const isArgs = a.bool('args', false);
      const usage = a.string('usage', '');
      if (name === '') throw new EvalError("'name' is required");
      if (state.parseCalled)
        throw new EvalError(`${fn} cannot be called after config.parse is called`);
      if (state.settings.has(name)) throw new EvalError(`${name} defined multiple times`);
      if (isArgs) {
        if (state.positional !== undefined) {
          throw new EvalError(
            `both ${name} and ${state.positional} are defined as positional args`,
          );
        }
        state.positional = name;
      }
      state.settings.set(name, { kind, usage });
      return None;
    });
  };

  const parse = tiltBuiltin(ctx, 'config.parse', [], (a) => {
    const wd = ctx.dir;
    if (state.parseDir !== undefined && state.parseDir !== wd) {
      throw new EvalError(
        `${a.fn} can only be called from one Tiltfile working directory per run. It was called from ${state.parseDir} and ${wd}`,
      );
    }
    state.parseDir = wd;
    state.parseCalled = true;

    const path = join(wd, USER_CONFIG_FILE);
    let fromFile: Map<string, SettingValue>;
    let fromArgs: Map<string, SettingValue>;
    recordRead(ctx, path);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ENOENT')
        throw new EvalError(`error opening ${path}: ${readError(path, err)}`);
    }
    try {
      fromFile = text === undefined ? new Map() : parseConfigFile(state.settings, path, text);
    } catch (e) {
      throw new EvalError((e as Error).message);
    }
    try {
      fromArgs = parseArgs(state.settings, state.positional, ctx.args);
    } catch (e) {
      if (e instanceof FlagError) ctx.log(usageText(state.settings, state.positional));
      throw new EvalError((e as Error).message);
    }
    return mergeSettings(state.settings, fromFile, fromArgs);
  });

  const setEnabled = tiltBuiltin(ctx, 'config.set_enabled_resources', ['resources'], (a) => {
    state.enabled = a.strings('resources', false);
    state.disableAll = false;
    return None;
  });

  const clearEnabled = tiltBuiltin(ctx, 'config.clear_enabled_resources', [], () => {
    state.enabled = [];
    state.disableAll = true;
    return None;
  });

  out.set(
    'config',
    new Module(
      'config',
      new Map<string, Value>([
        ['define_string', define('string')],
        ['define_string_list', define('string_list')],
        ['define_bool', define('bool')],
        ['define_object', define('object')],
        ['parse', parse],
        ['set_enabled_resources', setEnabled],
        ['clear_enabled_resources', clearEnabled],
        ['tilt_subcommand', fromHost(ctx.subcommand)],
        ['main_path', fromHost(ctx.mainPath)],
        ['main_dir', fromHost(ctx.mainDir)],
      ]),
    ),
  );
}
