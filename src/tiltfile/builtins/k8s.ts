// Kubernetes: k8s_yaml, filter_yaml, k8s_resource, port_forward, k8s_kind,
// k8s_image_json_path, workload_to_resource_function, k8s_custom_deploy and
// the context builtins. Objects are parsed when the builtin runs, so that a
// malformed file fails at the calling line; grouping happens at assembly.

import { EvalError } from '../../starlark/errors.js';
import type { Thread } from '../../starlark/eval/thread.js';
import { StarFunction } from '../../starlark/eval/function.js';
import {
  Builtin,
  Dict,
  List,
  None,
  NoneType,
  StarObject,
  Tuple,
  makeTuple,
  repr,
  typeOf,
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
import { parseRef } from '../../container/ref.js';
import type { PortForward } from '../../model/manifest.js';
import { fromHost, tiltBuiltin, toHost, type Args } from '../args.js';
import { formatStack, type TiltfileContext } from '../context.js';
import { Blob } from '../values.js';
import {
  asString,
  commandOf,
  imageList,
  localPathList,
  readText,
  stringOrStringList,
  stringStringMap,
} from './images.js';
import { liveUpdateSteps, type LiveUpdateStep } from './liveupdate.js';
import { goQuote, goStringSlice, goType } from './settings-go.js';
import { linksArg, triggerModeArg, type LinkSpec, type TriggerModeArg } from './settings.js';

export type PodReadiness = '' | 'wait' | 'ignore' | 'succeeded';
export type DiscoveryStrategy = '' | 'default' | 'selectors-only';

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
  podReadiness: PodReadiness;
  links: LinkSpec[];
  labels: string[];
  discoveryStrategy: DiscoveryStrategy;
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

/** An error whose message is host text. */
function fail(msg: string): EvalError {
  return new EvalError(fromHost(msg));
}

/**
 * Objects from a k8s_yaml/filter_yaml argument: a path, a blob, a list of
 * them, or None (no objects).
 */
function entitiesOf(v: Value | undefined, ctx: TiltfileContext): K8sEntity[] {
  if (v === undefined || v instanceof NoneType) return [];
  const items = v instanceof List || v instanceof Tuple ? v.elems : [v];
  const out: K8sEntity[] = [];
  for (const item of items) {
    if (item instanceof Blob) {
      out.push(...parseEntities(item.text, item.source || 'blob'));
      continue;
    }
    if (typeof item !== 'string') {
      throw fail(`expected path | string. Actual type: ${goType(item)}`);
    }
    const path = ctx.absPath(toHost(item));
    ctx.addConfigFile(path);
    out.push(...parseEntities(readText(path, 'error reading yaml file'), path, true));
  }
  return out;
}

function parseEntities(text: string, source: string, isPath = false): K8sEntity[] {
  try {
    return parseYAMLStream(text, source);
  } catch (e) {
    if (!(e instanceof YAMLParseError)) throw e;
    // A file whose documents are not objects at all is named as not being YAML.
    if (isPath && e.detail.includes('json parse error: ')) {
      throw fail(`${source} is not a valid YAML file: ${e.detail}`);
    }
    throw fail(e.message);
  }
}

/** The call stack of a builtin, as Tilt records where YAML was registered. */
function registrationTrace(t: Thread, fn: string): string {
  const frames = formatStack(t.callStack())
    .split('\n')
    .filter((l) => l !== '');
  frames.push(`<builtin>: in ${fn}`);
  return `Traceback (most recent call last):\n${frames.map((f) => `  ${f}\n`).join('')}`;
}

/** port_forwards: an int, "L", "L:C", "host:L:C", a port_forward(), or a list of those. */
function portForwardsArg(a: Args, name: string): PortForward[] {
  const v = a.get(name);
  if (v === undefined) return [];
  if (v instanceof List || v instanceof Tuple) {
    return v.elems.map((item) => {
      const pf = portForward(item);
      if (pf) return pf;
      throw new Error(
        `port_forwards arg ${toHost(repr(v))} includes element ${toHost(repr(item))} which must be an int or a port_forward; is a ${goType(item)}`,
      );
    });
  }
  const pf = portForward(v);
  if (pf) return [pf];
  throw new Error(
    `port_forwards must be an int, a port_forward, or a sequence of those; is a ${goType(v)}`,
  );
}

function portForward(item: Value): PortForward | undefined {
  if (item instanceof PortForwardValue) return item.pf;
  if (typeof item === 'number' || typeof item === 'bigint') {
    if (item < 0 || item > 65535) {
      throw new Error(`portForward port value ${String(item)} is not in the valid range [0-65535]`);
    }
    return { localPort: Number(item), containerPort: 0, host: '', name: '', linkPath: '' };
  }
  if (typeof item === 'string') return parsePortForward(toHost(item));
  return undefined;
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
      throw new Error(
        `portForward host value ${goQuote(host)} is not a valid hostname or IP address`,
      );
    }
  }
  const port = (x: string) => {
    const n = /^[+-]?\d+$/.test(x) ? Number(x) : NaN;
    if (!(n >= 0 && n <= 65535)) {
      throw new Error(`portForward port value ${goQuote(x)} is not in the valid range [0-65535]`);
    }
    return n;
  };
  const localPort = port(local);
  const containerPort = parts.length > 1 ? port(parts[parts.length - 1]) : 0;
  return { localPort, containerPort, host, name: '', linkPath: '' };
}

