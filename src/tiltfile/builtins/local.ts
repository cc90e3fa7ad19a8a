// Local commands: local() at load time, local_resource() and its test() alias.

import { spawnSync } from 'node:child_process';
import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { None, type Value } from '../../starlark/values/value.js';
import { tiltBuiltin, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
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

/** How Tilt shows a command: the script of `sh -c`, else the argv. */
export function showCmd(argv: string[]): string {
  if (argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c') return argv[2];
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
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
  'tags',
  'env',
  'serve_env',
  'readiness_probe',
  'dir',
  'serve_dir',
  'labels',
];

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
  const resource = (name: string, allowParallel: boolean) =>
    tiltBuiltin(ctx, name, LOCAL_RESOURCE_PARAMS, (a, c, t) => {
      addLocalResource(a, c, t, allowParallel);
      return None;
    });
  out.set('local_resource', resource('local_resource', false));
  // test() is the deprecated alias, which allows parallel runs.
  out.set('test', resource('test', true));
}

function runLocal(a: Args, ctx: TiltfileContext, _t: Thread): Value {
  const argv = a.command('command');
  if (argv.length === 0) throw new EvalError(`${a.fn}: empty cmd`);
  const quiet = a.bool('quiet', false);
  const echoOff = a.bool('echo_off', false);
  const dir = a.path('dir', ctx.dir);
  const env = { ...ctx.env, ...a.stringDict('env') };
  const stdin = a.has('stdin') ? a.string('stdin') : undefined;
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
    if (stdout === '' && stderr === '') ctx.log(' → [no output]');
  }
  if (r.error || r.status !== 0) {
    const why = r.error
      ? `exec: ${JSON.stringify(argv[0])}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'executable file not found in $PATH' : r.error.message}`
      : r.signal
        ? `signal: ${r.signal}`
        : `exit status ${r.status}`;
    let msg = `command ${goQuoteList(argv)} failed.\nerror: ${why}`;
    if (quiet) msg += `\nstdout: ${JSON.stringify(stdout)}\nstderr: ${JSON.stringify(stderr)}`;
    throw new EvalError(msg);
  }
  return new Blob(stdout, `local: ${showCmd(argv)}`);
}

function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Go's %q of a []string: ["a" "b"]. */
function goQuoteList(argv: string[]): string {
  return `[${argv.map((x) => JSON.stringify(x)).join(' ')}]`;
}

function addLocalResource(a: Args, ctx: TiltfileContext, t: Thread, allowParallel: boolean) {
  const name = a.string('name');
  const updateCmd = a.command('cmd');
  const serveCmd = a.command('serve_cmd');
  if (updateCmd.length === 0 && serveCmd.length === 0) {
    throw new EvalError('local_resource must have a cmd and/or a serve_cmd, but both were empty');
  }
  const probe = probeArg(a, 'readiness_probe');
  if (probe && serveCmd.length === 0) {
    ctx.warn(
      `${name}: readiness_probe is specified but serve_cmd is empty, so the probe will not run`,
    );
  }
  const resources = localResourcesOf(ctx);
  if (resources.some((r) => r.name === name)) {
    throw new EvalError(`${a.fn}: local_resource named ${JSON.stringify(name)} already exists`);
  }
  resources.push({
    name,
    updateCmd,
    updateDir: a.path('dir', ctx.dir),
    updateEnv: a.stringDict('env'),
    serveCmd,
    serveDir: a.path('serve_dir', ctx.dir),
    serveEnv: a.stringDict('serve_env'),
    deps: a.paths('deps'),
    ignore: a.strings('ignore'),
    triggerMode: triggerModeArg(a, 'trigger_mode'),
    resourceDeps: a.strings('resource_deps'),
    autoInit: a.bool('auto_init', true),
    allowParallel: allowParallel || a.bool('allow_parallel', false),
    links: linksArg(a, 'links'),
    labels: [...a.strings('labels'), ...a.strings('tags')],
    readinessProbe: probe,
    definedAt: ctx.callerPos(t),
  });
}
