// A Deployment on the Docker runtime: replicas, port-forward connections,
// re-apply with the same spec, a new image, scaling, and delete.

import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  allReady,
  BUSYBOX,
  busyboxDeployment,
  live,
  projectContainers,
  yaml,
  runtimeHarness,
} from './helpers.js';

const SERVE =
  'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 8000 -h /www';

/** Sends a GET through a connection and returns the response body. */
function httpGet(socket: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data.slice(data.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
    socket.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
  });
}

describe('Docker runtime: deployments', () => {
  const h = runtimeHarness();

  it('runs replicas that a port-forward connection reaches', async () => {
    const { runtime, events } = await h.start('deploy');
    const logs: string[] = [];
    await runtime.apply(
      'web',
      yaml(
        busyboxDeployment('web', {
          replicas: 2,
          command: SERVE,
          extra: '        ports:\n        - containerPort: 8000\n',
        }),
      ),
      { log: (l) => logs.push(l) },
    );
    const pods = await events.untilPods('web', allReady(2), 'two ready pods');
    for (const p of pods) {
      expect(p.name).toMatch(/^web-[b-z2-9]{10}-[b-z2-9]{5}$/);
      expect(p.owner).toBe('deployment/web');
      expect(p.phase).toBe('Running');
      expect(p.containers).toHaveLength(1);
      expect(p.containers[0]!.state.state).toBe('running');
    }
    expect(runtime.pods('web')).toHaveLength(2);
    expect(runtime.firstContainerPort('web')).toBe(8000);
    expect(logs.some((l) => l.startsWith('Starting pod web-'))).toBe(true);

    const body = await httpGet(await runtime.connect('web', 8000));
    expect(body).toMatch(/^hello from web-/);
    await expect(runtime.connect('web', 8001)).rejects.toThrow(
      /nothing is listening on port 8001 of pod web-.* \(connection refused\)/,
    );
    await expect(runtime.connect('nope', 8000)).rejects.toThrow(
      'no running pod for resource "nope"',
    );
  });

  it('keeps pods on an unchanged apply, replaces them on a new image, scales', async () => {
    const { runtime, events } = await h.start('reapply');
    const spec = (replicas: number, image = BUSYBOX) =>
      yaml(busyboxDeployment('app', { replicas, image, command: 'exec sleep 3600' }));

    await runtime.apply('app', spec(1));
    const [first] = await events.untilPods('app', allReady(1), 'one ready pod');
    const ids = first!.containers.map((c) => c.id);

    await runtime.apply('app', spec(1));
    const [same] = live(runtime.pods('app'));
    expect(same!.name).toBe(first!.name);
    expect(same!.containers.map((c) => c.id)).toEqual(ids);

    // Scaling keeps the pod that runs and adds one.
    await runtime.apply('app', spec(2));
    const two = await events.untilPods('app', allReady(2), 'two ready pods');
    expect(two.map((p) => p.name)).toContain(first!.name);

    // A new image (another tag of the same image) replaces both.
    const tagged = `${h.project}-img:v2`;
    await h.docker.getImage(BUSYBOX).tag({ repo: `${h.project}-img`, tag: 'v2' });
    try {
      await runtime.apply('app', spec(2, tagged));
      const replaced = await events.untilPods(
        'app',
        (pods) =>
          pods.length === 2 && allReady(2)(pods) && !pods.some((p) => p.name === first!.name),
        'two new pods, the old ones gone',
      );
      for (const p of replaced) expect(p.containers[0]!.image).toBe(tagged);
      // Names carry the template hash, which changed with the image.
      expect(replaced[0]!.name.split('-')[1]).not.toBe(first!.name.split('-')[1]);

      await runtime.apply('app', spec(1, tagged));
      await events.untilPods('app', (pods) => pods.length === 1 && allReady(1)(pods), 'one pod');
    } finally {
      await runtime.delete('app', spec(1, tagged));
      await h.docker
        .getImage(tagged)
        .remove()
        .catch(() => undefined);
    }
  });

  it('delete leaves no container, volume or network behind', async () => {
    const { runtime, events } = await h.start('delete');
    const entities = yaml(`
${busyboxDeployment('db', {
  command: 'echo data > /data/x && exec sleep 3600',
  extra:
    '        volumeMounts:\n        - name: data\n          mountPath: /data\n        - name: scratch\n          mountPath: /scratch\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: db-data\n      - name: scratch\n        emptyDir: {}\n',
})}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: db-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`);
    await runtime.apply('db', entities);
    await events.untilPods('db', allReady(1), 'a ready pod');
    expect((await projectContainers(h.docker, h.project)).length).toBe(2);

    // Without --delete-volumes, the claim's volume stays.
    const deleted: string[] = [];
    await runtime.delete('db', entities, { log: (l) => deleted.push(l) });
    expect(await projectContainers(h.docker, h.project)).toEqual([]);
    expect(deleted.some((l) => l.startsWith('Deleting deployment/db'))).toBe(true);
    const volumes = await h.docker.listVolumes({
      filters: { label: [`dev.tilt.project=${h.project}`] },
    });
    expect((volumes.Volumes ?? []).map((v) => v.Name)).toEqual([`tilt-${h.project}-db-data`]);
    await expect(h.docker.getNetwork(`tilt-${h.project}`).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
    await events.untilPods('db', (pods) => pods.length === 0, 'no pods');

    // With it, the volume goes too.
    await runtime.apply('db', entities);
    await events.untilPods('db', allReady(1), 'a ready pod again');
    await runtime.delete('db', entities, { deleteVolumes: true, log: (l) => deleted.push(l) });
    const after = await h.docker.listVolumes({
      filters: { label: [`dev.tilt.project=${h.project}`] },
    });
    expect(after.Volumes ?? []).toEqual([]);
    expect(deleted).toContain(`Deleted volume tilt-${h.project}-db-data`);
  });
});
