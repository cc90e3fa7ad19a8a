// Settings and miscellany: update_settings, watch_settings, ci_settings,
// secret_settings, version_settings, analytics_settings, docker_prune_settings,
// trigger_mode, feature flags, link, probe and its actions, warn and exit.
// What they record is read through settingsOf(ctx); the argument helpers
// (triggerModeArg, linksArg, probeArg) serve the resource builtins.

import { EvalError } from '../../starlark/errors.js';
import { List, None, Tuple, repr, typeOf, type Value } from '../../starlark/values/value.js';
import type { Link, TriggerMode } from '../../model/manifest.js';
import { fromHost, tiltBuiltin, toHost, type Args, type TiltBuiltinFn } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { goQuote, goStringSlice, goType, parseGoDuration, valueOrSequence } from './settings-go.js';
import { parseSemVer, parseSemVerRange } from './settings-semver.js';
import {
  ExecActionValue,
  HTTPGetActionValue,
  LinkValue,
  ProbeValue,
  TCPSocketActionValue,
  TRIGGER_MODE_AUTO,
  TRIGGER_MODE_MANUAL,
  TriggerModeValue,
  linkURL,
  type ProbeSpec,
} from './settings-values.js';
// Last: the loader imports every builtin family, this one included.
import { TiltfileExit } from '../loader.js';

export type {
  ExecActionSpec,
  HTTPGetActionSpec,
  ProbeSpec,
  TCPSocketActionSpec,
} from './settings-values.js';

/** What triggerModeArg gives: the mode a resource asked for. */
export type TriggerModeArg = TriggerMode;

/** A link shown with a resource, as linksArg gives it. */
export type LinkSpec = Link;

export {
  ExecActionValue,
  HTTPGetActionValue,
  LinkValue,
  ProbeValue,
  TCPSocketActionValue,
  TriggerModeValue,
  TRIGGER_MODE_AUTO,
  TRIGGER_MODE_MANUAL,
} from './settings-values.js';

/**
 * The Tilt release whose Tiltfile API this implementation provides: what
 * version_settings(constraint=...) is checked against, so that Tiltfiles
 * written for Tilt keep loading.
 */
export const TILT_COMPATIBLE_VERSION = '0.36.0';

/** Patterns from watch_settings(ignore=...), relative to the directory of the calling Tiltfile. */
export interface WatchIgnore {
  basePath: string;
  patterns: string[];
}

export interface CISettings {
  /** How long Kubernetes resources may fail before `tilt ci` gives up on them; unset by default. */
  k8sGracePeriodMs?: number;
  /** Timeout of the whole `tilt ci` run (30m by default). */
  timeoutMs: number;
  /** How long a started resource may take to become ready (5m by default). */
  readinessTimeoutMs: number;
}

export interface DockerPruneSettings {
  enabled: boolean;
  maxAgeMins: number;
  /** Prune after this many builds; 0 means prune every intervalHrs instead. */
  numBuilds: number;
  intervalHrs: number;
  keepRecent: number;
}

export type AnalyticsOpt = 'default' | 'opt-in' | 'opt-out';

export type FeatureStatus = 'active' | 'noop' | 'obsolete';

/** Feature flags Tilt knows, with their default values. */
export const FEATURE_FLAGS: Readonly<Record<string, { enabled: boolean; status: FeatureStatus }>> =
  {
    multiple_containers_per_pod: { enabled: true, status: 'obsolete' },
    events: { enabled: true, status: 'obsolete' },
    snapshots: { enabled: true, status: 'active' },
    update_history: { enabled: false, status: 'obsolete' },
    facets: { enabled: true, status: 'obsolete' },
    labels: { enabled: true, status: 'obsolete' },
    live_update_v2: { enabled: true, status: 'active' },
    disable_resources: { enabled: false, status: 'active' },
    bulk_disable_resources: { enabled: false, status: 'active' },
    tiltfile_edit_api: { enabled: false, status: 'active' },
  };

