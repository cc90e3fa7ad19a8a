// Local commands: local() at load time, local_resource() and its test() alias.

import { spawnSync } from 'node:child_process';
import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { Builtin, List, None, Tuple, typeOf, type Value } from '../../starlark/values/value.js';
import { fromHost, tiltBuiltin, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { asString, commandOf, localPathList, stringStringMap, valuesToStrings } from './images.js';
import { labelsArg } from './k8s.js';
import { goQuote, goStringSlice } from './settings-go.js';
import {
  linksArg,
  probeArg,
  triggerModeArg,
  type LinkSpec,
  type ProbeSpec,
  type TriggerModeArg,
} from './settings.js';

export interface LocalResourceSpec {
  name: string;
  updateCmd: string[];
  updateDir: string;
  updateEnv: Record<string, string>;
  serveCmd: string[];
  serveDir: string;
  serveEnv: Record<string, string>;
  deps: string[];
  ignore: string[];
  triggerMode: TriggerModeArg | undefined;
  resourceDeps: string[];
  autoInit: boolean;
  allowParallel: boolean;
  links: LinkSpec[];
  labels: string[];
  readinessProbe: ProbeSpec | undefined;
  definedAt: string;
}

export function localResourcesOf(ctx: TiltfileContext): LocalResourceSpec[] {
  return ctx.part('local_resources', () => [] as LocalResourceSpec[]);
}

/**
 * How Tilt shows a command: the script of a one-line `sh -c`, else the argv
 * with the arguments that contain a space quoted.
 */
export function showCmd(argv: string[]): string {
  if (argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c' && !argv[2].includes('\n')) {
    return argv[2];
  }
  return argv.map((a) => (a.includes(' ') ? goQuote(a) : a)).join(' ');
}

const LOCAL_RESOURCE_PARAMS = [
  'name',
  'cmd?',
  'deps',
  'trigger_mode',
  'resource_deps',
  'ignore',
  'auto_init',
  'serve_cmd',
  'cmd_bat',
  'serve_cmd_bat',
  'allow_parallel',
  'links',
  'labels',
  'env',
  'serve_env',
  'readiness_probe',
  'dir',
  'serve_dir',
];

const TEST_DEPRECATED =
  'test() is deprecated and will be removed in a future release.\nChange this call to use `local_resource(..., allow_parallel=True)`';

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  out.set(
    'local',
    tiltBuiltin(
      ctx,
      'local',
      ['command', 'quiet?', 'command_bat', 'echo_off', 'env', 'dir', 'stdin'],
      (a, c, t) => runLocal(a, c, t),
    ),
  );
  out.set(
    'local_resource',
    tiltBuiltin(ctx, 'local_resource', LOCAL_RESOURCE_PARAMS, (a, c, t) => {
      addLocalResource(a, c, t, false);
      return None;
    }),
  );
  // test() is the deprecated alias, which allows parallel runs unless told otherwise.
  const test = tiltBuiltin(ctx, 'test', LOCAL_RESOURCE_PARAMS, (a, c, t) => {
    addLocalResource(a, c, t, true);
    return None;
  });
  out.set(
    'test',
    new Builtin('test', (thread, args, kwargs, self) => {
      ctx.warn(TEST_DEPRECATED);
      return test.fn(thread, args, kwargs, self);
    }),
  );
}

/** An error whose message is host text. */
function fail(msg: string): EvalError {
  return new EvalError(fromHost(msg));
}

/** A command argument: Tilt's errors for values that are not commands. */
function commandArg(a: Args, name: string): string[] {
  try {
    return commandOf(a.get(name));
  } catch (e) {
    throw fail((e as Error).message);
  }
}

function runLocal(a: Args, ctx: TiltfileContext, _t: Thread): Value {
  const quiet = a.bool('quiet', false);
  const echoOff = a.bool('echo_off', false);
  const extraEnv = stringStringMap(a, 'env');
  const stdinValue = a.get('stdin');
  let stdin: string | undefined;
  if (stdinValue !== undefined) {
    stdin = asString(stdinValue);
    if (stdin === undefined) {
      throw fail(
        `${a.fn}: for parameter stdin: Value should be convertible to string, but is type ${typeOf(stdinValue)}`,
      );
    }
  }
  const argv = commandArg(a, 'command');
  if (argv.length === 0) throw fail(`${a.fn}: empty cmd`);
  const dir = a.path('dir', ctx.dir);
  const env = { ...ctx.env, ...extraEnv };
  if (!echoOff) ctx.log(`local: ${showCmd(argv)}`);
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: dir,
    env,
    input: stdin ?? '',
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  if (!quiet) {
    for (const line of splitLines(stdout + stderr)) ctx.log(` → ${line}`);
    // Without the command line, "[no output]" would not say what had none.
    if (stdout === '' && stderr === '' && !echoOff) ctx.log(' → [no output]');
  }
  if (r.error || r.status !== 0) {
    let msg = `command ${goQuoteList(argv)} failed.\nerror: ${failure(argv, r)}`;
    // Output already shown in the log is not repeated.
    if (quiet) msg += `\nstdout: ${goQuote(stdout)}\nstderr: ${goQuote(stderr)}`;
    throw fail(msg);
  }
  return new Blob(stdout, `local: ${showCmd(argv)}`);
}

