// Which objects make pods, their names, spec hashes and labels.

import { describe, expect, it } from 'vitest';
import { parseYAMLStream, type K8sEntity } from '../../../src/k8s/entity.js';
import { ConfigStore } from '../../../src/runtime/docker/config-store.js';
import {
  containerLabels,
  LABEL_POD_RECORD,
  objectLabel,
  parseObjectLabel,
  readContainerLabels,
} from '../../../src/runtime/docker/labels.js';
import {
  claimVolumeName,
  containerName,
  podKey,
  podName,
  randomSuffix,
  sandboxName,
  templateHashSuffix,
} from '../../../src/runtime/docker/names.js';
import { podSpecHash, specHash, stableJSON } from '../../../src/runtime/docker/spec-hash.js';
import {
  classifyObject,
  WorkloadSpecError,
  type WorkloadPlan,
} from '../../../src/runtime/docker/workloads.js';

const one = (text: string): K8sEntity => parseYAMLStream(text)[0]!;

function deployment(extra = '', podExtra = '', image = 'app:1'): K8sEntity {
  return one(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
${extra}  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${podExtra}      containers:
      - name: main
        image: ${image}
        envFrom: [{configMapRef: {name: cfg}}]
`);
}

function plan(e: K8sEntity): WorkloadPlan {
  const role = classifyObject(e);
  if (role.role !== 'workload') throw new Error(`not a workload: ${role.role}`);
  return role.plan;
}

function specError(e: K8sEntity): string {
  try {
    classifyObject(e);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkloadSpecError);
    return `${(err as WorkloadSpecError).object}: ${(err as Error).message}`;
  }
  return 'no error';
}

describe('classifyObject', () => {
  it('sorts kinds into what they make', () => {
    const role = (text: string) => classifyObject(one(text)).role;
    expect(role('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}')).toBe('config');
    expect(role('apiVersion: v1\nkind: Secret\nmetadata: {name: s}')).toBe('config');
    expect(role('apiVersion: v1\nkind: Service\nmetadata: {name: s}')).toBe('config');
    expect(role('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: p}')).toBe('claim');
    expect(role('apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}')).toBe('inert');
    expect(role('apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}')).toBe(
      'inert',
    );
    expect(role('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}')).toBe('unknown');
    expect(
      role(
        'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a, image: b}]',
      ),
    ).toBe('cronjob');
  });

  it('reads replicas, naming and restart policy', () => {
    const p = plan(deployment('  replicas: 3\n'));
    expect(p).toMatchObject({
      ref: { kind: 'Deployment', namespace: 'default', name: 'web' },
      replicas: 3,
      naming: 'template-hash',
      restartPolicy: 'Always',
      labels: { app: 'web' },
    });
    expect(plan(deployment()).replicas).toBe(1);
    expect(plan(deployment('  replicas: 0\n')).replicas).toBe(0);
    const ds = one(
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b}]',
    );
    expect(plan(ds)).toMatchObject({ replicas: 1, naming: 'random' });
    const pod = one(
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: OnFailure\n  containers: [{name: a, image: b}]',
    );
    expect(plan(pod)).toMatchObject({ replicas: 1, naming: 'fixed', restartPolicy: 'OnFailure' });
  });

  it('reads Jobs and StatefulSets', () => {
    const job = one(`
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: a, image: b}]
`);
    expect(plan(job)).toMatchObject({
      naming: 'random',
      restartPolicy: 'Never',
      job: { backoffLimit: 6, completions: 3, parallelism: 1 },
    });
    const sts = one(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  serviceName: db
  replicas: 2
  template:
    spec:
      containers: [{name: a, image: b}]
  volumeClaimTemplates:
  - metadata: {name: pgdata}
`);
    expect(plan(sts)).toMatchObject({
      ref: { namespace: 'data' },
      replicas: 2,
      naming: 'ordinal',
      claimTemplates: ['pgdata'],
      serviceName: 'db',
    });
  });

  it('refuses what the API server refuses', () => {
    expect(specError(deployment('', '      restartPolicy: OnFailure\n'))).toBe(
      'deployment/web: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    );
    expect(
      specError(
        one(
          'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: b}]',
        ),
      ),
    ).toBe(
      'job/j: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    );
    expect(
      specError(one('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []')),
    ).toBe('pod/p: spec.containers: Required value');
    expect(
      specError(
        one('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a}]'),
      ),
    ).toBe('pod/p: spec.containers[0].image: Required value');
    expect(
      specError(
        one(
          'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: a, image: x}]\n  containers: [{name: a, image: b}]',
        ),
      ),
    ).toBe('pod/p: spec.containers[0].name: Duplicate value: "a"');
    expect(specError(deployment('  replicas: -1\n'))).toBe(
      'deployment/web: spec.replicas: Invalid value: -1: must be a non-negative integer',
    );
  });
});