/** Everything the settings builtins record during one Tiltfile execution. */
export interface TiltfileSettings {
  maxParallelUpdates: number;
  k8sUpsertTimeoutSecs: number;
  /** Image refs whose "not used in any Kubernetes config" warning is suppressed ("*" for all). */
  suppressUnusedImageWarnings: string[];
  k8sServerSideApply: 'true' | 'false' | 'auto';
  watchIgnores: WatchIgnore[];
  ci: CISettings;
  scrubSecrets: boolean;
  checkUpdates: boolean;
  analytics: AnalyticsOpt;
  dockerPrune: DockerPruneSettings;
  /** The default for resources that do not set their own trigger mode. */
  triggerMode: TriggerMode;
  /** Where trigger_mode() was called, if it was. */
  triggerModeCalledAt?: string;
  /** Feature flag values (defaults, then enable_feature/disable_feature). */
  features: Record<string, boolean>;
}

function defaultSettings(): TiltfileSettings {
  return {
    maxParallelUpdates: 3,
    k8sUpsertTimeoutSecs: 30,
    suppressUnusedImageWarnings: [],
    k8sServerSideApply: 'auto',
    watchIgnores: [],
    ci: { timeoutMs: 30 * 60_000, readinessTimeoutMs: 5 * 60_000 },
    scrubSecrets: true,
    checkUpdates: true,
    analytics: 'default',
    dockerPrune: { enabled: true, maxAgeMins: 360, numBuilds: 0, intervalHrs: 1, keepRecent: 2 },
    triggerMode: 'TRIGGER_MODE_AUTO',
    features: Object.fromEntries(Object.entries(FEATURE_FLAGS).map(([k, v]) => [k, v.enabled])),
  };
}

/** The settings recorded so far (defaults when no settings builtin was called). */
export function settingsOf(ctx: TiltfileContext): TiltfileSettings {
  return ctx.part('settings', defaultSettings);
}

/** The trigger mode of a resource: its own, else the Tiltfile's default. */
export function resourceTriggerMode(
  ctx: TiltfileContext,
  own: TriggerMode | undefined,
): TriggerMode {
  return own ?? settingsOf(ctx).triggerMode;
}

/** A trigger_mode= argument: TRIGGER_MODE_AUTO or TRIGGER_MODE_MANUAL; undefined when not given. */
export function triggerModeArg(a: Args, name: string): TriggerMode | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  if (!(v instanceof TriggerModeValue)) throw a.error(name, v, 'TriggerMode');
  return v.mode;
}

/** A links= argument: a URL string, a link(), or a list of them. */
export function linksArg(a: Args, name: string): Link[] {
  return valueOrSequence(a.get(name)).map((v) => {
    if (v instanceof LinkValue) return { ...v.link };
    if (typeof v === 'string' || v instanceof Blob) {
      const url = typeof v === 'string' ? toHost(v) : v.text;
      try {
        return { url: linkURL(url), name: '' };
      } catch (e) {
        throw fail(`${a.fn}: for parameter ${name}: ${(e as Error).message}`);
      }
    }
    throw fail(
      `${a.fn}: for parameter ${name}: \`Want a string, a link, or a sequence of these; found ${toHost(repr(v))} (type: ${goType(v)})`,
    );
  });
}

/** A readiness_probe= argument made with probe(); undefined when not given. */
export function probeArg(a: Args, name: string): ProbeSpec | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  if (!(v instanceof ProbeValue)) {
    throw fail(`${a.fn}: for parameter ${name}: got ${goType(v)}, want Probe`);
  }
  return v.spec;
}

function fail(msg: string): EvalError {
  return new EvalError(fromHost(msg));
}

/** A parameter that is a string or a list of strings, with the messages of Tilt's unpacker. */
function stringOrList(a: Args, name: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  if (typeof v === 'string') return [toHost(v)];
  if (v instanceof Blob) return [v.text];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw fail(
      `${a.fn}: for parameter ${name}: value should be a string or List or Tuple of strings, but is of type ${typeOf(v)}`,
    );
  }
  return v.elems.map((e) => {
    if (typeof e === 'string') return toHost(e);
    if (e instanceof Blob) return e.text;
    throw fail(
      `${a.fn}: for parameter ${name}: list should contain only strings, but element ${goQuote(toHost(repr(e)))} was of type ${typeOf(e)}`,
    );
  });
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** An int parameter unpacked the way update_settings does (its own message format). */
function settingsInt(a: Args, name: string): number | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  const prefix = `${a.fn}: for parameter "${name}"`;
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw fail(`${prefix}: got ${goType(v)}, want int`);
  }
  if (typeof v === 'bigint' || v < INT32_MIN || v > INT32_MAX) {
    throw fail(`${prefix}: ${String(v)} out of range`);
  }
  return v;
}