/** extra_pod_selectors: a dict of labels or a list of them; empty dicts are dropped. */
function selectorsArg(a: Args, name: string): Record<string, string>[] {
  const v = a.get(name);
  if (v === undefined) return [];
  let dicts: Value[];
  if (v instanceof Dict) dicts = [v];
  else if (v instanceof List) dicts = v.elems;
  else throw fail(`pod labels must be a dict or a list; got ${goType(v)}`);
  return dicts.flatMap((item) => {
    if (!(item instanceof Dict)) {
      throw fail(`pod labels elements must be dicts; got ${goType(item)}`);
    }
    const out: Record<string, string> = {};
    for (const { k, v: x } of item.entries()) {
      if (typeof k !== 'string') {
        throw fail(`pod label keys must be strings; got '${toHost(repr(k))}' of type ${goType(k)}`);
      }
      if (typeof x !== 'string') {
        throw fail(
          `pod label values must be strings; got '${toHost(repr(x))}' of type ${goType(x)}`,
        );
      }
      out[toHost(k)] = toHost(x);
    }
    return Object.keys(out).length ? [out] : [];
  });
}

/** pod_readiness: "", "wait", "ignore" or "succeeded". */
function podReadinessArg(a: Args, name: string): PodReadiness {
  const v = a.get(name);
  if (v === undefined) return '';
  const s = asString(v);
  if (s === undefined) {
    throw fail(`${a.fn}: for parameter ${name}: Must be a string. Got: ${typeOf(v)}`);
  }
  if (s === '' || s === 'wait' || s === 'ignore' || s === 'succeeded') return s;
  throw fail(`${a.fn}: for parameter ${name}: Invalid value. Allowed: {ignore, wait}. Got: ${s}`);
}

/** discovery_strategy: "", "default" or "selectors-only". */
function discoveryStrategyArg(a: Args, name: string): DiscoveryStrategy {
  const v = a.get(name);
  if (v === undefined) return '';
  const s = asString(v);
  if (s === undefined) {
    throw fail(`${a.fn}: for parameter ${name}: Must be a string. Got: ${typeOf(v)}`);
  }
  if (s === '' || s === 'default' || s === 'selectors-only') return s;
  throw fail(
    `${a.fn}: for parameter ${name}: Invalid. Must be one of: "default", "selectors-only"`,
  );
}

/** A list of strings that must be a sequence (not a lone string), as Tilt's SequenceToStringSlice reads it. */
function sequenceStrings(a: Args, name: string, what: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  if (!(v instanceof List || v instanceof Tuple)) {
    throw fail(`${a.fn}: for parameter ${name}: got ${typeOf(v)}, want sequence`);
  }
  try {
    return goStringSlice(v.elems);
  } catch (e) {
    throw fail(`${a.fn}: ${what}: ${(e as Error).message}`);
  }
}

const LABEL_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';