describe('names', () => {
  const fixed = (n: number) => n - 1;
  it('names pods as the Kubernetes controllers do', () => {
    const hash = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    expect(podName('template-hash', 'web', { specHash: hash, ordinal: 0, random: fixed })).toBe(
      `web-${templateHashSuffix(hash)}-99999`,
    );
    expect(templateHashSuffix(hash)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(templateHashSuffix(hash)).toBe(templateHashSuffix(hash));
    expect(templateHashSuffix(hash)).not.toBe(templateHashSuffix('ff' + hash.slice(2)));
    expect(podName('random', 'job', { specHash: hash, ordinal: 0 })).toMatch(
      /^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
    expect(podName('ordinal', 'db', { specHash: hash, ordinal: 2 })).toBe('db-2');
    expect(podName('fixed', 'pod', { specHash: hash, ordinal: 0 })).toBe('pod');
    expect(randomSuffix(() => 0)).toBe('bbbbb');
  });

  it('names Docker objects readably and uniquely', () => {
    expect(containerName('proj-1', podKey('web-1', 'default'), 'main')).toBe('proj-1_web-1_main');
    expect(sandboxName('proj-1', podKey('web-1', 'prod'))).toBe('proj-1_web-1.prod_POD');
    expect(claimVolumeName('proj-1', 'default', 'data')).toBe('tilt-proj-1-data');
    expect(claimVolumeName('proj-1', 'prod', 'data')).toBe('tilt-proj-1-prod-data');
  });
});

describe('spec hashes', () => {
  it('is the same for equal values whatever the key order', () => {
    expect(stableJSON({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(specHash({ a: 1, b: 2 })).toBe(specHash({ b: 2, a: 1 }));
    expect(specHash({ a: 1 })).toMatch(/^[0-9a-f]{32}$/);
  });

  it('changes with the image and the data read, not with replicas', () => {
    const store = new ConfigStore();
    store.replaceResource(
      'c',
      parseYAMLStream('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: "1"}'),
    );
    const base = podSpecHash(plan(deployment()), store);
    expect(podSpecHash(plan(deployment('  replicas: 5\n')), store)).toBe(base);
    expect(podSpecHash(plan(deployment('', '', 'app:2')), store)).not.toBe(base);
    store.replaceResource(
      'c',
      parseYAMLStream('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {A: "2"}'),
    );
    expect(podSpecHash(plan(deployment()), store)).not.toBe(base);
  });
});

describe('labels', () => {
  it('round-trips what adoption needs', () => {
    const object = { kind: 'Deployment', namespace: 'default', name: 'web' };
    expect(parseObjectLabel(objectLabel(object))).toEqual(object);
    expect(parseObjectLabel('nonsense')).toBeUndefined();
    const labels = containerLabels(
      { project: 'p', resource: 'r', object, pod: 'web-1', specHash: 'h' },
      'app',
      { name: 'main', index: 1 },
    );
    expect(labels).toMatchObject({
      'dev.tilt.project': 'p',
      'dev.tilt.resource': 'r',
      'dev.tilt.object': 'Deployment/default/web',
      'dev.tilt.pod': 'web-1',
      'dev.tilt.spec-hash': 'h',
      'app.kubernetes.io/managed-by': 'tilt',
    });
    const record = {
      namespace: 'default',
      labels: { app: 'web' },
      spec: { containers: [] },
      createdAt: 5,
    };
    expect(readContainerLabels({ ...labels, [LABEL_POD_RECORD]: JSON.stringify(record) })).toEqual({
      resource: 'r',
      object,
      pod: 'web-1',
      specHash: 'h',
      role: 'app',
      container: 'main',
      index: 1,
      record,
    });
    expect(readContainerLabels({ 'dev.tilt.project': 'p' })).toBeUndefined();
  });
});
