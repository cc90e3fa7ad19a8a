import { describe, expect, it } from 'vitest';
import { parseYAMLStream } from '../../src/k8s/entity.js';
import {
  builtinKinds,
  containerImages,
  envVarImages,
  findImages,
  imageObjectLocator,
  isWorkload,
  jsonPathLocator,
  locatorImages,
  splitRepoTag,
  type K8sKind,
} from '../../src/k8s/images.js';
import { JSONPathError } from '../../src/k8s/jsonpath.js';
import { ObjectSelector } from '../../src/k8s/select.js';
import { deploymentYAML, parseOne, workload } from './fixtures.js';

const crdYAML = `apiVersion: tilt.dev/v1
kind: Environment
metadata:
  name: env
spec:
  runtime:
    image: docker.io/bitnami/minideb:latest
    imagePullPolicy: Always
  workers:
  - image: worker-a
  - image: worker-b
  images:
  - repo: gcr.io/proj/api
    tag: v1
  - repo: gcr.io/proj/db
`;

const envKind = ObjectSelector.partial({ kind: 'Environment' });

describe('containerImages', () => {
  it('lists init containers first, then containers, with their paths', () => {
    const e = parseOne(deploymentYAML);
    const found = containerImages(e);
    expect(found.map((f) => [f.source, f.containerName, f.image, f.path])).toEqual([
      [
        'initContainer',
        'init',
        'busybox',
        ['spec', 'template', 'spec', 'initContainers', 0, 'image'],
      ],
      [
        'container',
        'sancho',
        'gcr.io/some-project-162817/sancho',
        ['spec', 'template', 'spec', 'containers', 0, 'image'],
      ],
      [
        'container',
        'sidecar',
        'gcr.io/some-project-162817/sancho-sidecar:v2',
        ['spec', 'template', 'spec', 'containers', 1, 'image'],
      ],
    ]);
  });

  it('finds images in bare Pods and CronJobs', () => {
    expect(containerImages(workload('Pod', 'p', {})).map((f) => f.path)).toEqual([
      ['spec', 'containers', 0, 'image'],
    ]);
    expect(containerImages(workload('CronJob', 'c', {}))[0].path).toEqual([
      'spec',
      'jobTemplate',
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'image',
    ]);
  });

  it('finds nothing in objects without a pod template, or containers without an image', () => {
    expect(containerImages(parseOne(crdYAML))).toEqual([]);
    const noImage = parseOne(
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n',
    );
    expect(containerImages(noImage)).toEqual([]);
  });

  it('replaces an image in place, optionally setting the pull policy', () => {
    const e = parseOne(deploymentYAML);
    const [, main, sidecar] = containerImages(e);
    main.replace('localhost:5000/sancho:tilt-0123456789abcdef', { pullPolicy: 'IfNotPresent' });
    sidecar.replace('sidecar:tilt-1');
    const containers = (e.podTemplate()?.spec?.containers ?? []) as Record<string, unknown>[];
    expect(containers[0].image).toBe('localhost:5000/sancho:tilt-0123456789abcdef');
    expect(containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(containers[1].image).toBe('sidecar:tilt-1');
    expect(containers[1].imagePullPolicy).toBe('Always');
  });
});

describe('envVarImages', () => {
  it('lists plain env values of every container', () => {
    const e = parseOne(deploymentYAML);
    const found = envVarImages(e);
    expect(found.map((f) => [f.containerName, f.envName, f.image, f.path])).toEqual([
      [
        'sancho',
        'SIDECAR',
        'gcr.io/some-project-162817/sidecar',
        ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'value'],
      ],
    ]);
    found[0].replace('sidecar:tilt-2');
    expect(envVarImages(e)[0].image).toBe('sidecar:tilt-2');
  });
});

