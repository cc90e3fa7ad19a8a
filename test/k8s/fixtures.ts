import { parseYAMLStream, type K8sEntity } from '../../src/k8s/entity.js';

export function parseOne(yaml: string): K8sEntity {
  const entities = parseYAMLStream(yaml);
  if (entities.length !== 1) throw new Error(`expected one object, got ${entities.length}`);
  return entities[0];
}

export const deploymentYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sancho
  namespace: prod
  labels:
    app: sancho
spec:
  selector:
    matchLabels:
      app: sancho
  template:
    metadata:
      labels:
        app: sancho
        tier: web
    spec:
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: sancho
        image: gcr.io/some-project-162817/sancho
        env:
        - name: SIDECAR
          value: gcr.io/some-project-162817/sidecar
        - name: FROM_SECRET
          valueFrom:
            secretKeyRef: {name: s, key: k}
      - name: sidecar
        image: gcr.io/some-project-162817/sancho-sidecar:v2
        imagePullPolicy: Always
`;

export function service(
  name: string,
  selector: Record<string, string> | undefined,
  namespace?: string,
  apiVersion = 'v1',
): K8sEntity {
  const meta: Record<string, string> = { name };
  if (namespace) meta.namespace = namespace;
  return parseOne(
    JSON.stringify({
      apiVersion,
      kind: 'Service',
      metadata: meta,
      spec: selector ? { selector, ports: [{ port: 80 }] } : { ports: [{ port: 80 }] },
    }),
  );
}

export function workload(
  kind: string,
  name: string,
  labels: Record<string, string>,
  opts: { namespace?: string; apiVersion?: string } = {},
): K8sEntity {
  const apiVersion =
    opts.apiVersion ?? (kind === 'Pod' ? 'v1' : kind.endsWith('Job') ? 'batch/v1' : 'apps/v1');
  const meta: Record<string, unknown> = { name };
  if (opts.namespace) meta.namespace = opts.namespace;
  const podSpec = { containers: [{ name: 'c', image: `${name}-image` }] };
  const template = { metadata: { labels }, spec: podSpec };
  let obj: Record<string, unknown>;
  if (kind === 'Pod') obj = { metadata: { ...meta, labels }, spec: podSpec };
  else if (kind === 'CronJob') {
    obj = { metadata: meta, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } };
  } else obj = { metadata: meta, spec: { template } };
  return parseOne(JSON.stringify({ apiVersion, kind, ...obj }));
}
