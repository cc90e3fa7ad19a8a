// Where images live in a Kubernetes object, found as locations that can also replace
// the image in place when the built ref is injected at deploy time.

import type { K8sEntity } from './entity.js';
import { goFormatS, goQuote } from './go-format.js';
import { childArray, isJSONObject, type JSONObject } from './json.js';
import { JSONPath, JSONPathError, type JSONPathMatch } from './jsonpath.js';
import { ObjectSelector } from './select.js';

export type ImageSource = 'initContainer' | 'container' | 'jsonPath' | 'imageObject' | 'env';

/**
 * One image found in an object. It points into the object it was found in: to inject
 * without touching the original, find images on a clone and replace them there.
 */
export interface ImageLocation {
  source: ImageSource;
  /** The image reference as written (for env vars: the variable's value). */
  image: string;
  /** Keys from the object root to the image string (for imageObject, to the object). */
  path: readonly (string | number)[];
  /** The container holding it, for container and env sources. */
  containerName?: string;
  /** The env var's name, for env sources. */
  envName?: string;
  /**
   * Writes `ref` where the image was found; an image object gets the ref's repository
   * and, when it has one, its tag. With `pullPolicy`, containers get that
   * imagePullPolicy, and JSONPath images a sibling imagePullPolicy that already exists.
   */
  replace(ref: string, opts?: { pullPolicy?: string }): void;
}

/** k8s_kind(image_json_path=...): each path selects image strings. */
export interface JSONPathImageLocator {
  type: 'jsonPath';
  selector: ObjectSelector;
  path: JSONPath;
}

/** k8s_kind(image_object=...): each path selects objects holding repo and tag fields. */
export interface ImageObjectLocator {
  type: 'imageObject';
  selector: ObjectSelector;
  path: JSONPath;
  repoField: string;
  tagField: string;
}

export type ImageLocator = JSONPathImageLocator | ImageObjectLocator;

/** Throws the JSONPath parser's message when `path` is malformed. */
export function jsonPathLocator(selector: ObjectSelector, path: string): JSONPathImageLocator {
  return { type: 'jsonPath', selector, path: JSONPath.parse(path) };
}

export function imageObjectLocator(
  selector: ObjectSelector,
  path: string,
  repoField: string,
  tagField: string,
): ImageObjectLocator {
  return { type: 'imageObject', selector, path: JSONPath.parse(path), repoField, tagField };
}

/** A kind Tilt treats as a workload, with where its images are and how pods get ready. */
export interface K8sKind {
  selector: ObjectSelector;
  locators: ImageLocator[];
  podReadiness?: string;
}

/** Jobs and CronJobs are workloads even without an image Tilt builds. */
export function builtinKinds(): K8sKind[] {
  return [
    {
      selector: ObjectSelector.partial({ apiVersion: 'batch/v1', kind: 'Job' }),
      locators: [],
      podReadiness: 'succeeded',
    },
    {
      selector: ObjectSelector.partial({ apiVersion: 'batch/v1', kind: 'CronJob' }),
      locators: [],
      podReadiness: 'ignore',
    },
  ];
}

/** Each container of the pod template, init containers first (Tilt's order). */
function containers(
  e: K8sEntity,
): { c: JSONObject; source: 'initContainer' | 'container'; path: (string | number)[] }[] {
  const template = e.podTemplate();
  if (!template?.spec) return [];
  const specPath = template.path.length === 0 ? ['spec'] : [...template.path, 'spec'];
  const out: ReturnType<typeof containers> = [];
  for (const [field, source] of [
    ['initContainers', 'initContainer'],
    ['containers', 'container'],
  ] as const) {
    (childArray(template.spec, field) ?? []).forEach((c, i) => {
      if (isJSONObject(c)) out.push({ c, source, path: [...specPath, field, i] });
    });
  }
  return out;
}

/** The image of every container and init container of the pod template. */
export function containerImages(e: K8sEntity): ImageLocation[] {
  const out: ImageLocation[] = [];
  for (const { c, source, path } of containers(e)) {
    const image = c.image;
    if (typeof image !== 'string' || image === '') continue;
    out.push({
      source,
      image,
      path: [...path, 'image'],
      containerName: typeof c.name === 'string' ? c.name : undefined,
      replace(ref, opts) {
        c.image = ref;
        if (opts?.pullPolicy !== undefined) c.imagePullPolicy = opts.pullPolicy;
      },
    });
  }
  return out;
}

