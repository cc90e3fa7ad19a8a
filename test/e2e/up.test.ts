// tilt ci / up / down end to end on the real Docker engine: the seed example
// and the scenarios a user meets on the first day.

import { afterEach, describe, expect, it } from 'vitest';
import {
  ci,
  cleanUp,
  down,
  edit,
  freePort,
  project,
  projectContainers,
  SEED_EXAMPLE,
  untilServed,
  up,
} from './helpers.js';

afterEach(cleanUp, 120_000);

/** The seed example in a temporary directory, forwarding a free port. */
async function seed(): Promise<{ dir: string; port: number }> {
  const port = await freePort();
  const dir = project({}, SEED_EXAMPLE);
  edit(dir, 'Tiltfile', (t) => t.replace('port_forwards=3000', `port_forwards='${port}:3000'`));
  return { dir, port };
}

const busyboxDeployment = (name: string, command: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: main
          image: tilt-example-busybox:latest
          command: ["sh", "-c", ${JSON.stringify(command)}]
${extra}`;

describe('tilt ci', () => {
  it('runs the seed example until every workload is healthy', async () => {
    const { dir } = await seed();
    const r = await ci(dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SUCCESS. All workloads are healthy.');
    expect(r.out).toMatch(/example-app │ STEP 1\/5 — Building Dockerfile: \[example-base-image\]/);
    expect(r.out).toMatch(/FROM example-base-image:tilt-[0-9a-f]{16}/);
    expect(r.out).toContain('Runtime: docker (');
  }, 180_000);

  it('runs a Job to completion, and fails on a Job that fails', async () => {
    const job = (name: string, cmd: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: main
          image: tilt-example-busybox:latest
          command: ["sh", "-c", ${JSON.stringify(cmd)}]
`;
    const ok = project({
      Tiltfile: "k8s_yaml('job.yml')\n",
      'job.yml': job('migrate', 'echo migrated'),
    });
    const good = await ci(ok);
    expect(good.code).toBe(0);
    expect(good.out).toContain('migrate │ migrated');

    const bad = project({
      Tiltfile: "k8s_yaml('job.yml')\n",
      'job.yml': job('broken', 'echo oops; exit 3'),
    });
    const failed = await ci(bad);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(
      /^Error: Pod "broken-[a-z0-9]+" (failed|in error state due to container "main")/m,
    );
    expect(failed.out).toContain('broken │ oops');
  }, 180_000);

  it('fails on a crash loop, naming the pod and container, with the logs kept', async () => {
    const dir = project({
      Tiltfile: "k8s_yaml('crash.yml')\n",
      // Ready only after a second: it crashes before that, every time.
      'crash.yml': busyboxDeployment(
        'crash',
        'echo starting up; exit 1',
        '          readinessProbe: {exec: {command: ["true"]}, initialDelaySeconds: 1}\n',
      ),
    });
    const r = await ci(dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /Error: Pod "crash-[a-z0-9-]+" in error state due to container "main": (CrashLoopBackOff|Error)/,
    );
    expect(r.out).toContain('crash │ starting up');
  }, 180_000);
});

