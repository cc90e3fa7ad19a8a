// Kubernetes resources as Tilt forms them: one resource per workload, named
// by the shortest unique id; Services join the workload they select;
// k8s_resource() calls apply in order (objects, new_name, port forwards,
// deps, links, labels); everything left over is `uncategorized`.

import { EvalError } from '../../starlark/errors.js';
import { call } from '../../starlark/eval/thread.js';
import type { K8sEntity } from '../../k8s/entity.js';
import { serializeYAMLStream } from '../../k8s/entity.js';
import { builtinKinds, findImages, isWorkload, type K8sKind } from '../../k8s/images.js';
import {
  FragmentError,
  matchFragment,
  nameKind,
  objectRef,
  shortestUniqueNames,
} from '../../k8s/object-id.js';
import { servicesForWorkload } from '../../k8s/select.js';
import { refSelector, selectorMatches, type RefSelector } from '../../container/ref.js';
import type { Link, Manifest, PortForward } from '../../model/manifest.js';
import { toHost } from '../args.js';
import type { TiltfileContext } from '../context.js';
import { imagesOf } from '../builtins/images.js';
import { K8sObjectIDValue, k8sOf } from '../builtins/k8s.js';
import { resourceTriggerMode, type TriggerModeArg } from '../builtins/settings.js';

interface K8sResource {
  name: string;
  entities: K8sEntity[];
  portForwards: PortForward[];
  extraPodSelectors: Record<string, string>[];
  triggerMode: TriggerModeArg | undefined;
  autoInit: boolean;
  resourceDeps: string[];
  podReadiness: '' | 'wait' | 'ignore' | 'succeeded';
  discoveryStrategy: '' | 'default' | 'selectors-only';
  links: Link[];
  labels: string[];
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

  const workloads = rest.filter((e) => isWorkload(e, kinds, envVars));
  rest = rest.filter((e) => !workloads.includes(e));
  const names = resourceNames(ctx, workloads);
  const resources: K8sResource[] = workloads.map((w, i) => {
    const [services, others] = servicesForWorkload(w, rest);
    rest = others;
    return newResource(names[i], [w, ...services]);
  });
  const byName = new Map(resources.map((r) => [r.name, r]));

  for (const call of part.resources) {
    let r: K8sResource;
    if (call.workload) {
      const found = byName.get(call.workload);
      if (!found) {
        const known = resources.map((x) => x.name).join(', ');
        throw new EvalError(
          `k8s_resource specified unknown resource ${JSON.stringify(call.workload)}. known k8s resources: ${known}`,
        );
      }
      r = found;
    } else {
      if (byName.has(call.newName)) {
        throw new EvalError(`k8s_resource named ${JSON.stringify(call.newName)} already exists`);
      }
      r = newResource(call.newName, []);
      resources.push(r);
      byName.set(r.name, r);
    }
    for (const fragment of call.objects) {
      let i: number;
      try {
        i = matchFragment(fragment, rest.map(objectRef));
      } catch (e) {
        if (e instanceof FragmentError) throw new EvalError(e.message);
        throw e;
      }
      r.entities.push(rest[i]);
      rest = rest.filter((_, j) => j !== i);
    }
    if (call.workload && call.newName && call.newName !== r.name) {
      if (byName.has(call.newName)) {
        throw new EvalError(`k8s_resource named ${JSON.stringify(call.newName)} already exists`);
      }
      byName.delete(r.name);
      r.name = call.newName;
      byName.set(r.name, r);
    }
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
  const podReadiness =
    r.podReadiness ||
    ((kinds.find((k) => r.entities.some((e) => k.selector.matches(e)))?.podReadiness ??
      '') as K8sResource['podReadiness']);
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
      podReadiness,
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

/** Default names, or the names a workload_to_resource_function gives. */
function resourceNames(ctx: TiltfileContext, workloads: K8sEntity[]): string[] {
  const fn = k8sOf(ctx).workloadToResource;
  if (!fn) return shortestUniqueNames(workloads.map(objectRef));
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
    let v;
    try {
      v = call(fn.thread, fn.fn, [id], []);
    } catch (e) {
      throw new EvalError(
        `error applying workload_to_resource_function: error determining resource name for '${idText}': ${(e as Error).message}`,
      );
    }
    if (typeof v !== 'string') {
      throw new EvalError(
        `${fn.fn.name}: invalid return value. wanted: string. got: ${typeof v === 'object' ? v.type : typeof v}`,
      );
    }
    const name = toHost(v);
    const other = taken.get(name);
    if (other)
      throw new EvalError(`both '${idText}' and '${other}' mapped to resource name '${name}'`);
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