/** Go's names of the signals a command commonly dies of. */
const SIGNAL_NAMES: Record<string, string> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupt',
  SIGQUIT: 'quit',
  SIGABRT: 'aborted',
  SIGKILL: 'killed',
  SIGSEGV: 'segmentation fault',
  SIGPIPE: 'broken pipe',
  SIGTERM: 'terminated',
};

/** Why a command failed, as Go's exec package words it. */
function failure(argv: string[], r: ReturnType<typeof spawnSync>): string {
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `exec: ${goQuote(argv[0])}: executable file not found in $PATH`;
    return `exec: ${goQuote(argv[0])}: ${r.error.message}`;
  }
  if (r.signal) return `signal: ${SIGNAL_NAMES[r.signal] ?? r.signal}`;
  return `exit status ${r.status}`;
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoteList(argv: string[]): string {
  return `[${argv.map(goQuote).join(' ')}]`;
}

/** Why a name is not a valid API object name (a path segment), or undefined. */
function nameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be '${name}'`;
  const bad = ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
  return bad[0];
}

function addLocalResource(a: Args, ctx: TiltfileContext, t: Thread, isTest: boolean) {
  const nameValue = a.get('name')!;
  const name = asString(nameValue);
  if (name === undefined) {
    throw fail(
      `${a.fn}: for parameter name: Value should be convertible to string, but is type ${typeOf(nameValue)}`,
    );
  }
  const problem = nameProblem(name);
  if (problem) {
    throw fail(`${a.fn}: for parameter name: invalid value ${goQuote(name)}: ${problem}`);
  }
  const deps = localPathList(a, 'deps', ctx);
  const triggerMode = triggerModeArg(a, 'trigger_mode');
  const autoInit = a.bool('auto_init', true);
  const allowParallel = a.bool('allow_parallel', isTest);
  const links = linksArg(a, 'links');
  const labels = labelsArg(a, 'labels');
  const updateEnv = stringStringMap(a, 'env');
  const serveEnv = stringStringMap(a, 'serve_env');
  let probe = probeArg(a, 'readiness_probe');

  const resourceDeps = resourceDepsArg(a);
  const ignore = valuesToStrings(a, 'ignore');
  // cmd_bat and serve_cmd_bat only apply on Windows.
  const updateCmd = commandArg(a, 'cmd');
  const serveCmd = commandArg(a, 'serve_cmd');
  if (updateCmd.length === 0 && serveCmd.length === 0) {
    throw fail('local_resource must have a cmd and/or a serve_cmd, but both were empty');
  }
  if (probe && serveCmd.length === 0) {
    ctx.warn(
      `Ignoring readiness probe for local resource ${goQuote(name)} (no serve_cmd was defined)`,
    );
    probe = undefined;
  }
  const resources = localResourcesOf(ctx);
  if (resources.some((r) => r.name === name)) {
    throw fail(`local_resource named ${goQuote(name)} already exists`);
  }
  resources.push({
    name,
    updateCmd,
    updateDir: a.path('dir', ctx.dir),
    updateEnv,
    serveCmd,
    serveDir: a.path('serve_dir', ctx.dir),
    serveEnv,
    deps,
    ignore,
    triggerMode,
    resourceDeps,
    autoInit,
    // With no cmd there is nothing to run in an update, so it never needs to wait for others.
    allowParallel: allowParallel || updateCmd.length === 0,
    links,
    labels,
    readinessProbe: probe,
    definedAt: ctx.callerPos(t),
  });
}

/** resource_deps: a sequence of resource names. */
function resourceDepsArg(a: Args): string[] {
  const v = a.get('resource_deps');
  if (v === undefined) return [];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw fail(`${a.fn}: for parameter resource_deps: got ${typeOf(v)}, want sequence`);
  }
  try {
    return goStringSlice(v.elems);
  } catch (e) {
    throw fail(`${a.fn}: resource_deps: ${(e as Error).message}`);
  }
}