describe('locatorImages', () => {
  it('reads image_json_path locators for matching objects only', () => {
    const e = parseOne(crdYAML);
    const locators = [
      jsonPathLocator(envKind, '{.spec.runtime.image}'),
      jsonPathLocator(envKind, '{.spec.workers[*].image}'),
      jsonPathLocator(ObjectSelector.partial({ kind: 'Other' }), '{.spec.nope}'),
    ];
    const found = locatorImages(e, locators);
    expect(found.map((f) => [f.source, f.image])).toEqual([
      ['jsonPath', 'docker.io/bitnami/minideb:latest'],
      ['jsonPath', 'worker-a'],
      ['jsonPath', 'worker-b'],
    ]);
    expect(found[1].path).toEqual(['spec', 'workers', 0, 'image']);
  });

  it('replaces JSONPath images and an existing sibling pull policy', () => {
    const e = parseOne(crdYAML);
    const [runtime, worker] = locatorImages(e, [
      jsonPathLocator(envKind, '{.spec.runtime.image}'),
      jsonPathLocator(envKind, '{.spec.workers[0].image}'),
    ]);
    runtime.replace('minideb:tilt-1', { pullPolicy: 'IfNotPresent' });
    worker.replace('worker-a:tilt-2', { pullPolicy: 'IfNotPresent' });
    const spec = e.obj.spec as Record<string, Record<string, unknown>>;
    expect(spec.runtime).toEqual({ image: 'minideb:tilt-1', imagePullPolicy: 'IfNotPresent' });
    expect(spec.workers).toEqual([{ image: 'worker-a:tilt-2' }, { image: 'worker-b' }]);
  });

  it('reads image_object locators as repo and tag', () => {
    const e = parseOne(crdYAML);
    const found = locatorImages(e, [
      imageObjectLocator(envKind, '{.spec.images[*]}', 'repo', 'tag'),
    ]);
    expect(found.map((f) => [f.source, f.image, f.path])).toEqual([
      ['imageObject', 'gcr.io/proj/api:v1', ['spec', 'images', 0]],
      ['imageObject', 'gcr.io/proj/db', ['spec', 'images', 1]],
    ]);
    found[0].replace('localhost:5000/api:tilt-abc');
    found[1].replace('db');
    expect((e.obj.spec as Record<string, unknown>).images).toEqual([
      { repo: 'localhost:5000/api', tag: 'tilt-abc' },
      { repo: 'db' },
    ]);
  });

  it("fails like Tilt's locators on missing fields and wrong types", () => {
    const e = parseOne(crdYAML);
    expect(() => locatorImages(e, [jsonPathLocator(envKind, '{.spec.runtime.img}')])).toThrow(
      'Matching (json_path="{.spec.runtime.img}"): img is not found',
    );
    expect(() => locatorImages(e, [jsonPathLocator(envKind, '{.spec.runtime}')])).toThrow(
      /^May only match strings \(json_path="\{\.spec\.runtime\}"\)\nGot Type: map\[string\]interface \{\}\nGot Value: map\[image:docker/,
    );
    expect(() =>
      locatorImages(e, [imageObjectLocator(envKind, '{.spec.runtime.image}', 'repo', 'tag')]),
    ).toThrow(JSONPathError);
    expect(() =>
      locatorImages(e, [imageObjectLocator(envKind, '{.spec.runtime.image}', 'repo', 'tag')]),
    ).toThrow(
      'May only match maps (json_path="{.spec.runtime.image}")\nGot Type: interface {}\nGot Value: docker.io/bitnami/minideb:latest',
    );
  });

  it('rejects malformed paths when the locator is made', () => {
    expect(() => jsonPathLocator(envKind, '{.spec')).toThrow('unclosed action');
  });
});

describe('findImages', () => {
  it('combines containers, locators and accepted env vars', () => {
    const [d] = parseYAMLStream(deploymentYAML);
    expect(findImages(d).map((f) => f.source)).toEqual(['initContainer', 'container', 'container']);
    const withEnv = findImages(d, { envVars: (v) => v.includes('sidecar') });
    expect(withEnv.map((f) => f.image)).toContain('gcr.io/some-project-162817/sidecar');
    expect(findImages(d, { envVars: () => false })).toHaveLength(3);
  });
});

describe('splitRepoTag', () => {
  it('splits off a tag but not a registry port', () => {
    expect(splitRepoTag('foo')).toEqual({ repo: 'foo' });
    expect(splitRepoTag('foo:v1')).toEqual({ repo: 'foo', tag: 'v1' });
    expect(splitRepoTag('localhost:5000/foo')).toEqual({ repo: 'localhost:5000/foo' });
    expect(splitRepoTag('localhost:5000/foo:v1')).toEqual({
      repo: 'localhost:5000/foo',
      tag: 'v1',
    });
    expect(splitRepoTag('foo:v1@sha256:abc')).toEqual({ repo: 'foo', tag: 'v1' });
  });
});

describe('isWorkload', () => {
  const kinds = builtinKinds();

  it('counts anything holding an image', () => {
    expect(isWorkload(parseOne(deploymentYAML), kinds)).toBe(true);
    expect(isWorkload(workload('Pod', 'p', {}), kinds)).toBe(true);
    expect(
      isWorkload(parseOne('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'), kinds),
    ).toBe(false);
  });

  it('counts Jobs and CronJobs even without images', () => {
    const job = parseOne('apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n');
    const cron = parseOne('apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n');
    expect(isWorkload(job, kinds)).toBe(true);
    expect(isWorkload(cron, kinds)).toBe(true);
    expect(isWorkload(job, [])).toBe(false);
    expect(kinds.map((k) => k.podReadiness)).toEqual(['succeeded', 'ignore']);
  });

  it('counts objects matching a k8s_kind, and images found by its locators', () => {
    const crd = parseOne(crdYAML);
    expect(isWorkload(crd, kinds)).toBe(false);
    const kind: K8sKind = { selector: envKind, locators: [] };
    expect(isWorkload(crd, [...kinds, kind])).toBe(true);
    // A locator registered for another kind can still find images here.
    const other: K8sKind = {
      selector: ObjectSelector.partial({ kind: 'Nope' }),
      locators: [jsonPathLocator(envKind, '{.spec.runtime.image}')],
    };
    expect(isWorkload(crd, [other])).toBe(true);
  });

  it('counts env var images only when accepted', () => {
    const pod = parseOne(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    env:
    - {name: IMG, value: my-image}
`);
    expect(isWorkload(pod, kinds)).toBe(false);
    expect(isWorkload(pod, kinds, (v) => v === 'my-image')).toBe(true);
  });

  it('names the object when finding images fails', () => {
    const crd = parseOne(crdYAML);
    const bad: K8sKind = {
      selector: ObjectSelector.partial({ kind: 'Nope' }),
      locators: [jsonPathLocator(envKind, '{.spec.nope}')],
    };
    expect(() => isWorkload(crd, [bad])).toThrow(
      'finding images in env: Matching (json_path="{.spec.nope}"): nope is not found',
    );
  });
});