/** An int32 parameter (probe fields): the usual "got T, want int" and a range check. */
function int32Arg(a: Args, name: string, dflt: number): number {
  const v = a.get(name);
  if (v === undefined) return dflt;
  if (typeof v !== 'number' && typeof v !== 'bigint') throw a.error(name, v, 'int');
  if (typeof v === 'bigint' || v < INT32_MIN || v > INT32_MAX) {
    throw fail(`${a.fn}: for parameter ${name}: value out of range for int32: ${String(v)}`);
  }
  return v;
}

/** A duration parameter ("30s", "5m"); milliseconds, or undefined when not given. */
function durationArg(a: Args, name: string): number | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' && !(v instanceof Blob)) {
    throw fail(`${a.fn}: for parameter ${name}: Expected string. Got: ${typeOf(v)}`);
  }
  try {
    return parseGoDuration(typeof v === 'string' ? toHost(v) : v.text);
  } catch (e) {
    throw fail(`${a.fn}: for parameter ${name}: ${(e as Error).message}`);
  }
}

/** A list of strings with the messages of Tilt's StringSequence. */
function stringSequence(a: Args, name: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  if (typeof v === 'string' || !(v instanceof List || v instanceof Tuple)) {
    throw fail(
      `${a.fn}: for parameter ${name}: '${toHost(repr(v))}' is a ${goType(v)}, not a sequence`,
    );
  }
  try {
    return goStringSlice(v.elems);
  } catch (e) {
    throw fail(`${a.fn}: for parameter ${name}: ${(e as Error).message}`);
  }
}

function setFeature(ctx: TiltfileContext, name: string, enabled: boolean): void {
  const flag = FEATURE_FLAGS[name];
  if (!Object.hasOwn(FEATURE_FLAGS, name) || flag === undefined) {
    throw fail(`Unknown feature flag: ${name}`);
  }
  if (flag.status === 'obsolete') {
    ctx.warn(`Obsolete feature flag: ${name}`);
    return;
  }
  if (flag.status === 'noop') return;
  settingsOf(ctx).features[name] = enabled;
}

