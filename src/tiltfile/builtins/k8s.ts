// Kubernetes: k8s_yaml, filter_yaml, k8s_resource, port_forward, k8s_kind,
// k8s_image_json_path, workload_to_resource_function, k8s_custom_deploy and
// the context builtins. Objects are parsed when the builtin runs, so that a
// malformed file fails at the calling line; grouping happens at assembly.

import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { StarFunction } from '../../starlark/eval/function.js';
import {
  List,
  None,
  StarObject,
  Tuple,
  makeTuple,
  type HashKey,
  type Value,
} from '../../starlark/values/value.js';
import { DuplicateYAMLError, ObjectRegistry } from '../../k8s/duplicates.js';
import {
  K8sEntity,
  YAMLParseError,
  parseYAMLStream,
  serializeYAMLStream,
} from '../../k8s/entity.js';
import {
  imageObjectLocator,
  jsonPathLocator,
  type ImageLocator,
  type K8sKind,
} from '../../k8s/images.js';
import { ObjectSelector, filterYAML } from '../../k8s/select.js';
import type { PortForward } from '../../model/manifest.js';
import { fromHost, tiltBuiltin, toHost, type Args } from '../args.js';
import { formatStack, type TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import { readText } from './images.js';
import { liveUpdateSteps, type LiveUpdateStep } from './liveupdate.js';
import { linksArg, triggerModeArg, type LinkSpec, type TriggerModeArg } from './settings.js';
import { Dict } from '../../starlark/values/value.js';

/** One k8s_resource call, applied at assembly in call order. */
export interface K8sResourceCall {
  workload: string;
  newName: string;
  portForwards: PortForward[];
  extraPodSelectors: Record<string, string>[];
  triggerMode: TriggerModeArg | undefined;
  resourceDeps: string[];
  objects: string[];
  autoInit: boolean | undefined;
  podReadiness: '' | 'wait' | 'ignore' | 'succeeded';
  links: LinkSpec[];
  labels: string[];
  discoveryStrategy: '' | 'default' | 'selectors-only';
  definedAt: string;
}

export interface CustomDeploySpec {
  name: string;
  applyCmd: string[];
  applyDir: string;
  applyEnv: Record<string, string>;
  deleteCmd: string[];
  deleteDir: string;
  deleteEnv: Record<string, string>;
  deps: string[];
  imageSelector: string;
  containerSelector: string;
  liveUpdate: LiveUpdateStep[];
  imageDeps: string[];
}

interface K8sPart {
  objects: ObjectRegistry;
  resources: K8sResourceCall[];
  kinds: K8sKind[];
  workloadToResource?: { fn: StarFunction; thread: Thread };
  customDeploys: CustomDeploySpec[];
  allowedContexts: string[];
}

export function k8sOf(ctx: TiltfileContext): K8sPart {
  return ctx.part('k8s', () => ({
    objects: new ObjectRegistry(),
    resources: [],
    kinds: [],
    customDeploys: [],
    allowedContexts: [],
  }));
}

/** A port_forward() value. */
export class PortForwardValue extends StarObject {
  constructor(readonly pf: PortForward) {
    super();
  }
  get type() {
    return 'port_forward';
  }
  override truth() {
    return this.pf.localPort !== 0 || this.pf.containerPort !== 0 || this.pf.name !== '';
  }
  override hashKey(): HashKey {
    throw new EvalError('unhashable type: port_forward');
  }
  repr(out: string[]) {
    const p = this.pf;
    out.push(
      `port_forward(local_port=${p.localPort}, container_port=${p.containerPort}, name=${JSON.stringify(p.name)})`,
    );
  }
}

/** The id passed to a workload_to_resource_function. */
export class K8sObjectIDValue extends StarObject {
  constructor(readonly id: { name: string; kind: string; namespace: string; group: string }) {
    super();
  }
  get type() {
    return 'K8sObjectID';
  }
  attr(name: string): Value | undefined {
    const v = (this.id as Record<string, string>)[name];
    return v === undefined ? undefined : fromHost(v);
  }
  attrNames() {
    return ['name', 'kind', 'namespace', 'group'];
  }
  repr(out: string[]) {
    const { name, kind, namespace, group } = this.id;
    out.push(fromHost(`${name}:${kind}:${namespace}:${group}`.toLowerCase()));
  }
}

/** Objects from a k8s_yaml/filter_yaml argument: a path, a blob, or a list of them. */
function entitiesOf(a: Args, ctx: TiltfileContext, name: string): K8sEntity[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const items = v instanceof List || v instanceof Tuple ? v.elems : [v];
  const out: K8sEntity[] = [];
  for (const item of items) {
    let text: string;
    let source: string;
    if (item instanceof Blob) {
      text = item.text;
      source = item.source || 'blob';
    } else if (typeof item === 'string') {
      const path = ctx.absPath(toHost(item));
      ctx.addConfigFile(path);
      text = readText(path, 'error reading yaml file');
      source = path;
    } else {
      throw a.error(name, item, 'string, blob, or list of them');
    }
    try {
      out.push(...parseYAMLStream(text, source));
    } catch (e) {
      if (e instanceof YAMLParseError) throw new EvalError(e.message);
      throw e;
    }
  }
  return out;
}

/** port_forwards: an int, "L", "L:C", "host:L:C", a port_forward(), or a list of those. */
function portForwardsArg(a: Args, name: string): PortForward[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const items = v instanceof List || v instanceof Tuple ? v.elems : [v];
  return items.map((item) => {
    if (item instanceof PortForwardValue) return item.pf;
    if (typeof item === 'number') {
      if (item < 0 || item > 65535) {
        throw new EvalError(`portForward port value ${item} is not in the valid range [0-65535]`);
      }
      return { localPort: item, containerPort: 0, host: '', name: '', linkPath: '' };
    }
    if (typeof item === 'string') return parsePortForward(toHost(item));
    throw new EvalError(
      `port_forwards must be an int, a port_forward, or a sequence of those; is a ${item instanceof StarObject ? item.type : typeof item}`,
    );
  });
}

const VALID_HOST =
  /^((([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])|(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))$/;

function parsePortForward(s: string): PortForward {
  const parts = s.split(':');
  if (parts.length > 3) parts.splice(2, parts.length - 2, parts.slice(2).join(':'));
  let host = '';
  let local = parts[0];
  if (parts.length === 3) {
    host = parts[0];
    local = parts[1];
    if (!VALID_HOST.test(host)) {
      throw new EvalError(
        `portForward host value ${JSON.stringify(host)} is not a valid hostname or IP address`,
      );
    }
  }
  const port = (x: string) => {
    const n = /^\d+$/.test(x) ? Number(x) : NaN;
    if (!(n >= 0 && n <= 65535)) {
      throw new EvalError(
        `portForward port value ${JSON.stringify(x)} is not in the valid range [0-65535]`,
      );
    }
    return n;
  };
  const localPort = port(local);
  const containerPort = parts.length > 1 ? port(parts[parts.length - 1]) : 0;
  return { localPort, containerPort, host, name: '', linkPath: '' };
}

function selectorsArg(a: Args, name: string): Record<string, string>[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const items = v instanceof List || v instanceof Tuple ? v.elems : [v];
  return items.flatMap((item) => {
    if (!(item instanceof Dict))
      throw new EvalError(
        `pod labels elements must be dicts; got ${typeof item === 'object' ? item.type : typeof item}`,
      );
    const out: Record<string, string> = {};
    for (const { k, v: x } of item.entries()) {
      if (typeof k !== 'string' || typeof x !== 'string')
        throw new EvalError('pod label keys and values must be strings');
      out[toHost(k)] = toHost(x);
    }
    return Object.keys(out).length ? [out] : [];
  });
}

function oneOf<T extends string>(a: Args, name: string, allowed: readonly T[]): T {
  const v = a.string(name, '') as T;
  if (!allowed.includes(v)) {
    throw new EvalError(
      `${a.fn}: for parameter ${name}: must be one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}; got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** image_json_path: a string or a list of JSONPath strings. */
function locatorsArg(a: Args, name: string, selector: ObjectSelector): ImageLocator[] {
  return a.strings(name).map((p) => {
    try {
      return jsonPathLocator(selector, p);
    } catch (e) {
      throw new EvalError(`${a.fn}: ${(e as Error).message}`);
    }
  });
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const part = () => k8sOf(ctx);
  const add = (name: string, params: string[], fn: (a: Args, t: Thread) => Value) =>
    out.set(
      name,
      tiltBuiltin(ctx, name, params, (a, _c, t) => fn(a, t)),
    );

  add('k8s_yaml', ['yaml', 'allow_duplicates?'], (a, t) => {
    const entities = entitiesOf(a, ctx, 'yaml');
    if (entities.length === 0) throw new EvalError('Empty YAML passed to k8s_yaml');
    try {
      part().objects.append(
        entities,
        formatStack(t.callStack()),
        a.bool('allow_duplicates', false),
      );
    } catch (e) {
      if (e instanceof DuplicateYAMLError) throw new EvalError(e.message);
      throw e;
    }
    return None;
  });

  add('filter_yaml', ['yaml', 'labels?', 'name', 'namespace', 'kind', 'api_version'], (a) => {
    const entities = entitiesOf(a, ctx, 'yaml');
    let match: K8sEntity[];
    let rest: K8sEntity[];
    try {
      [match, rest] = filterYAML(entities, {
        labels: a.stringDict('labels'),
        name: a.string('name', ''),
        namespace: a.string('namespace', ''),
        kind: a.string('kind', ''),
        api_version: a.string('api_version', ''),
      });
    } catch (e) {
      throw new EvalError((e as Error).message);
    }
    const v = a.get('yaml');
    const source = v instanceof Blob ? v.source : 'filter_yaml';
    return makeTuple([
      new Blob(serializeYAMLStream(match), source),
      new Blob(serializeYAMLStream(rest), source),
    ]);
  });

  add(
    'k8s_resource',
    [
      'workload?',
      'new_name',
      'port_forwards',
      'extra_pod_selectors',
      'trigger_mode',
      'resource_deps',
      'objects',
      'auto_init',
      'pod_readiness',
      'links',
      'labels',
      'discovery_strategy',
    ],
    (a, t) => {
      const workload = a.string('workload', '');
      const newName = a.string('new_name', '');
      const objects = a.strings('objects');
      if (workload === '' && objects.length === 0) {
        throw new EvalError(
          "k8s_resource doesn't specify a workload or any objects. All non-workload resources must specify 1 or more objects",
        );
      }
      if (workload === '' && newName === '') {
        throw new EvalError(
          "k8s_resource has only non-workload objects but doesn't provide a new_name",
        );
      }
      part().resources.push({
        workload,
        newName,
        portForwards: portForwardsArg(a, 'port_forwards'),
        extraPodSelectors: selectorsArg(a, 'extra_pod_selectors'),
        triggerMode: triggerModeArg(a, 'trigger_mode'),
        resourceDeps: a.strings('resource_deps'),
        objects,
        autoInit: a.has('auto_init') ? a.bool('auto_init', true) : undefined,
        podReadiness: oneOf(a, 'pod_readiness', ['', 'wait', 'ignore', 'succeeded'] as const),
        links: linksArg(a, 'links'),
        labels: a.strings('labels'),
        discoveryStrategy: oneOf(a, 'discovery_strategy', [
          '',
          'default',
          'selectors-only',
        ] as const),
        definedAt: ctx.callerPos(t),
      });
      return None;
    },
  );

  add('port_forward', ['local_port', 'container_port?', 'name', 'link_path', 'host'], (a) => {
    const localPort = a.int('local_port', 0);
    return new PortForwardValue({
      localPort,
      containerPort: a.int('container_port', 0),
      name: a.string('name', ''),
      linkPath: a.string('link_path', ''),
      host: a.string('host', ''),
    });
  });

  add(
    'k8s_kind',
    ['kind', 'image_json_path?', 'api_version', 'image_object', 'pod_readiness'],
    (a) => {
      const selector = ObjectSelector.partial({
        apiVersion: a.string('api_version', ''),
        kind: a.string('kind'),
      });
      if (a.has('image_json_path') && a.has('image_object')) {
        throw new EvalError('Cannot specify both image_json_path and image_object');
      }
      let locators = locatorsArg(a, 'image_json_path', selector);
      const obj = a.get('image_object');
      if (obj !== undefined) {
        if (!(obj instanceof Dict)) throw a.error('image_object', obj, 'dict');
        const field = (k: string) => {
          const v = obj.get(fromHost(k));
          if (typeof v !== 'string')
            throw new EvalError(`${a.fn}: image_object: missing field ${k}`);
          return toHost(v);
        };
        locators = [
          imageObjectLocator(selector, field('json_path'), field('repo_field'), field('tag_field')),
        ];
      }
      const readiness = a.string('pod_readiness', '');
      const kinds = part().kinds;
      const existing = kinds.find((k) => k.selector.equals(selector));
      if (existing) {
        if (locators.length) existing.locators = locators;
        if (readiness) existing.podReadiness = readiness;
      } else kinds.push({ selector, locators, podReadiness: readiness || undefined });
      return None;
    },
  );

  add('k8s_image_json_path', ['paths', 'api_version?', 'kind', 'name', 'namespace'], (a) => {
    const spec = {
      apiVersion: a.string('api_version', ''),
      kind: a.string('kind', ''),
      name: a.string('name', ''),
      namespace: a.string('namespace', ''),
    };
    if (!spec.kind && !spec.name && !spec.namespace) {
      throw new EvalError('at least one of kind, name, or namespace must be specified');
    }
    const selector = ObjectSelector.partial(spec);
    const locators = locatorsArg(a, 'paths', selector);
    const kinds = part().kinds;
    const existing = kinds.find((k) => k.selector.equals(selector));
    if (existing) existing.locators = locators;
    else kinds.push({ selector, locators });
    return None;
  });

  add('workload_to_resource_function', ['func'], (a, t) => {
    const fn = a.get('func');
    if (!(fn instanceof StarFunction)) throw a.error('func', fn ?? None, 'function');
    const n = fn.code.info.numParams;
    if (n !== 1) {
      throw new EvalError(
        `workload_to_resource_function arg must take 1 argument. ${fn.name} takes ${n}`,
      );
    }
    part().workloadToResource = { fn, thread: t };
    return None;
  });

  add(
    'k8s_custom_deploy',
    [
      'name',
      'apply_cmd',
      'delete_cmd',
      'deps',
      'image_selector?',
      'live_update',
      'apply_dir',
      'apply_env',
      'apply_cmd_bat',
      'delete_dir',
      'delete_env',
      'delete_cmd_bat',
      'container_selector',
      'image_deps',
    ],
    (a) => {
      const name = a.string('name');
      const applyCmd = a.command('apply_cmd');
      const deleteCmd = a.command('delete_cmd');
      if (applyCmd.length === 0) throw new EvalError(`${a.fn}: apply_cmd cannot be empty`);
      if (deleteCmd.length === 0) throw new EvalError(`${a.fn}: delete_cmd cannot be empty`);
      part().customDeploys.push({
        name,
        applyCmd,
        applyDir: a.path('apply_dir', ctx.dir),
        applyEnv: a.stringDict('apply_env'),
        deleteCmd,
        deleteDir: a.path('delete_dir', ctx.dir),
        deleteEnv: a.stringDict('delete_env'),
        deps: a.paths('deps'),
        imageSelector: a.string('image_selector', ''),
        containerSelector: a.string('container_selector', ''),
        liveUpdate: liveUpdateSteps(a.fn, 'live_update', a.get('live_update')),
        imageDeps: a.strings('image_deps'),
      });
      return None;
    },
  );

  // With no cluster configured, the context is empty and the namespace is the default.
  add('k8s_context', [], () => fromHost(ctx.env.TILT_K8S_CONTEXT ?? ''));
  add('k8s_namespace', [], () => fromHost(ctx.env.TILT_K8S_NAMESPACE ?? 'default'));
  add('allow_k8s_contexts', ['contexts'], (a) => {
    part().allowedContexts.push(...a.strings('contexts'));
    return None;
  });
}
