// Live update steps: fall_back_on, sync, run, restart_container and
// initial_sync, and their conversion into the typed steps of an image's live
// update (liveUpdateSteps), with Tilt's ordering and validity rules.

import { posix } from 'node:path';
import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { List, Tuple, StarObject, repr, typeOf, type Value } from '../../starlark/values/value.js';
import { fromHost, tiltBuiltin, toHost, type Args } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { goList, goQuote, goStringSlice, goType, valueOrSequence } from './settings-go.js';

/** One step of a live update, with local paths absolute. */
export type LiveUpdateStep =
  | { type: 'sync'; localPath: string; remotePath: string }
  | { type: 'run'; cmd: string[]; triggers: string[]; echoOff: boolean }
  | { type: 'fall_back_on'; paths: string[] }
  | { type: 'restart_container' }
  | { type: 'initial_sync' };

/** Steps created but not yet used in a live_update, by the position of the call that made them. */
interface Registry {
  unused: Map<string, LiveUpdateStepValue>;
}

function registry(ctx: TiltfileContext): Registry {
  return ctx.part('liveupdate', () => ({ unused: new Map<string, LiveUpdateStepValue>() }));
}

/** The data of a step value as the Tiltfile wrote it: run triggers are not yet resolved. */
type StepData = LiveUpdateStep;

/** The Starlark value returned by a live update step builtin. */
export class LiveUpdateStepValue extends StarObject {
  constructor(
    readonly data: StepData,
    /** Where the step was created, "file:line:col". */
    readonly pos: string,
    private readonly ctx: TiltfileContext,
  ) {
    super();
  }

  get type() {
    return `live_update_${this.data.type}_step`;
  }

  override truth(): boolean {
    const d = this.data;
    switch (d.type) {
      case 'sync':
        return d.localPath !== '' || d.remotePath !== '';
      case 'run':
        return d.cmd.length > 0;
      case 'fall_back_on':
        return d.paths.length > 0;
      default:
        return true;
    }
  }

  /** The step's description, as host text. */
  describe(): string {
    const d = this.data;
    switch (d.type) {
      case 'sync':
        return `sync step: '${d.localPath}'->'${d.remotePath}'`;
      case 'run': {
        let s = `run step: ${goQuote(cmdString(d.cmd))}`;
        if (d.triggers.length > 0) s += ` (triggers: ${d.triggers.join('; ')})`;
        return s;
      }
      case 'fall_back_on':
        return `fall_back_on step: ${goList(d.paths)}'`;
      case 'restart_container':
        return 'restart_container step';
      case 'initial_sync':
        return 'initial_sync step';
    }
  }

  repr(out: string[]) {
    out.push(fromHost(this.describe()));
  }

  /** The typed step; relative run triggers resolve against the directory of the running Tiltfile. */
  toStep(): LiveUpdateStep {
    const d = this.data;
    switch (d.type) {
      case 'sync':
        return { ...d };
      case 'run':
        return {
          type: 'run',
          cmd: [...d.cmd],
          triggers: d.triggers.map((t) => this.ctx.absPath(t)),
          echoOff: d.echoOff,
        };
      case 'fall_back_on':
        return { type: 'fall_back_on', paths: [...d.paths] };
      default:
        return { type: d.type };
    }
  }

  /** Marks the step as used in a live_update. */
  consume(): void {
    registry(this.ctx).unused.delete(this.pos);
  }
}

/** A command as Tilt prints it: the script of `sh -c script`, else the argv (quoting args with spaces). */
export function cmdString(argv: string[]): string {
  if (argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c' && !argv[2].includes('\n')) {
    return argv[2];
  }
  if (argv.length === 4 && argv[0] === 'cmd' && argv[1] === '/S' && argv[2] === '/C')
    return argv[3];
  return argv.map((a) => (a.includes(' ') ? goQuote(a) : a)).join(' ');
}

function fail(msg: string): EvalError {
  return new EvalError(fromHost(msg));
}

/** A command to run in a container: a string runs with `sh -c`, a list is argv. */
function unixCmd(a: Args, name: string): string[] {
  const v = a.get(name)!;
  if (typeof v === 'string' || v instanceof Blob) {
    const s = typeof v === 'string' ? toHost(v) : v.text;
    return s === '' ? [] : ['sh', '-c', s];
  }
  if (v instanceof List || v instanceof Tuple) {
    try {
      return goStringSlice(v.elems);
    } catch (e) {
      throw fail(`a command must be a string or a list of strings: ${(e as Error).message}`);
    }
  }
  throw fail(`a command must be a string or list of strings. found ${goType(v)}`);
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const record = (data: StepData, thread: Thread) => {
    const step = new LiveUpdateStepValue(data, ctx.callerPos(thread), ctx);
    registry(ctx).unused.set(step.pos, step);
    return step;
  };

  out.set(
    'fall_back_on',
    tiltBuiltin(ctx, 'fall_back_on', ['paths'], (a, _c, thread) =>
      record({ type: 'fall_back_on', paths: a.paths('paths') }, thread),
    ),
  );

  out.set(
    'sync',
    tiltBuiltin(ctx, 'sync', ['local_path', 'remote_path'], (a, _c, thread) =>
      record(
        { type: 'sync', localPath: a.path('local_path'), remotePath: a.string('remote_path') },
        thread,
      ),
    ),
  );

  out.set(
    'run',
    tiltBuiltin(ctx, 'run', ['cmd', 'trigger?', 'echo_off?'], (a, _c, thread) => {
      const echoOff = a.bool('echo_off', false);
      const cmd = unixCmd(a, 'cmd');
      const triggers = valueOrSequence(a.get('trigger')).map((t) => {
        if (typeof t === 'string') return toHost(t);
        if (t instanceof Blob) return t.text;
        throw fail(
          `run cmd '${cmdString(cmd)}' triggers contained value '${toHost(repr(t))}' of type '${typeOf(t)}'. it may only contain strings`,
        );
      });
      return record({ type: 'run', cmd, triggers, echoOff }, thread);
    }),
  );

  out.set(
    'restart_container',
    tiltBuiltin(ctx, 'restart_container', [], (_a, _c, thread) =>
      record({ type: 'restart_container' }, thread),
    ),
  );

  out.set(
    'initial_sync',
    tiltBuiltin(ctx, 'initial_sync', [], (_a, _c, thread) =>
      record({ type: 'initial_sync' }, thread),
    ),
  );
}