describe('tilt up', () => {
  it('rebuilds only what an edit touches and serves the new content through the port-forward', async () => {
    const { dir, port } = await seed();
    const t = await up(dir);
    const url = `http://127.0.0.1:${port}/`;
    await untilServed(url, (b) => b.includes('Hello from tilt-ts'), 'the app serves');
    const builds = (image: string) =>
      t.output().split(`— Building Dockerfile: [${image}]`).length - 1;
    const baseBuilds = () => builds('example-base-image');
    const appBuilds = () => builds('example-app');
    expect([baseBuilds(), appBuilds()]).toEqual([1, 1]);
    const before = (await projectContainers(dir)).filter((c) => c.state === 'running').length;

    edit(dir, 'public/index.html', (h) => h.replace('Hello from tilt-ts', 'Hello again'));
    await untilServed(url, (b) => b.includes('Hello again'), 'the edit is served');
    expect(t.output()).toContain('example-app │ 1 File Changed: [public/index.html]');
    expect([baseBuilds(), appBuilds()]).toEqual([1, 2]);

    edit(dir, 'package.json', (p) => p.replace('1.0.0', '1.0.1'));
    await t.until(
      (v) =>
        v.resources.some((r) => r.name === 'example-app' && r.updateStatus === 'ok') &&
        appBuilds() === 3,
      'the base edit rebuilds both',
    );
    expect(baseBuilds()).toBe(2);
    await untilServed(url, (b) => b.includes('Hello again'), 'served after the base edit');
    // The old pods were replaced, not added to: once the rollout is over, as many run as before.
    const running = async () =>
      (await projectContainers(dir)).filter((c) => c.state === 'running').length;
    const deadline = Date.now() + 60_000;
    while ((await running()) !== before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(await running()).toBe(before);
  }, 240_000);

  it('keeps serving through a Tiltfile error, shows it, and recovers when it is fixed', async () => {
    const { dir, port } = await seed();
    const t = await up(dir);
    const url = `http://127.0.0.1:${port}/`;
    await untilServed(url, (b) => b.includes('Hello'), 'the app serves');
    edit(dir, 'Tiltfile', (s) => s + '\nk8s_resource(\n');
    const broken = await t.until((v) => v.tiltfileError !== null, 'the error is shown');
    expect(broken.tiltfileError).toMatch(/Tiltfile:\d+:\d+: /);
    expect(t.output()).toMatch(/Tiltfile:\d+:\d+: got end of file/);
    expect(await untilServed(url, () => true, 'still served')).toContain('Hello');
    edit(dir, 'Tiltfile', (s) => s.replace('\nk8s_resource(\n', '\n'));
    await t.until((v) => v.tiltfileError === null, 'recovered');
    expect(await untilServed(url, () => true, 'served after the fix')).toContain('Hello');
    expect(await t.stop()).toBe(0);
  }, 240_000);

  it('lets two services talk by Service name', async () => {
    const dir = project({
      Tiltfile: "k8s_yaml(['server.yml', 'client.yml'])\n",
      'server.yml':
        busyboxDeployment(
          'server',
          'mkdir -p /www && echo pong > /www/ping && httpd -f -p 8000 -h /www',
        ) +
        `---
apiVersion: v1
kind: Service
metadata:
  name: pinger
spec:
  selector: {app: server}
  ports:
    - port: 8000
`,
      'client.yml': busyboxDeployment(
        'client',
        'until wget -qO- http://pinger:8000/ping; do sleep 0.5; done; sleep 3600',
      ),
    });
    const t = await up(dir);
    await t.until(() => /client │ pong/.test(t.output()), 'the client reached the server by name');
  }, 180_000);

  it('reports a crashing container as an error, restarts it with backoff and keeps its logs', async () => {
    const dir = project({
      Tiltfile: "k8s_yaml('crash.yml')\n",
      'crash.yml': busyboxDeployment('crash', 'echo attempt at $(date +%s%N); exit 2'),
    });
    const t = await up(dir);
    const v = await t.until(
      (view) => view.resources.some((r) => r.name === 'crash' && r.runtimeStatus === 'error'),
      'the crash shows',
    );
    expect(v.resources.find((r) => r.name === 'crash')!.detail).toMatch(
      /CrashLoopBackOff|Error|exit/,
    );
    await t.until(
      () => (t.output().match(/crash │ attempt at/g) ?? []).length >= 2,
      'a restart happened',
    );
    expect(t.output()).toMatch(/Back-off restarting failed container|CrashLoopBackOff/);
  }, 180_000);

  it('gates a dependent on a serve_cmd readiness probe', async () => {
    const port = await freePort();
    const dir = project({
      Tiltfile: `local_resource('api', serve_cmd='sleep 1; busybox httpd -f -p ${port} -h .',
    readiness_probe=probe(period_secs=1, http_get=http_get_action(port=${port})))
local_resource('seed-data', cmd='echo seeding', resource_deps=['api'])
`,
      'index.html': 'up\n',
    });
    const t = await up(dir);
    await t.until(
      (v) => v.resources.some((r) => r.name === 'seed-data' && r.updateStatus === 'ok'),
      'the dependent ran',
    );
    const out = t.output();
    expect(out.indexOf('seed-data │ seeding')).toBeGreaterThan(
      out.indexOf('api │ Running serve cmd'),
    );
  }, 120_000);

  it('fails clearly when the web port is taken', async () => {
    const { dir } = await seed();
    const first = await up(dir);
    await first.until((v) => v.resources.length > 0, 'the first one serves');
    const second = project({ Tiltfile: "print('hi')\n" });
    const r = await import('../../src/cli/main.js').then(({ main }) => {
      let err = '';
      return main(['up', '-f', `${second}/Tiltfile`, '--port', String(first.port), '--stream'], {
        stdout: () => {},
        stderr: (t) => void (err += t),
      }).then((code) => ({ code, err }));
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `Tilt cannot start because you already have another process on port ${first.port}`,
    );
  }, 120_000);
});

describe('tilt down', () => {
  it('removes every container tilt up made, and a new tilt up adopts running ones', async () => {
    const { dir } = await seed();
    const first = await up(dir);
    await first.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.runtimeStatus === 'ok'),
      'running',
    );
    expect(await first.stop()).toBe(0);
    const kept = await projectContainers(dir);
    expect(kept.filter((c) => c.state === 'running').length).toBeGreaterThan(0);

    // Ctrl-C leaves the workload running; the next tilt up adopts it instead of duplicating it.
    const second = await up(dir);
    await second.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.runtimeStatus === 'ok'),
      'adopted',
    );
    expect((await projectContainers(dir)).map((c) => c.id).sort()).toEqual(
      kept.map((c) => c.id).sort(),
    );
    expect(await second.stop()).toBe(0);

    const r = await down(dir);
    expect(r.code).toBe(0);
    expect(await projectContainers(dir)).toEqual([]);
  }, 240_000);
});

describe('tilt up after kill -9', () => {
  it('adopts the containers the killed tilt left running', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    expect(
      existsSync('dist/cli/main.js'),
      'run `npm run build` first: this test runs bin/tilt',
    ).toBe(true);
    const { dir } = await seed();
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['bin/tilt', 'up', '-f', `${dir}/Tiltfile`, '--port', String(port), '--stream'],
      {
        stdio: 'ignore',
      },
    );
    try {
      const { get } = await import('./helpers.js');
      const deadline = Date.now() + 120_000;
      for (;;) {
        const view = await get(`http://127.0.0.1:${port}/api/view`).catch(() => '');
        if (/"name":"example-app"[^}]*"runtimeStatus":"ok"/.test(view)) break;
        if (Date.now() > deadline) throw new Error(`the killed tilt never got ready: ${view}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      child.kill('SIGKILL');
    }
    const left = await projectContainers(dir);
    expect(left.filter((c) => c.state === 'running').length).toBeGreaterThan(0);

    const again = await up(dir);
    await again.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.runtimeStatus === 'ok'),
      'adopted',
    );
    expect((await projectContainers(dir)).map((c) => c.id).sort()).toEqual(
      left.map((c) => c.id).sort(),
    );
  }, 240_000);
});
