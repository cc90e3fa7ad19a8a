// Kubernetes resources as Tilt forms them: one resource per workload, named
// by the shortest unique id; Services join the workload they select;
// k8s_resource() calls apply in order (objects, new_name, port forwards,
// deps, links, labels); everything left over is `uncategorized`.

import { EvalError } from '../../starlark/errors.js';
import { call } from '../../starlark/eval/thread.js';
import type { K8sEntity } from '../../k8s/entity.js';
import { serializeYAMLStream } from '../../k8s/entity.js';
import {
  builtinKinds,
  containerImages,
  findImages,
  isWorkload,
  type K8sKind,
} from '../../k8s/images.js';
import { fullName, nameKind, objectRef, shortestUniqueNames } from '../../k8s/object-id.js';
import { goQuote, goQuotedList } from '../../k8s/go-format.js';
import { parseObjectSelector, servicesForWorkload, type ObjectSelector } from '../../k8s/select.js';
import { parseRef, refSelector, selectorMatches, type RefSelector } from '../../container/ref.js';
import type { Link, Manifest, PortForward } from '../../model/manifest.js';
import { fromHost, toHost } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { imagesOf } from '../builtins/images.js';
import {
  K8sObjectIDValue,
  k8sOf,
  type DiscoveryStrategy,
  type PodReadiness,
} from '../builtins/k8s.js';
import { resourceTriggerMode, type TriggerModeArg } from '../builtins/settings.js';
import { goType } from '../builtins/settings-go.js';

interface K8sResource {
  name: string;
  entities: K8sEntity[];
  portForwards: PortForward[];
  extraPodSelectors: Record<string, string>[];
  triggerMode: TriggerModeArg | undefined;
  autoInit: boolean;
  resourceDeps: string[];
  podReadiness: PodReadiness;
  discoveryStrategy: DiscoveryStrategy;
  links: Link[];
  labels: string[];
  /** Made by k8s_resource(new_name=..., objects=...) rather than around a workload. */
  manual: boolean;
}

function newResource(name: string, entities: K8sEntity[]): K8sResource {
  return {
    name,
    entities,
    portForwards: [],
    extraPodSelectors: [],
    triggerMode: undefined,
    autoInit: true,
    resourceDeps: [],
    podReadiness: '',
    discoveryStrategy: '',
    links: [],
    labels: [],
    manual: false,
  };
}

/** The k8s_kind matchers in force: Job and CronJob, then the Tiltfile's. */
export function kindsOf(ctx: TiltfileContext): K8sKind[] {
  return [...builtinKinds(), ...k8sOf(ctx).kinds];
}

/** Whether an env var value names an image built with match_in_env_vars=True. */
export function envImageMatcher(ctx: TiltfileContext): ((value: string) => boolean) | undefined {
  const selectors: RefSelector[] = imagesOf(ctx)
    .images.filter((i) => i.matchInEnvVars)
    .map((i) => refSelector(i.ref));
  if (selectors.length === 0) return undefined;
  return (value) => selectors.some((s) => selectorMatches(s, value));
}