/**
 * Converts a live_update= argument (a list of step values, or one step) into
 * typed steps, checking their order and validity with Tilt's messages
 * (prefixed `<param>: `), and marks them as used. None or [] gives [].
 */
export function liveUpdateSteps(
  _fn: string,
  param: string,
  v: Value | undefined,
): LiveUpdateStep[] {
  const elems = valueOrSequence(v);
  if (elems.length === 0) return [];
  const err = (msg: string) => fail(`${param}: ${msg}`);
  const steps: LiveUpdateStep[] = [];
  let seenInitialSync = false;
  let noMoreFallBacks = false;
  let noMoreSyncs = false;
  let noMoreRuns = false;
  for (const e of elems) {
    if (!(e instanceof LiveUpdateStepValue)) {
      throw err(
        `'steps' must be a list of live update steps - got value '${toHost(repr(e))}' of type '${typeOf(e)}'`,
      );
    }
    switch (e.data.type) {
      case 'initial_sync':
        if (seenInitialSync)
          throw err('initial_sync must appear at most once, at the start of the list');
        seenInitialSync = true;
        break;
      case 'fall_back_on':
        seenInitialSync = true;
        if (noMoreFallBacks) throw err('fall_back_on steps must appear at the start of the list');
        break;
      case 'sync':
        if (noMoreRuns) throw err('restart container is only valid as the last step');
        if (noMoreSyncs) throw err('all sync steps must precede all run steps');
        seenInitialSync = noMoreFallBacks = true;
        break;
      case 'run':
        if (noMoreRuns) throw err('restart container is only valid as the last step');
        seenInitialSync = noMoreFallBacks = noMoreSyncs = true;
        break;
      case 'restart_container':
        seenInitialSync = noMoreFallBacks = noMoreSyncs = noMoreRuns = true;
        break;
    }
    steps.push(e.toStep());
    e.consume();
  }

  const problems: string[] = [];
  const syncs = steps.filter((s) => s.type === 'sync');
  if (syncs.length === 0 && !steps.some((s) => s.type === 'run')) {
    problems.push(
      'spec.syncs: Invalid value: []v1alpha1.LiveUpdateSync(nil): must contain at least 1 sync or 1 exec to run on live update',
    );
  }
  syncs.forEach((s, i) => {
    if (!posix.isAbsolute(s.remotePath)) {
      problems.push(
        `spec.syncs[${i}]: Invalid value: ${goQuote(s.remotePath)}: sync destination is not absolute`,
      );
    }
  });
  const distinct = [...new Set(problems)];
  if (distinct.length === 1) throw err(distinct[0]);
  if (distinct.length > 1) throw err(`[${distinct.join(', ')}]`);
  return steps;
}

/** Whether path is dir or inside it. */
function isChild(dir: string, path: string): boolean {
  const d = posix.normalize(dir).replace(/(.)\/+$/, '$1');
  const p = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (d === p) return true;
  return p.startsWith(d.endsWith('/') ? d : d + '/');
}

/**
 * Checks that every sync source and fall_back_on path lies under a watched
 * path (an image's context or deps); returns Tilt's message for the first
 * that does not, or undefined.
 */
export function validateLiveUpdate(
  steps: readonly LiveUpdateStep[],
  watchedPaths: readonly string[],
): string | undefined {
  const watched = (p: string) => watchedPaths.some((w) => isChild(w, p));
  for (const s of steps) {
    if (s.type === 'sync' && !watched(s.localPath)) {
      return `sync step source '${s.localPath}' is not a child of any watched filepaths (${goList(watchedPaths)})`;
    }
  }
  for (const s of steps) {
    if (s.type !== 'fall_back_on') continue;
    for (const p of s.paths) {
      if (!watched(p)) {
        return `fall_back_on paths '${p}' is not a child of any watched filepaths (${goList(watchedPaths)})`;
      }
    }
  }
  return undefined;
}

/**
 * Tilt's error for steps that were created but never passed to a live_update
 * (the Tiltfile fails with it after assembly), or undefined when all were used.
 */
export function unusedLiveUpdateSteps(ctx: TiltfileContext): string | undefined {
  const unused = [...registry(ctx).unused.values()];
  if (unused.length === 0) return undefined;
  const lines = unused.map((s) => `${s.pos}: value '${s.describe()}' of type '${s.type}'`);
  return `found ${unused.length} live_update steps that were created but not used in a live_update:\n${lines.join('\n\t')}`;
}

/**
 * Tilt's error for Kubernetes resources whose live update has a
 * restart_container() step (supported for Docker Compose only).
 */
export function restartContainerDeprecationError(resourceNames: readonly string[]): string {
  return (
    `Found \`restart_container()\` LiveUpdate step in resource(s): [${resourceNames.join(', ')}]. ` +
    '`restart_container()`  has been deprecated for k8s resources. We recommend the restart_process extension: ' +
    'https://github.com/tilt-dev/tilt-extensions/tree/master/restart_process. ' +
    'For more information, see https://docs.tilt.dev/live_update_reference.html#restarting-your-process'
  );
}
