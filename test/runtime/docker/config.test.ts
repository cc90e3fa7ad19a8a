// Pods that read ConfigMaps and Secrets (env, envFrom, valueFrom, volumes),
// reach each other by Service name, and run init containers first.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allReady,
  BUSYBOX,
  busyboxDeployment,
  live,
  stateDirOf,
  yaml,
  runtimeHarness,
} from './helpers.js';

describe('Docker runtime: configuration and services', () => {
  const h = runtimeHarness();

  it('passes ConfigMap and Secret data as env and files', async () => {
    const { runtime, events } = await h.start('config');

    // The Secret comes from another resource, applied first.
    await runtime.apply(
      'secrets',
      yaml(`
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  password: ${Buffer.from('s3cret').toString('base64')}
stringData:
  user: admin
`),
    );
    await runtime.apply(
      'app',
      yaml(`
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  GREETING: hello
  MODE: dev
  app.conf: |
    port=8000
---
apiVersion: v1
kind: Pod
metadata:
  name: app
  labels: {app: app}
spec:
  terminationGracePeriodSeconds: 0
  restartPolicy: Never
  containers:
  - name: main
    image: ${BUSYBOX}
    command: ["sh", "-c"]
    args:
    - echo "greeting=$GREETING mode=$CFG_MODE user=$USER password=$PASSWORD pod=$POD ns=$NS msg=$MSG";
      cat /etc/app/settings.conf; echo '$(X) $$(Y)'
    envFrom:
    - configMapRef: {name: settings}
      prefix: CFG_
    env:
    - name: GREETING
      valueFrom: {configMapKeyRef: {name: settings, key: GREETING}}
    - name: USER
      valueFrom: {secretKeyRef: {name: creds, key: user}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: creds, key: password}}
    - name: POD
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: NS
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - name: MSG
      value: "$(GREETING) world"
    - name: X
      value: expanded
    volumeMounts:
    - name: conf
      mountPath: /etc/app
  volumes:
  - name: conf
    configMap:
      name: settings
      items:
      - key: app.conf
        path: settings.conf
`),
    );
    const [pod] = await events.untilPods(
      'app',
      (pods) => pods[0]?.phase === 'Succeeded',
      'the pod to succeed',
    );
    expect(pod!.name).toBe('app');
    expect(pod!.ready).toBe(false);
    expect(pod!.containers[0]!.state).toMatchObject({
      state: 'terminated',
      exitCode: 0,
      reason: 'Completed',
    });
    await events.until(() => events.text('app').includes('port=8000'), 'the file in the log');
    const out = events.text('app', 'pod:app:main');
    expect(out).toContain(
      'greeting=hello mode=dev user=admin password=s3cret pod=app ns=default msg=hello world\n',
    );
    expect(out).toContain('port=8000\n');
    expect(out).toContain('expanded $(Y)\n');
    // The Secret's data rests in files only the user can read.
    expect(fs.statSync(stateDirOf(h.project)).mode & 0o777).toBe(0o700);
    const objects = path.join(stateDirOf(h.project), 'objects.json');
    expect(fs.statSync(objects).mode & 0o777).toBe(0o600);
  });

  it('shows a missing ConfigMap key as CreateContainerConfigError until it exists', async () => {
    const { runtime, events } = await h.start('missing');
    const app = yaml(
      busyboxDeployment('app', {
        command: 'echo "value=$VALUE"; exec sleep 3600',
        extra:
          '        env:\n        - name: VALUE\n          valueFrom: {configMapKeyRef: {name: later, key: value}}\n',
      }),
    );
    await runtime.apply('app', app);
    const [waiting] = await events.untilPods('app', (p) => p.length === 1, 'a pod');
    expect(waiting!.phase).toBe('Pending');
    expect(waiting!.containers[0]!.state).toEqual({
      state: 'waiting',
      reason: 'CreateContainerConfigError',
      message: 'configmap "later" not found',
    });

    // Another resource makes the ConfigMap: the waiting pod is made.
    await runtime.apply(
      'config',
      yaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\ndata: {value: "42"}\n'),
    );
    await events.untilPods('app', allReady(1), 'the pod running');
    await events.until(() => events.text('app').includes('value=42'), 'the value in the log');
  });

  it('runs init containers first, in order', async () => {
    const { runtime, events } = await h.start('init');
    await runtime.apply(
      'app',
      yaml(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      terminationGracePeriodSeconds: 0
      initContainers:
      - name: first
        image: ${BUSYBOX}
        command: ["sh", "-c", "echo one > /work/steps"]
        volumeMounts: [{name: work, mountPath: /work}]
      - name: second
        image: ${BUSYBOX}
        command: ["sh", "-c", "echo two >> /work/steps"]
        volumeMounts: [{name: work, mountPath: /work}]
      containers:
      - name: main
        image: ${BUSYBOX}
        command: ["sh", "-c", "echo three >> /work/steps; cat /work/steps; exec sleep 3600"]
        volumeMounts: [{name: work, mountPath: /work}]
      volumes:
      - name: work
        emptyDir: {}
`),
    );
    const [pod] = await events.untilPods('app', allReady(1), 'the pod ready');
    expect(pod!.containers.map((c) => [c.name, c.init, c.state.state])).toEqual([
      ['first', true, 'terminated'],
      ['second', true, 'terminated'],
      ['main', false, 'running'],
    ]);
    await events.until(() => events.text('app').includes('three'), 'the steps in the log');
    // More than one container: lines carry the container's name.
    expect(events.text('app', `pod:${pod!.name}:main`)).toBe(
      '[main] one\n[main] two\n[main] three\n',
    );
  });

  it('makes Services DNS names on the h.project network', async () => {
    const { runtime, events } = await h.start('dns');
    await runtime.apply(
      'api',
      yaml(`
${busyboxDeployment('api', {
  replicas: 2,
  command: 'mkdir -p /www && echo pong > /www/ping && exec httpd -f -p 8000 -h /www',
})}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 8000}]
`),
    );
    await events.untilPods('api', allReady(2), 'the api ready');

    const client = yaml(
      busyboxDeployment('client', {
        command:
          'for n in api api.default.svc.cluster.local; do wget -qO- http://$n:8000/ping; done; exec sleep 3600',
      }),
    );
    await runtime.apply('client', client);
    await events.untilPods('client', allReady(1), 'the client ready');
    await events.until(
      () => (events.text('client').match(/pong/g) ?? []).length === 2,
      'two answers from the api',
    );
    expect(live(runtime.pods('client'))).toHaveLength(1);
  });
});
