import { describe, expect, it } from 'vitest';
import { injectImages } from '../../src/engine/k8s-update.js';
import { k8sRuntime } from '../../src/engine/status.js';
import { EngineStore } from '../../src/engine/store.js';
import { deploymentYAML, loadProject, removeProjects } from '../tiltfile/helpers.js';
import { afterEach } from 'vitest';
import { pod } from './recording-runtime.js';

afterEach(removeProjects);

function k8sManifest(yaml: string, tiltfile = "k8s_yaml('app.yml')\n") {
  const p = loadProject({ Tiltfile: tiltfile, 'app.yml': yaml, Dockerfile: 'FROM scratch\n' });
  expect(p.error).toBeNull();
  return p.manifests[0];
}

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox
`;

describe('runtime status of k8s resources', () => {
  const m = () => k8sManifest(deploymentYAML('app', 'busybox'));

  it('is pending until the newest pod runs and is ready', () => {
    expect(k8sRuntime(m(), [])).toMatchObject({ status: 'pending', ready: false });
    const old = { ...pod('app-old', 'i', 'Running', true), createdAt: 1 };
    const fresh = { ...pod('app-new', 'i', 'Pending', false), createdAt: 2 };
    expect(k8sRuntime(m(), [old, fresh])).toMatchObject({
      status: 'pending',
      podName: 'app-new',
      detail: 'ContainerCreating',
    });
    expect(k8sRuntime(m(), [old])).toMatchObject({ status: 'ok', ready: true });
  });

  it('is an error for a crash loop or a failed pod', () => {
    const crash = pod('app-1', 'i', 'Running', false, {
      state: 'waiting',
      reason: 'CrashLoopBackOff',
    });
    expect(k8sRuntime(m(), [crash])).toMatchObject({ status: 'error', detail: 'CrashLoopBackOff' });
    const failed = pod('app-2', 'i', 'Failed', false, {
      state: 'terminated',
      exitCode: 3,
      reason: 'Error',
      finishedAt: 0,
    });
    expect(k8sRuntime(m(), [failed])).toMatchObject({ status: 'error', detail: 'Error' });
  });

  it('waits for a Job to complete, not just to run', () => {
    const job = k8sManifest(JOB);
    const running = { ...pod('migrate-x', 'i', 'Running', true), owner: 'job/migrate' };
    expect(k8sRuntime(job, [running])).toMatchObject({ status: 'pending', ready: false });
    const done = { ...running, phase: 'Succeeded' as const, ready: false };
    expect(k8sRuntime(job, [done])).toMatchObject({ status: 'ok', ready: true });
  });

  it('is ready at once for objects that make no pods', () => {
    const cm = k8sManifest(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata: {a: b}\n',
      "k8s_yaml('app.yml')\nk8s_resource(objects=['cfg'], new_name='config')\n",
    );
    expect(k8sRuntime(cm, [])).toMatchObject({ status: 'ok', ready: true });
  });
});

describe('image injection', () => {
  it('puts the built ref and the entrypoint override into the container, leaving the original alone', () => {
    const p = loadProject({
      Tiltfile: "docker_build('app', '.', entrypoint=['/bin/app', '--dev'])\nk8s_yaml('app.yml')\n",
      'app.yml': deploymentYAML('app', 'app'),
      Dockerfile: 'FROM scratch\n',
    });
    const m = p.manifests[0];
    const built = {
      ref: 'app',
      imageId: 'sha256:1',
      tag: 'tilt-1',
      localRef: 'app:tilt-1',
      deployRef: 'app:tilt-1',
      pushed: false,
    };
    const [deploy] = injectImages(m, new Map([['app', built]]));
    const container = (deploy.podTemplate()!.spec!.containers as Record<string, unknown>[])[0];
    expect(container).toMatchObject({ image: 'app:tilt-1', command: ['/bin/app', '--dev'] });
    expect(m.k8s!.entities[0].podTemplate()!.spec!.containers).toMatchObject([{ image: 'app' }]);
  });
});

describe('Tiltfile reloads in the store', () => {
  it('keep the state of unchanged resources and mark changed ones', () => {
    const a = k8sManifest(deploymentYAML('app', 'busybox'));
    const store = new EngineStore('/p/Tiltfile');
    store.setManifests([a]);
    store.get('app')!.status = 'succeeded';
    expect(store.setManifests([a])).toEqual({ added: [], removed: [], changed: [] });
    expect(store.get('app')!.configChanged).toBe(false);
    const b = k8sManifest(deploymentYAML('app', 'busybox:2'));
    expect(store.setManifests([b]).changed).toEqual(['app']);
    expect(store.get('app')).toMatchObject({ status: 'succeeded', configChanged: true });
    expect(store.setManifests([]).removed.map((m) => m.name)).toEqual(['app']);
  });
});