export function assembleK8s(ctx: TiltfileContext): Manifest[] {
  const part = k8sOf(ctx);
  const kinds = kindsOf(ctx);
  const envVars = envImageMatcher(ctx);
  let rest: K8sEntity[] = part.objects.entities();
  checkContainerImages(rest);

  const workloads = rest.filter((e) => isWorkload(e, kinds, envVars));
  rest = rest.filter((e) => !workloads.includes(e));
  const names = resourceNames(ctx, workloads);
  const resources: K8sResource[] = workloads.map((w, i) => {
    const [services, others] = servicesForWorkload(w, rest);
    rest = others;
    return newResource(names[i], [w, ...services]);
  });
  const byName = new Map(resources.map((r) => [r.name, r]));

  // Fragments name objects among all of them; each may be taken by one resource only.
  const all = [...resources.flatMap((r) => r.entities), ...rest];
  const byFragment = new Map<string, K8sEntity[]>();
  for (const e of all) {
    for (const f of fragmentsOf(e)) byFragment.set(f, [...(byFragment.get(f) ?? []), e]);
  }

  for (const call of part.resources) {
    let r: K8sResource;
    if (call.workload) {
      const found = byName.get(call.workload);
      if (!found) {
        const known = resources.map((x) => x.name).join(', ');
        throw fail(
          `k8s_resource specified unknown resource ${goQuote(call.workload)}. known k8s resources: ${known}`,
        );
      }
      r = found;
      if (call.newName && call.newName !== r.name) {
        if (byName.has(call.newName)) {
          throw fail(
            `k8s_resource at ${call.definedAt} specified to rename ${goQuote(r.name)} to ${goQuote(call.newName)}, but there already exists a resource with that name`,
          );
        }
        byName.delete(r.name);
        r.name = call.newName;
        byName.set(r.name, r);
      }
    } else {
      if (byName.has(call.newName)) {
        throw fail(`k8s_resource named ${goQuote(call.newName)} already exists`);
      }
      r = newResource(call.newName, []);
      r.manual = true;
      resources.push(r);
      byName.set(r.name, r);
    }
    const selectors = call.objects.map((o): ObjectSelector => {
      try {
        return parseObjectSelector(o);
      } catch (e) {
        throw fail(`Error making selector from string ${goQuote(o)}: ${(e as Error).message}`);
      }
    });
    call.objects.forEach((o, i) => {
      const named = byFragment.get(o.toLowerCase()) ?? [];
      if (named.length === 0) {
        throw fail(
          `No object identified by the fragment ${goQuote(o)} could be found. Possible objects are: ${goQuotedList(all.map((e) => fullName(objectRef(e))))}`,
        );
      }
      if (named.length > 1) {
        throw fail(
          `${goQuote(o)} is not a unique fragment. Objects that match ${goQuote(o)} are ${goQuotedList(named.map((e) => fullName(objectRef(e))))}`,
        );
      }
      const j = rest.findIndex((e) => selectors[i].matches(e));
      if (j < 0) {
        throw fail(
          `No object identified by the fragment ${goQuote(o)} could be found in remaining YAML. Valid remaining fragments are: ${goQuotedList(rest.map((e) => fullName(objectRef(e))))}`,
        );
      }
      r.entities.push(rest[j]);
      rest = rest.filter((_, k) => k !== j);
    });
    r.portForwards.push(...call.portForwards);
    r.extraPodSelectors.push(...call.extraPodSelectors);
    r.resourceDeps.push(...call.resourceDeps);
    r.links.push(...call.links);
    for (const l of call.labels) if (!r.labels.includes(l)) r.labels.push(l);
    if (call.triggerMode !== undefined) r.triggerMode = call.triggerMode;
    if (call.autoInit !== undefined) r.autoInit = call.autoInit;
    if (call.podReadiness) r.podReadiness = call.podReadiness;
    if (call.discoveryStrategy) r.discoveryStrategy = call.discoveryStrategy;
  }

  if (rest.length > 0) resources.push(newResource('uncategorized', rest));

  return resources.map((r) => toManifest(ctx, r, kinds));
}

function toManifest(ctx: TiltfileContext, r: K8sResource, kinds: K8sKind[]): Manifest {
  return {
    name: r.name,
    type: 'k8s',
    imageTargets: [],
    k8s: {
      yaml: serializeYAMLStream(r.entities),
      objectNames: r.entities.map((e) => nameKind(objectRef(e))),
      entities: r.entities,
      portForwards: r.portForwards,
      extraPodSelectors: r.extraPodSelectors,
      podReadiness: podReadiness(ctx, r, kinds),
      discoveryStrategy: r.discoveryStrategy,
    },
    resourceDeps: r.resourceDeps,
    triggerMode: resourceTriggerMode(ctx, r.triggerMode),
    autoInit: r.autoInit,
    labels: r.labels,
    links: r.links,
    enabled: true,
  };
}