/** The plain `value` of every env var of every container (for match_in_env_vars). */
export function envVarImages(e: K8sEntity): ImageLocation[] {
  const out: ImageLocation[] = [];
  for (const { c, path } of containers(e)) {
    (childArray(c, 'env') ?? []).forEach((env, i) => {
      if (!isJSONObject(env) || typeof env.value !== 'string') return;
      out.push({
        source: 'env',
        image: env.value,
        path: [...path, 'env', i, 'value'],
        containerName: typeof c.name === 'string' ? c.name : undefined,
        envName: typeof env.name === 'string' ? env.name : undefined,
        replace(ref) {
          env.value = ref;
        },
      });
    });
  }
  return out;
}

/** Images found by k8s_kind locators whose selector matches the object. */
export function locatorImages(e: K8sEntity, locators: readonly ImageLocator[]): ImageLocation[] {
  return locators.flatMap((l) => {
    if (!l.selector.matches(e)) return [];
    return l.type === 'jsonPath' ? jsonPathImages(e, l) : imageObjectImages(e, l);
  });
}

function jsonPathImages(e: K8sEntity, l: JSONPathImageLocator): ImageLocation[] {
  return l.path.findStrings(e.obj).map((m) => ({
    source: 'jsonPath',
    image: m.value,
    path: m.path,
    replace(ref, opts) {
      m.set(ref);
      const parent = m.parent;
      if (opts?.pullPolicy !== undefined && isJSONObject(parent)) {
        if (Object.hasOwn(parent, 'imagePullPolicy')) parent.imagePullPolicy = opts.pullPolicy;
      }
    },
  }));
}

function imageObjectImages(e: K8sEntity, l: ImageObjectLocator): ImageLocation[] {
  return l.path.find(e.obj).map((m: JSONPathMatch): ImageLocation => {
    const obj = m.value;
    if (!isJSONObject(obj)) {
      throw new JSONPathError(
        `May only match maps (json_path=${goQuote(l.path.path)})\n` +
          `Got Type: interface {}\nGot Value: ${goFormatS(obj)}`,
      );
    }
    return {
      source: 'imageObject',
      image: imageFromObject(obj, l),
      path: m.path,
      replace(ref) {
        const { repo, tag } = splitRepoTag(ref);
        obj[l.repoField] = repo;
        if (tag !== undefined) obj[l.tagField] = tag;
      },
    };
  });
}

function imageFromObject(obj: JSONObject, l: ImageObjectLocator): string {
  const repo = typeof obj[l.repoField] === 'string' ? (obj[l.repoField] as string) : '';
  const tag = obj[l.tagField];
  return typeof tag === 'string' && tag !== '' ? `${repo}:${tag}` : repo;
}

/** Splits `repo[:tag][@digest]` into the repository and the tag, if any. */
export function splitRepoTag(ref: string): { repo: string; tag?: string } {
  const at = ref.indexOf('@');
  const named = at < 0 ? ref : ref.slice(0, at);
  const colon = named.lastIndexOf(':');
  if (colon > named.lastIndexOf('/')) {
    return { repo: named.slice(0, colon), tag: named.slice(colon + 1) };
  }
  return { repo: named };
}

export interface FindImagesOptions {
  locators?: readonly ImageLocator[];
  /** Which env var values count as images: those the predicate accepts. */
  envVars?: (value: string) => boolean;
}

/** All images of an object: containers, then k8s_kind locators, then matching env vars. */
export function findImages(e: K8sEntity, opts: FindImagesOptions = {}): ImageLocation[] {
  const found = [...containerImages(e), ...locatorImages(e, opts.locators ?? [])];
  const envMatch = opts.envVars;
  if (envMatch) found.push(...envVarImages(e).filter((l) => envMatch(l.image)));
  return found;
}

/**
 * Whether Tilt makes a resource of this object: it matches a k8s_kind (Job and CronJob
 * are built in), or it holds any image.
 */
export function isWorkload(
  e: K8sEntity,
  kinds: readonly K8sKind[],
  envVars?: (value: string) => boolean,
): boolean {
  if (kinds.some((k) => k.selector.matches(e))) return true;
  try {
    const locators = kinds.flatMap((k) => k.locators);
    return findImages(e, { locators, envVars }).length > 0;
  } catch (err) {
    throw new Error(`finding images in ${e.name}: ${(err as Error).message}`);
  }
}
