// A later run of tilt adopts what an earlier one left running; delete keeps
// objects annotated `tilt.dev/down-policy: keep`; pods that disappear are replaced.

import { describe, expect, it } from 'vitest';
import {
  allReady,
  BUSYBOX,
  busyboxDeployment,
  live,
  projectContainers,
  uniqueProject,
  yaml,
  runtimeHarness,
} from './helpers.js';

describe('Docker runtime: adoption and deletion', () => {
  const h = runtimeHarness();
  const open = () => h.start('adopt');

  it('adopts running pods: same pods reported, an unchanged apply recreates nothing', async () => {
    h.project = uniqueProject('adopt');
    const entities = () =>
      yaml(`
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {WORD: kept}
---
${busyboxDeployment('app', {
  replicas: 2,
  command: 'echo "word=$WORD"; exec sleep 3600',
  extra: '        envFrom: [{configMapRef: {name: cfg}}]\n',
})}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: main
        image: ${BUSYBOX}
        command: ["sh", "-c", "exec sleep 3600"]
`);
    const first = await open();
    await first.runtime.apply('app', entities());
    const before = await first.events.untilPods('app', allReady(3), 'three ready pods');
    await first.runtime.close();

    const second = await open();
    const adopted = await second.events.untilPods('app', (p) => p.length === 3, 'adopted pods');
    const summary = (pods: typeof before) =>
      pods
        .map((p) => `${p.name} ${p.containers.map((c) => c.id).join(',')}`)
        .sort()
        .join('\n');
    expect(summary(adopted)).toBe(summary(before));
    expect(adopted.map((p) => p.name).sort()).toContain('db-0');
    await second.events.untilPods('app', allReady(3), 'adopted pods ready');

    const logs: string[] = [];
    await second.runtime.apply('app', entities(), { log: (l) => logs.push(l) });
    expect(summary(live(second.runtime.pods('app')))).toBe(summary(before));
    expect(logs.filter((l) => l.startsWith('Starting pod'))).toEqual([]);
    // Output from before the adoption is not shown again.
    expect(second.events.text('app')).not.toContain('word=kept');
  });

  it('reattaches to a finished Job instead of running it again', async () => {
    h.project = uniqueProject('rejob');
    const entities = () =>
      yaml(`
apiVersion: batch/v1
kind: Job
metadata: {name: seed}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: ${BUSYBOX}
        command: ["sh", "-c", "echo seeded"]
`);
    const first = await open();
    await first.runtime.apply('seed', entities());
    const [done] = await first.events.untilPods(
      'seed',
      (p) => p[0]?.phase === 'Succeeded',
      'the job done',
    );
    await first.runtime.close();

    const second = await open();
    await second.events.untilPods('seed', (p) => p[0]?.phase === 'Succeeded', 'the job adopted');
    const logs: string[] = [];
    await second.runtime.apply('seed', entities(), { log: (l) => logs.push(l) });
    expect(second.runtime.pods('seed').map((p) => [p.name, p.phase])).toEqual([
      [done!.name, 'Succeeded'],
    ]);
    expect(logs).toEqual(['job/seed is unchanged']);
  });

  it('replaces a pod whose container was removed behind its back', async () => {
    h.project = uniqueProject('replace');
    const { runtime, events } = await open();
    await runtime.apply('app', yaml(busyboxDeployment('app', { command: 'exec sleep 3600' })));
    const [pod] = await events.untilPods('app', allReady(1), 'a ready pod');
    await h.docker.getContainer(pod!.containers[0]!.id).remove({ force: true });
    const [next] = await events.untilPods(
      'app',
      (pods) => allReady(1)(pods) && pods.length === 1 && pods[0]!.name !== pod!.name,
      'a new pod',
    );
    expect(next!.owner).toBe('deployment/app');
  });

  it('keeps objects annotated tilt.dev/down-policy: keep', async () => {
    h.project = uniqueProject('keep');
    const { runtime, events } = await open();
    const keep = busyboxDeployment('db', { command: 'exec sleep 3600' }).replace(
      'metadata:\n  name: db',
      'metadata:\n  name: db\n  annotations:\n    tilt.dev/down-policy: keep',
    );
    const entities = yaml(
      `${keep}\n---\n${busyboxDeployment('web', { command: 'exec sleep 3600' })}`,
    );
    await runtime.apply('stack', entities);
    const pods = await events.untilPods('stack', allReady(2), 'two ready pods');
    const dbPod = pods.find((p) => p.owner === 'deployment/db')!;

    const logs: string[] = [];
    await runtime.delete('stack', entities, { log: (l) => logs.push(l) });
    const left = await projectContainers(h.docker, h.project);
    expect(left.map((c) => c.Labels['dev.tilt.pod']).sort()).toEqual([dbPod.name, dbPod.name]);
    expect(logs).toContain('Keeping Deployment/default/db (tilt.dev/down-policy: keep)');
    // The network stays while the kept pod uses it.
    await h.docker.getNetwork(`tilt-${h.project}`).inspect();
  });

  it('gives pods the DNS names of Services applied after them', async () => {
    h.project = uniqueProject('late');
    const { runtime, events } = await open();
    await runtime.apply(
      'api',
      yaml(
        busyboxDeployment('api', {
          command: 'mkdir -p /www && echo pong > /www/ping && exec httpd -f -p 8000 -h /www',
        }),
      ),
    );
    await events.untilPods('api', allReady(1), 'the api ready');
    await runtime.apply(
      'api-svc',
      yaml(
        'apiVersion: v1\nkind: Service\nmetadata: {name: backend}\nspec:\n  selector: {app: api}\n  ports: [{port: 8000}]\n',
      ),
    );
    await runtime.apply(
      'client',
      yaml(
        busyboxDeployment('client', {
          command: 'until wget -qO- http://backend:8000/ping; do sleep 0.2; done; exec sleep 3600',
        }),
      ),
    );
    await events.until(() => events.text('client').includes('pong'), 'an answer from backend');
    // The api's pod kept running: its DNS names changed in place.
    expect(live(runtime.pods('api'))).toHaveLength(1);
    const body = await new Promise<string>((resolve, reject) => {
      void runtime.connect('api', 8000).then((s) => {
        let data = '';
        s.on('data', (d: Buffer) => (data += d.toString()));
        s.on('end', () => resolve(data));
        s.on('error', reject);
        s.write('GET /ping HTTP/1.0\r\n\r\n');
      }, reject);
    });
    expect(body).toContain('pong');
  });
});