/** K8s' defaults for probe timing fields left at 0. */
function probeTiming(v: number, dflt: number): number {
  return v === 0 ? dflt : v;
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const add = (name: string, params: string[], fn: TiltBuiltinFn): void => {
    out.set(name, tiltBuiltin(ctx, name, params, fn));
  };

  add(
    'update_settings',
    [
      'max_parallel_updates?',
      'k8s_upsert_timeout_secs?',
      'suppress_unused_image_warnings?',
      'k8s_server_side_apply?',
    ],
    (a) => {
      const suppress = stringOrList(a, 'suppress_unused_image_warnings');
      const ssa = a.string('k8s_server_side_apply', '');
      const mpu = settingsInt(a, 'max_parallel_updates');
      if (mpu !== undefined && mpu < 1) {
        throw fail(`max number of parallel updates must be >= 1(got: ${mpu})`);
      }
      const kuts = settingsInt(a, 'k8s_upsert_timeout_secs');
      if (kuts !== undefined && kuts < 1) {
        throw fail(`minimum k8s upsert timeout is 1s; got ${kuts}s`);
      }
      if (ssa !== '' && ssa !== 'true' && ssa !== 'false' && ssa !== 'auto') {
        throw fail(
          `update_settings: k8s_server_side_apply must be "true", "false", or "auto"; got ${goQuote(ssa)}`,
        );
      }
      const s = settingsOf(ctx);
      if (mpu !== undefined) s.maxParallelUpdates = mpu;
      if (kuts !== undefined) s.k8sUpsertTimeoutSecs = kuts;
      s.suppressUnusedImageWarnings.push(...suppress);
      if (ssa !== '') s.k8sServerSideApply = ssa;
      return None;
    },
  );

  add('watch_settings', ['ignore?'], (a) => {
    const patterns = stringOrList(a, 'ignore');
    if (patterns.length > 0) settingsOf(ctx).watchIgnores.push({ basePath: ctx.dir, patterns });
    return None;
  });

  add('ci_settings', ['k8s_grace_period?', 'timeout?', 'readiness_timeout?'], (a) => {
    const grace = durationArg(a, 'k8s_grace_period');
    const timeout = durationArg(a, 'timeout');
    const readiness = durationArg(a, 'readiness_timeout');
    const ci = settingsOf(ctx).ci;
    if (grace !== undefined) ci.k8sGracePeriodMs = grace;
    if (timeout !== undefined) ci.timeoutMs = timeout;
    if (readiness !== undefined) ci.readinessTimeoutMs = readiness;
    return None;
  });

  add('secret_settings', ['disable_scrub?'], (a) => {
    settingsOf(ctx).scrubSecrets = !a.bool('disable_scrub', false);
    return None;
  });

  add('version_settings', ['check_updates?', 'constraint?'], (a) => {
    const s = settingsOf(ctx);
    s.checkUpdates = a.bool('check_updates', s.checkUpdates);
    const constraint = a.string('constraint', '');
    if (constraint !== '') {
      const version = TILT_COMPATIBLE_VERSION;
      let inRange;
      try {
        inRange = parseSemVerRange(constraint);
      } catch (e) {
        throw fail(`error parsing version constraint: ${(e as Error).message}`);
      }
      if (!inRange(parseSemVer(version))) {
        throw fail(
          `you are running Tilt version ${version}, which doesn't match the version constraint specified in your Tiltfile: '${constraint}'`,
        );
      }
    }
    return None;
  });

  add('analytics_settings', ['enable'], (a) => {
    settingsOf(ctx).analytics = a.bool('enable', false) ? 'opt-in' : 'opt-out';
    return None;
  });

  add(
    'docker_prune_settings',
    ['disable?', 'max_age_mins?', 'num_builds?', 'interval_hrs?', 'keep_recent?'],
    (a) => {
      const disable = a.bool('disable', false);
      const maxAge = a.int('max_age_mins', 0);
      const numBuilds = a.int('num_builds', 0);
      const interval = a.int('interval_hrs', 0);
      const keep = a.get('keep_recent');
      if (numBuilds !== 0 && interval !== 0) {
        throw fail(
          "can't specify both 'prune every X builds' and 'prune every Y hours'; please pass only one of `num_builds` and `interval_hrs`",
        );
      }
      if (keep !== undefined && typeof keep !== 'number') {
        throw fail(`got ${typeOf(keep)}, want int`);
      }
      const p = settingsOf(ctx).dockerPrune;
      p.enabled = !disable;
      if (maxAge !== 0) p.maxAgeMins = maxAge;
      p.numBuilds = numBuilds;
      if (interval !== 0) p.intervalHrs = interval;
      if (keep !== undefined) p.keepRecent = keep;
      return None;
    },
  );

  out.set('TRIGGER_MODE_AUTO', TRIGGER_MODE_AUTO);
  out.set('TRIGGER_MODE_MANUAL', TRIGGER_MODE_MANUAL);
  add('trigger_mode', ['trigger_mode'], (a, _c, thread) => {
    const mode = triggerModeArg(a, 'trigger_mode')!;
    const s = settingsOf(ctx);
    if (s.triggerModeCalledAt !== undefined) {
      throw fail(
        `trigger_mode can only be called once. It was already called at ${s.triggerModeCalledAt}`,
      );
    }
    s.triggerMode = mode;
    s.triggerModeCalledAt = ctx.callerPos(thread);
    return None;
  });

  add('enable_feature', ['msg'], (a) => {
    setFeature(ctx, a.string('msg'), true);
    return None;
  });
  add('disable_feature', ['msg'], (a) => {
    setFeature(ctx, a.string('msg'), false);
    return None;
  });

  add('link', ['url', 'name?'], (a) => {
    const raw = a.string('url');
    const name = a.string('name', '');
    let url: string;
    try {
      url = linkURL(raw);
    } catch (e) {
      throw fail((e as Error).message);
    }
    return new LinkValue({ url, name });
  });

  add('exec_action', ['command'], (a) => {
    const command = stringSequence(a, 'command');
    return new ExecActionValue({ command }, [
      ['command', new List(command.map((c) => fromHost(c)))],
    ]);
  });

  add('http_get_action', ['port', 'host?', 'scheme?', 'path?'], (a) => {
    const port = int32Arg(a, 'port', 0);
    const host = a.string('host', '');
    const scheme = a.string('scheme', '');
    const path = a.string('path', '');
    return new HTTPGetActionValue(
      { host: host || 'localhost', port, scheme: (scheme || 'http').toLowerCase(), path },
      [
        ['host', fromHost(host)],
        ['port', port],
        ['scheme', fromHost(scheme)],
        ['path', fromHost(path)],
      ],
    );
  });

  add('tcp_socket_action', ['port', 'host?'], (a) => {
    const port = int32Arg(a, 'port', 0);
    const host = a.string('host', '');
    return new TCPSocketActionValue({ host: host || 'localhost', port }, [
      ['host', fromHost(host)],
      ['port', port],
    ]);
  });

  add(
    'probe',
    [
      'initial_delay_secs?',
      'timeout_secs?',
      'period_secs?',
      'success_threshold?',
      'failure_threshold?',
      'exec?',
      'http_get?',
      'tcp_socket?',
    ],
    (a) => {
      const initialDelay = int32Arg(a, 'initial_delay_secs', 0);
      const timeout = int32Arg(a, 'timeout_secs', 0);
      const period = int32Arg(a, 'period_secs', 0);
      const success = int32Arg(a, 'success_threshold', 0);
      const failure = int32Arg(a, 'failure_threshold', 0);
      const action = <T>(name: string, cls: new (...args: never[]) => T, want: string) => {
        const v = a.get(name);
        if (v === undefined) return undefined;
        if (!(v instanceof cls))
          throw fail(`probe: for parameter ${name}: got ${goType(v)}, want ${want}`);
        return v;
      };
      const exec = action('exec', ExecActionValue, 'ExecAction');
      const httpGet = action('http_get', HTTPGetActionValue, 'HTTPGetAction');
      const tcpSocket = action('tcp_socket', TCPSocketActionValue, 'TCPSocketAction');
      if ([exec, httpGet, tcpSocket].filter((x) => x !== undefined).length !== 1) {
        throw fail('exactly one of exec, http_get, or tcp_socket must be specified');
      }
      const spec: ProbeSpec = {
        initialDelaySecs: initialDelay,
        timeoutSecs: probeTiming(timeout, 1),
        periodSecs: probeTiming(period, 10),
        successThreshold: probeTiming(success, 1),
        failureThreshold: probeTiming(failure, 3),
      };
      if (exec) spec.exec = exec.spec;
      if (httpGet) spec.httpGet = httpGet.spec;
      if (tcpSocket) spec.tcpSocket = tcpSocket.spec;
      return new ProbeValue(spec, [
        ['initial_delay_secs', initialDelay],
        ['timeout_secs', timeout],
        ['period_secs', period],
        ['success_threshold', success],
        ['failure_threshold', failure],
        ['exec', exec ?? None],
        ['http_get', httpGet ?? None],
        ['tcp_socket', tcpSocket ?? None],
      ]);
    },
  );

  add('warn', ['msg'], (a) => {
    ctx.warn(a.string('msg'));
    return None;
  });

  add('exit', ['code?'], (a) => {
    const code = a.get('code');
    if (code !== undefined) {
      const text = toHost(repr(code));
      if (text !== '') ctx.log(text);
    }
    throw new TiltfileExit(typeof code === 'number' ? code : 0);
  });
}