/** Kubernetes' message for a value that does not match a pattern, with examples. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

/** Why a label is not a valid Kubernetes label (qualified name and label value), or undefined. */
function labelProblems(label: string): string[] {
  const errs: string[] = [];
  const parts = label.split('/');
  let name = parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix === '') errs.push('prefix part must be non-empty');
    else if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
    else if (!DNS_SUBDOMAIN_RE.test(prefix)) {
      errs.push(
        'prefix part ' +
          regexError(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS_SUBDOMAIN_FMT,
            'example.com',
          ),
      );
    }
  } else if (parts.length > 2) {
    return [
      'a qualified name ' +
        regexError(LABEL_NAME_MSG, LABEL_NAME_FMT, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!LABEL_NAME_RE.test(name)) {
    errs.push(
      'name part ' + regexError(LABEL_NAME_MSG, LABEL_NAME_FMT, 'MyName', 'my.name', '123-abc'),
    );
  }
  return errs;
}

/** labels=: a label or a list of labels, each a valid Kubernetes label without a prefix. */
export function labelsArg(a: Args, name: string): string[] {
  const v = a.get(name);
  if (v === undefined) return [];
  let items: Value[];
  if (typeof v === 'string') items = [v];
  else if (v instanceof List || v instanceof Tuple) items = v.elems;
  else {
    throw fail(
      `${a.fn}: for parameter ${name}: value should be a label or List or Tuple of labels, but is of type ${typeOf(v)}`,
    );
  }
  const out: string[] = [];
  for (const item of items) {
    const label = asString(item);
    if (label === undefined) {
      throw fail(
        `${a.fn}: for parameter ${name}: Value should be convertible to string, but is type ${typeOf(item)}`,
      );
    }
    const problems = labelProblems(label);
    if (problems.length === 0 && (label.length > 63 || !LABEL_NAME_RE.test(label))) {
      problems.push(
        label.length > 63
          ? 'must be no more than 63 characters'
          : regexError(
              'a valid label must be an empty string or consist of alphanumeric characters, ' +
                "'-', '_' or '.', and must start and end with an alphanumeric character",
              '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?',
              'MyValue',
              'my_value',
              '12345',
            ),
      );
    }
    if (problems.length > 0) {
      throw fail(
        `${a.fn}: for parameter ${name}: Invalid label ${goQuote(label)}: ${problems.join(', ')}`,
      );
    }
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

/** An object selector for k8s_kind / k8s_image_json_path (regexps matched anywhere). */
function kindSelector(spec: {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}): ObjectSelector {
  try {
    return ObjectSelector.partial(spec);
  } catch (e) {
    throw fail((e as Error).message);
  }
}

/** image_json_path / paths: a JSONPath string or a list of them. */
function jsonPathsArg(a: Args, name: string, selector: ObjectSelector): ImageLocator[] {
  const v = a.get(name);
  if (v === undefined) return [];
  const items = v instanceof List || v instanceof Tuple ? v.elems : [v];
  const paths = items.map((item) => {
    if (typeof item !== 'string') {
      throw fail(`${a.fn}: for parameter ${name}: Expected string, got: ${toHost(repr(item))}`);
    }
    return toHost(item);
  });
  return paths.map((p) => {
    try {
      return jsonPathLocator(selector, p);
    } catch (e) {
      throw fail((e as Error).message);
    }
  });
}

/** image_object: {'json_path': str, 'repo_field': str, 'tag_field': str}. */
function imageObjectArg(a: Args, name: string): [string, string, string] | undefined {
  const v = a.get(name);
  if (v === undefined) return undefined;
  const form = "Expected dict of the form {'json_path': str, 'repo_field': str, 'tag_field': str}";
  const bad = (why: string) => fail(`${a.fn}: for parameter ${name}: ${why}`);
  if (!(v instanceof Dict)) throw bad(`${form}. Actual: ${toHost(repr(v))}`);
  const fields = ['json_path', 'repo_field', 'tag_field'];
  const out = ['', '', ''];
  for (const { k, v: x } of v.entries()) {
    const key = typeof k === 'string' ? toHost(k) : undefined;
    const i = key === undefined ? -1 : fields.indexOf(key);
    if (i < 0) throw bad(`${form}: Unexpected key: ${toHost(repr(k))}`);
    if (typeof x !== 'string') {
      throw bad(`${form}: Expected string at key ${goQuote(key!)}. Got: ${typeOf(x)}`);
    }
    out[i] = toHost(x);
  }
  if (v.entries().length !== fields.length) {
    const keys = v.entries().map((e) => toHost(repr(e.k)));
    throw bad(`${form}: Missing keys. Actual keys: [${keys.join(' ')}]`);
  }
  return [out[0], out[1], out[2]];
}

/** Go's url.Parse complaint about a bad %-escape in a link path, or undefined. */
function badEscape(path: string): string | undefined {
  for (let i = 0; i < path.length; i++) {
    if (path[i] !== '%') continue;
    if (!/^%[0-9a-fA-F]{2}/.test(path.slice(i))) {
      return `parse ${goQuote(path)}: invalid URL escape ${goQuote(path.slice(i, i + 3))}`;
    }
  }
  return undefined;
}

export function register(ctx: TiltfileContext, out: Map<string, Value>): void {
  const part = () => k8sOf(ctx);
  const add = (name: string, params: string[], fn: (a: Args, t: Thread) => Value) =>
    out.set(
      name,
      tiltBuiltin(ctx, name, params, (a, _c, t) => fn(a, t)),
    );

  add('k8s_yaml', ['yaml', 'allow_duplicates?'], (a, t) => {
    const entities = entitiesOf(a.get('yaml'), ctx);
    if (entities.length === 0) throw fail('Empty YAML passed to k8s_yaml');
    try {
      part().objects.append(
        entities,
        registrationTrace(t, a.fn),
        a.bool('allow_duplicates', false),
      );
    } catch (e) {
      if (e instanceof DuplicateYAMLError) throw fail(e.message);
      throw e;
    }
    return None;
  });

  add('filter_yaml', ['yaml', 'labels?', 'name', 'namespace', 'kind', 'api_version'], (a) => {
    const labelsValue = a.get('labels');
    const labels: Record<string, string> = {};
    if (labelsValue !== undefined) {
      if (!(labelsValue instanceof Dict)) {
        throw fail(`kwarg \`labels\`: expected dict, got ${goType(labelsValue)}`);
      }
      for (const { k, v } of labelsValue.entries()) {
        if (typeof k !== 'string') {
          throw fail(`kwarg \`labels\`: key is not a string: ${goType(k)} (${toHost(repr(k))})`);
        }
        if (typeof v !== 'string') {
          throw fail(`kwarg \`labels\`: value is not a string: ${goType(v)} (${toHost(repr(v))})`);
        }
        labels[toHost(k)] = toHost(v);
      }
    }
    const yaml = a.get('yaml');
    const entities = entitiesOf(yaml, ctx);
    let match: K8sEntity[];
    let rest: K8sEntity[];
    try {
      [match, rest] = filterYAML(entities, {
        labels,
        name: a.string('name', ''),
        namespace: a.string('namespace', ''),
        kind: a.string('kind', ''),
        api_version: a.string('api_version', ''),
      });
    } catch (e) {
      throw fail((e as Error).message);
    }
    const source = yaml instanceof Blob ? yaml.source : 'filter_yaml';
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
      const triggerMode = triggerModeArg(a, 'trigger_mode');
      const autoInit = a.has('auto_init') ? a.bool('auto_init', true) : undefined;
      const podReadiness = podReadinessArg(a, 'pod_readiness');
      const links = linksArg(a, 'links');
      const labels = labelsArg(a, 'labels');
      const discoveryStrategy = discoveryStrategyArg(a, 'discovery_strategy');
      const resourceName = workload || newName;
      if (resourceName === '') {
        throw fail(
          'Resource name missing. Must give a name for an existing resource or a new_name to create a new resource.',
        );
      }
      let portForwards: PortForward[];
      try {
        portForwards = portForwardsArg(a, 'port_forwards');
      } catch (e) {
        throw fail(`${a.fn} ${goQuote(resourceName)}: ${(e as Error).message}`);
      }
      const extraPodSelectors = selectorsArg(a, 'extra_pod_selectors');
      const resourceDeps = sequenceStrings(a, 'resource_deps', 'resource_deps');
      const objects = sequenceStrings(a, 'objects', 'objects');
      if (workload === '' && objects.length === 0) {
        throw fail(
          "k8s_resource doesn't specify a workload or any objects. All non-workload resources must specify 1 or more objects",
        );
      }
      part().resources.push({
        workload,
        newName,
        portForwards,
        extraPodSelectors,
        triggerMode,
        resourceDeps,
        objects,
        autoInit,
        podReadiness,
        links,
        labels,
        discoveryStrategy,
        definedAt: ctx.callerPos(t),
      });
      return None;
    },
  );

  add('port_forward', ['local_port', 'container_port?', 'name', 'link_path', 'host'], (a) => {
    const localPort = a.int('local_port', 0);
    const containerPort = a.int('container_port', 0);
    const name = a.string('name', '');
    const linkPath = a.string('link_path', '');
    const hostValue = a.get('host');
    let host = '';
    if (hostValue !== undefined) {
      const s = asString(hostValue);
      if (s === undefined) {
        throw fail(`${a.fn}: for parameter "host": got ${typeOf(hostValue)}, want string`);
      }
      host = s;
    }
    const problem = badEscape(linkPath);
    if (problem) throw fail(problem);
    return new PortForwardValue({ localPort, containerPort, name, linkPath, host });
  });

  add(
    'k8s_kind',
    ['kind', 'image_json_path?', 'api_version', 'image_object', 'pod_readiness'],
    (a) => {
      const readiness = podReadinessArg(a, 'pod_readiness');
      const imageObject = imageObjectArg(a, 'image_object');
      const selector = kindSelector({
        apiVersion: a.string('api_version', ''),
        kind: a.string('kind'),
      });
      let locators = jsonPathsArg(a, 'image_json_path', selector);
      if (locators.length > 0 && imageObject) {
        throw fail('Cannot specify both image_json_path and image_object');
      }
      if (imageObject) {
        try {
          locators = [imageObjectLocator(selector, ...imageObject)];
        } catch (e) {
          throw fail((e as Error).message);
        }
      }
      const kinds = part().kinds;
      const existing = kinds.find((k) => k.selector.equals(selector));
      if (existing) {
        if (locators.length) existing.locators = locators;
        if (readiness) existing.podReadiness = readiness;
      } else kinds.push({ selector, locators, podReadiness: readiness || undefined });
      return None;
    },
  );

  // image_json_path must be given by keyword: k8s_kind("Env", "{.spec}") reads ambiguously.
  const k8sKind = out.get('k8s_kind') as Builtin;
  out.set(
    'k8s_kind',
    new Builtin('k8s_kind', (thread, args, kwargs, self) => {
      if (args.length > 1) throw fail(`k8s_kind: got ${args.length} arguments, want at most 1`);
      return k8sKind.fn(thread, args, kwargs, self);
    }),
  );

  add('k8s_image_json_path', ['paths', 'api_version?', 'kind', 'name', 'namespace'], (a) => {
    const spec = {
      apiVersion: a.string('api_version', ''),
      kind: a.string('kind', ''),
      name: a.string('name', ''),
      namespace: a.string('namespace', ''),
    };
    if (!spec.kind && !spec.name && !spec.namespace) {
      throw fail('at least one of kind, name, or namespace must be specified');
    }
    const selector = kindSelector(spec);
    const locators = jsonPathsArg(a, 'paths', selector);
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
      throw fail(`workload_to_resource_function arg must take 1 argument. ${fn.name} takes ${n}`);
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
      const deps = localPathList(a, 'deps', ctx);
      const imageSelector = a.string('image_selector', '');
      const applyEnv = stringStringMap(a, 'apply_env');
      const deleteEnv = stringStringMap(a, 'delete_env');
      const containerSelector = a.string('container_selector', '');
      const imageDeps = imageList(a, 'image_deps');
      const command = (param: string) => {
        let argv: string[];
        try {
          argv = commandOf(a.get(param));
        } catch (e) {
          throw fail(`${param}: ${(e as Error).message}`);
        }
        if (argv.length === 0) throw fail(`${a.fn}: ${param} cannot be empty`);
        return argv;
      };
      const applyCmd = command('apply_cmd');
      const applyDir = a.path('apply_dir', ctx.dir);
      const deleteCmd = command('delete_cmd');
      const deleteDir = a.path('delete_dir', ctx.dir);
      const liveUpdate = liveUpdateSteps(a.fn, 'live_update', a.get('live_update'));
      if (liveUpdate.length > 0) {
        if (imageSelector !== '') {
          try {
            parseRef(imageSelector);
          } catch (e) {
            throw fail(`can't parse ${goQuote(imageSelector)}: ${(e as Error).message}`);
          }
        }
        const selectors = (imageSelector ? 1 : 0) + (containerSelector ? 1 : 0);
        if (selectors === 0) throw fail(`${a.fn}: no Live Update selector specified`);
        if (selectors > 1) {
          throw fail(`${a.fn}: cannot specify more than one Live Update selector`);
        }
      }
      const deploys = part().customDeploys;
      if (deploys.some((d) => d.name === name)) {
        throw fail(
          `error making resource for ${name}: k8s_resource named ${goQuote(name)} already exists`,
        );
      }
      deploys.push({
        name,
        applyCmd,
        applyDir,
        applyEnv,
        deleteCmd,
        deleteDir,
        deleteEnv,
        deps,
        imageSelector,
        containerSelector,
        liveUpdate,
        imageDeps,
      });
      return None;
    },
  );

  // With no cluster configured, the context is empty and the namespace is the default.
  add('k8s_context', [], () => fromHost(ctx.env.TILT_K8S_CONTEXT ?? ''));
  add('k8s_namespace', [], () => fromHost(ctx.env.TILT_K8S_NAMESPACE ?? 'default'));
  add('allow_k8s_contexts', ['contexts'], (a) => {
    part().allowedContexts.push(...stringOrStringList(a, 'contexts'));
    return None;
  });
}