/**
 * The resource's own pod_readiness, else that of a k8s_kind matching one of its
 * objects. A resource grouped by hand from objects without images or extra pod
 * selectors makes no pods, so it does not wait for any.
 */
function podReadiness(ctx: TiltfileContext, r: K8sResource, kinds: K8sKind[]): PodReadiness {
  if (r.podReadiness) return r.podReadiness;
  const fromKind = kinds.find((k) => r.entities.some((e) => k.selector.matches(e)))?.podReadiness;
  if (fromKind) return fromKind as PodReadiness;
  if (r.manual && r.extraPodSelectors.length === 0) {
    const envVars = envImageMatcher(ctx);
    const hasImages = r.entities.some((e) => {
      const locators = kinds.filter((k) => k.selector.matches(e)).flatMap((k) => k.locators);
      return findImages(e, { locators, envVars }).length > 0;
    });
    if (!hasImages) return 'ignore';
  }
  return '';
}

/** `name`, `name:kind` and `name:kind:namespace`, each part escaped, lowercased. */
function fragmentsOf(e: K8sEntity): string[] {
  const ref = objectRef(e);
  const parts = [ref.name, ref.kind, ref.namespace].map((p) =>
    p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').toLowerCase(),
  );
  return [parts[0], parts.slice(0, 2).join(':'), parts.join(':')];
}

/** Every container's image must be a valid image reference. */
function checkContainerImages(entities: K8sEntity[]): void {
  for (const e of entities) {
    for (const loc of containerImages(e)) {
      try {
        parseRef(loc.image);
      } catch (err) {
        throw fail(`finding images in ${e.name}: parsing ${loc.image}: ${(err as Error).message}`);
      }
    }
  }
}

/** An error whose message is host text. */
function fail(msg: string): EvalError {
  return new EvalError(fromHost(msg));
}

/** Default names, or the names a workload_to_resource_function gives. */
function resourceNames(ctx: TiltfileContext, workloads: K8sEntity[]): string[] {
  const wtrf = k8sOf(ctx).workloadToResource;
  if (!wtrf) return shortestUniqueNames(workloads.map(objectRef));
  const { fn, thread } = wtrf;
  const pos = fn.position;
  const failApplying = (why: string) =>
    fail(`error applying workload_to_resource_function ${pos.file}:${pos.line}:${pos.col}: ${why}`);
  const taken = new Map<string, string>();
  return workloads.map((w) => {
    const ref = objectRef(w);
    const id = new K8sObjectIDValue({
      name: ref.name,
      kind: ref.kind,
      namespace: ref.namespace,
      group: ref.group,
    });
    const idText = `${ref.name}:${ref.kind}:${ref.namespace}:${ref.group}`.toLowerCase();
    const determining = `error determining resource name for '${idText}'`;
    let v;
    try {
      v = call(thread, fn, [id], []);
    } catch (e) {
      const msg = e instanceof EvalError ? toHost(e.msg) : (e as Error).message;
      throw failApplying(`${determining}: ${msg}`);
    }
    if (typeof v !== 'string') {
      throw failApplying(
        `${determining}: ${fn.name}: invalid return value. wanted: string. got: ${goType(v)}`,
      );
    }
    const name = toHost(v);
    const other = taken.get(name);
    if (other !== undefined) {
      throw failApplying(`both '${idText}' and '${other}' mapped to resource name '${name}'`);
    }
    taken.set(name, idText);
    return name;
  });
}

/** Images named in a resource's objects (containers, k8s_kind paths, matching env vars). */
export function imagesInManifest(ctx: TiltfileContext, m: Manifest): string[] {
  const kinds = kindsOf(ctx);
  const envVars = envImageMatcher(ctx);
  const out: string[] = [...(m.k8s?.customDeploy?.imageDeps ?? [])];
  for (const e of m.k8s?.entities ?? []) {
    const locators = kinds.filter((k) => k.selector.matches(e)).flatMap((k) => k.locators);
    for (const loc of findImages(e, { locators, envVars })) out.push(loc.image);
  }
  return out;
}
