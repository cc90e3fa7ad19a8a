// Containers that crash, Jobs that succeed or fail, readiness probes, and
// specs the runtime refuses.

import { describe, expect, it } from 'vitest';
import { ApplyError, type PodStatus } from '../../../src/runtime/workload.js';
import { allReady, BUSYBOX, busyboxDeployment, yaml, runtimeHarness } from './helpers.js';

function job(name: string, command: string, extra = ''): string {
  return `
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${extra}  template:
    spec:
      terminationGracePeriodSeconds: 0
      restartPolicy: Never
      containers:
      - name: main
        image: ${BUSYBOX}
        command: ["sh", "-c", ${JSON.stringify(command)}]
`;
}

describe('Docker runtime: lifecycle', () => {
  const h = runtimeHarness();
  const setUp = async (prefix: string) => (await h.start(prefix)).events;

  it('backs off restarting a crashing container and counts its restarts', async () => {
    const events = await setUp('crash');
    await h.runtime.apply(
      'crash',
      yaml(busyboxDeployment('crash', { command: 'echo "run $(date +%s%N)"; exit 3' })),
    );
    const seen = new Set<string>();
    const [pod] = await events.untilPods(
      'crash',
      (pods) => {
        const c = pods[0]?.containers[0];
        if (c?.state.state === 'waiting') seen.add(c.state.reason);
        return (c?.restarts ?? 0) >= 2 && c?.state.state === 'waiting';
      },
      'two restarts',
    );
    expect(seen).toContain('CrashLoopBackOff');
    const c = pod!.containers[0]!;
    expect(c.state).toMatchObject({ state: 'waiting', reason: 'CrashLoopBackOff' });
    expect(pod!.phase).toBe('Running');
    expect(pod!.ready).toBe(false);
    await events.until(
      () => (events.text('crash', `pod:${pod!.name}:main`).match(/^run /gm) ?? []).length >= 3,
      'the output of three runs',
    );
    // Each run's output once: restarts do not repeat earlier runs' lines.
    const runs = events.text('crash', `pod:${pod!.name}:main`).match(/^run \d+$/gm) ?? [];
    expect(new Set(runs).size).toBe(runs.length);
    expect(events.text('crash', `pod:${pod!.name}`)).toContain(
      `[event: Back-off restarting failed container main in pod ${pod!.name}]`,
    );
  });

  it('runs a Job to completion', async () => {
    const events = await setUp('job');
    await h.runtime.apply('migrate', yaml(job('migrate', 'echo migrated')));
    const [pod] = await events.untilPods(
      'migrate',
      (pods) => pods[0]?.phase === 'Succeeded',
      'the job pod to succeed',
    );
    expect(pod!.name).toMatch(/^migrate-[b-z2-9]{5}$/);
    expect(pod!.owner).toBe('job/migrate');
    // Its output is passed on before it shows as terminated.
    expect(events.text('migrate')).toContain('migrated\n');
    await events.until(
      () => events.text('migrate', 'job:').includes('[event: job/migrate: Job completed]'),
      'the completion event',
    );
    // An unchanged Job is not run again.
    await h.runtime.apply('migrate', yaml(job('migrate', 'echo migrated')));
    expect(h.runtime.pods('migrate').map((p) => p.name)).toEqual([pod!.name]);
  });

  it('fails a Job once its pods used up the backoffLimit', async () => {
    const events = await setUp('jobfail');
    await h.runtime.apply('bad', yaml(job('bad', 'echo failing; exit 1', '  backoffLimit: 1\n')));
    await events.until(
      () => events.text('bad', 'job:').includes('Job has reached the specified backoff limit'),
      'the job to fail',
    );
    const pods = h.runtime.pods('bad');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.phase).toBe('Failed');
      expect(p.containers[0]!.state).toMatchObject({
        state: 'terminated',
        exitCode: 1,
        reason: 'Error',
      });
    }
  });

  it('is ready only once the readiness probe passes', async () => {
    const events = await setUp('probe');
    await h.runtime.apply(
      'web',
      yaml(
        busyboxDeployment('web', {
          command: 'sleep 1; touch /tmp/ready; exec sleep 3600',
          extra: `        readinessProbe:
          exec: {command: ["cat", "/tmp/ready"]}
          periodSeconds: 1
`,
        }),
      ),
    );
    const history: PodStatus[] = [];
    await events.untilPods(
      'web',
      (pods) => {
        if (pods[0]) history.push(pods[0]);
        return allReady(1)(pods);
      },
      'the pod ready',
    );
    // It ran before it was ready.
    expect(
      history.some(
        (p) => p.phase === 'Running' && !p.ready && p.containers[0]!.state.state === 'running',
      ),
    ).toBe(true);
    expect(events.text('web')).toContain('[event: Readiness probe failed: ');
  });

  it('probes httpGet on the pod address, by port name', async () => {
    const events = await setUp('http');
    await h.runtime.apply(
      'web',
      yaml(
        busyboxDeployment('web', {
          command:
            'mkdir -p /www && sleep 1 && echo ok > /www/healthz && exec httpd -f -p 8080 -h /www',
          extra: `        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 1
`,
        }),
      ),
    );
    await events.untilPods('web', allReady(1), 'the pod ready');
    expect(events.text('web')).toMatch(/Readiness probe failed: /);
  });

  it('restarts an OnFailure Job in place until its backoffLimit', async () => {
    const events = await setUp('onfail');
    const spec = job('flaky', 'echo attempt; exit 2', '  backoffLimit: 2\n').replace(
      'restartPolicy: Never',
      'restartPolicy: OnFailure',
    );
    await h.runtime.apply('flaky', yaml(spec));
    await events.until(
      () => events.text('flaky', 'job:').includes('Job has reached the specified backoff limit'),
      'the job to fail',
    );
    const [pod] = await events.untilPods(
      'flaky',
      (p) => p[0]?.phase === 'Failed',
      'the pod failed',
    );
    expect(h.runtime.pods('flaky')).toHaveLength(1);
    expect(pod!.containers[0]).toMatchObject({
      restarts: 2,
      state: { state: 'terminated', exitCode: 2, reason: 'Error' },
    });
  });

  it('refuses specs the API server would refuse, and reports missing images', async () => {
    const events = await setUp('refuse');
    const never = yaml(
      busyboxDeployment('app', { command: 'true' }).replace(
        'terminationGracePeriodSeconds: 0',
        'restartPolicy: Never',
      ),
    );
    await expect(h.runtime.apply('app', never)).rejects.toThrow(
      'deployment/app: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    );

    const missing = yaml(
      busyboxDeployment('gone', { command: 'true', image: `${h.project}-missing:v1` }).replace(
        `command: ["sh"`,
        `imagePullPolicy: Never\n        command: ["sh"`,
      ),
    );
    const err = await h.runtime.apply('gone', missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).message).toContain(
      `deployment/gone: container "main": Container image "${h.project}-missing:v1" is not present with pull policy of Never`,
    );
    const [pod] = await events.untilPods('gone', (p) => p.length === 1, 'a pod');
    expect(pod!.containers[0]!.state).toMatchObject({
      state: 'waiting',
      reason: 'ErrImageNeverPull',
    });

    // Other resources are not affected.
    await h.runtime.apply('fine', yaml(busyboxDeployment('fine', { command: 'exec sleep 3600' })));
    await events.untilPods('fine', allReady(1), 'the other resource running');
  });

  it('notes CronJobs and ignores kinds it does not run', async () => {
    const events = await setUp('cron');
    const logs: string[] = [];
    await h.runtime.apply(
      'misc',
      yaml(`
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: main, image: ${BUSYBOX}}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
`),
      { log: (l) => logs.push(l) },
    );
    expect(events.text('misc')).toContain(
      '[event: cronjob/nightly is not scheduled by the Docker runtime]\n',
    );
    expect(logs.join('\n')).toContain('Ignoring Widget w');
    expect(h.runtime.pods('misc')).toEqual([]);
  });
});
