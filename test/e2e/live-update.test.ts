// Live update end to end: `tilt up` on the seed example with live_update
// steps, saving files and watching them reach the running containers
// (served through the port-forward, read with docker exec) without an image
// build, and falling back to a build where Tilt does.

import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execInContainer } from '../../src/runtime/docker/exec.js';
import { dockerEngine } from '../integration/fixtures.js';
import {
  cleanUp,
  edit,
  freePort,
  project,
  projectContainers,
  SEED_EXAMPLE,
  untilServed,
  up,
  type RunningUp,
} from './helpers.js';

afterEach(cleanUp, 120_000);

interface SeedOptions {
  replicas?: number;
  /** Replaces app.Dockerfile. */
  dockerfile?: string;
  /** Replaces the docker_build of example-app (the Tiltfile line starting the call to its end). */
  build?: string;
}

/** The seed example with `liveUpdate` on the app image, forwarding a free port. */
async function seed(liveUpdate: string, o: SeedOptions = {}) {
  const port = await freePort();
  const dir = project({}, SEED_EXAMPLE);
  edit(dir, 'Tiltfile', (t) => {
    const s = t.replace('port_forwards=3000', `port_forwards='${port}:3000'`);
    if (o.build) return s.replace(/docker_build\('example-app'[^)]*\)/, o.build);
    return s.replace(
      "ignore=['base.Dockerfile'])",
      `ignore=['base.Dockerfile'],\n    live_update=${liveUpdate})`,
    );
  });
  if (o.replicas) edit(dir, 'app.yml', (y) => y.replace('replicas: 1', `replicas: ${o.replicas}`));
  if (o.dockerfile) writeFileSync(join(dir, 'app.Dockerfile'), o.dockerfile);
  return { dir, url: `http://127.0.0.1:${port}/` };
}

/** Running app containers (not the pod sandboxes) of the project. */
async function appContainers(dir: string) {
  return (await projectContainers(dir)).filter(
    (c) => c.state === 'running' && c.name.endsWith('_app'),
  );
}

/** The output of a command in a container. */
async function execIn(id: string, cmd: string): Promise<string> {
  const { docker } = await dockerEngine();
  let out = '';
  const opts = { output: (t: string) => void (out += t) };
  await execInContainer(docker.getContainer(id), ['sh', '-c', cmd], opts, `container ${id}`);
  return out;
}

const builds = (t: RunningUp, image: string) =>
  t.output().split(`— Building Dockerfile: [${image}]`).length - 1;
const appBuilds = (t: RunningUp) => builds(t, 'example-app');

/** Polls an asynchronous condition. */
async function eventually(pred: () => Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const appLog = (t: RunningUp) =>
  t
    .output()
    .split('\n')
    .filter((l) => /^\s*example-app │/.test(l))
    .map((l) => l.replace(/^\s*example-app │ ?/, ''))
    .join('\n');

async function untilLog(t: RunningUp, what: string | RegExp, ms = 60_000): Promise<void> {
  const has = () => (typeof what === 'string' ? appLog(t).includes(what) : what.test(appLog(t)));
  await t.until(() => has(), `the log shows ${String(what)}`, ms);
}

async function startedAt(id: string): Promise<string> {
  const { docker } = await dockerEngine();
  return (await docker.getContainer(id).inspect()).State.StartedAt;
}

describe('live update', () => {
  it('syncs edits and deletions into every replica at once, runs triggered steps, and keeps the containers', async () => {
    const { dir, url } = await seed(
      `[sync('.', '/var/www/app'),
      run('date >> /var/www/app/public/ran.txt', trigger=['public/trigger.txt'])]`,
      { replicas: 2 },
    );
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello from tilt-ts'), 'the app serves');
    await t.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.runtimeStatus === 'ok'),
      'both replicas are ready',
    );
    const before = (await appContainers(dir)).map((c) => c.id).sort();
    expect(before).toHaveLength(2);
    expect(appBuilds(t)).toBe(1);

    edit(dir, 'public/index.html', (h) => h.replace('Hello from tilt-ts', 'Hello live'));
    await untilServed(url, (b) => b.includes('Hello live'), 'the edit is served');
    await untilLog(t, /→ Container .*updated![\s\S]*→ Container .*updated!/);
    const log = appLog(t);
    expect(log).toContain('1 File Changed: [public/index.html]');
    expect(log).toMatch(
      /Will copy 1 file\(s\) to container\(s\): \[example-app-[a-z0-9-]+\/app example-app-[a-z0-9-]+\/app\]/,
    );
    expect(log).toContain(
      `- '${join(dir, 'public/index.html')}' --> '/var/www/app/public/index.html'`,
    );
    expect(appBuilds(t)).toBe(1);
    expect((await appContainers(dir)).map((c) => c.id).sort()).toEqual(before);
    for (const id of before) {
      expect(await execIn(id, 'cat /var/www/app/public/index.html')).toContain('Hello live');
    }
    // No run step without its trigger.
    expect(await execIn(before[0], 'cat /var/www/app/public/ran.txt 2>/dev/null | wc -l')).toBe(
      '0\n',
    );

    writeFileSync(join(dir, 'public/extra.html'), 'extra page');
    await untilServed(`${url}extra.html`, (b) => b === 'extra page', 'the new file is served');
    rmSync(join(dir, 'public/extra.html'));
    await untilLog(t, 'Will delete 1 file(s) from container(s)');
    expect(appLog(t)).toContain(
      `- '/var/www/app/public/extra.html' (matched local path: '${join(dir, 'public/extra.html')}')`,
    );
    for (const id of before) {
      expect(await execIn(id, 'test -e /var/www/app/public/extra.html; echo $?')).toBe('1\n');
    }

    writeFileSync(join(dir, 'public/trigger.txt'), 'go');
    await untilLog(t, '[CMD 1/1] sh -c date >> /var/www/app/public/ran.txt');
    await untilServed(`${url}ran.txt`, (b) => b.trim().split('\n').length === 1, 'the step ran');
    // Each replica ran the step once.
    for (const id of before) {
      expect((await execIn(id, 'wc -l < /var/www/app/public/ran.txt')).trim()).toBe('1');
    }
    expect(appBuilds(t)).toBe(1);
    expect((await appContainers(dir)).map((c) => c.id).sort()).toEqual(before);
  }, 240_000);

  it('live-updates a file of the base image context that a sync covers', async () => {
    const { dir } = await seed(`[sync('.', '/var/www/app')]`);
    const t = await up(dir);
    await t.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.runtimeStatus === 'ok'),
      'the app is ready',
    );
    const [c] = await appContainers(dir);
    edit(dir, 'package.json', (p) => p.replace('1.0.0', '1.0.7'));
    await untilLog(t, /→ Container .*updated!/);
    expect(appLog(t)).toContain('1 File Changed: [package.json]');
    expect(await execIn(c.id, 'cat /var/www/app/package.json')).toContain('1.0.7');
    expect(builds(t, 'example-base-image')).toBe(1);
    expect(appBuilds(t)).toBe(1);
  }, 240_000);

  it('falls back to an image build for a fall_back_on file and for a file outside every sync', async () => {
    const { dir, url } = await seed(
      `[fall_back_on(['public/fallback.txt']), sync('public', '/var/www/app/public')]`,
    );
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello'), 'the app serves');
    const first = (await appContainers(dir))[0].id;

    writeFileSync(join(dir, 'public/fallback.txt'), 'stop');
    await untilLog(
      t,
      `Will not perform Live Update because:\n\tDetected change to stop file "${join(dir, 'public/fallback.txt')}"\nFalling back to a full image build + deploy`,
    );
    await t.until(() => appBuilds(t) === 2, 'the image is rebuilt');
    await untilServed(`${url}fallback.txt`, (b) => b === 'stop', 'the rebuilt image serves it');
    await eventually(
      async () => !(await appContainers(dir)).some((c) => c.id === first),
      'the container is replaced',
    );

    edit(dir, 'package.json', (p) => p.replace('1.0.0', '1.0.2'));
    await untilLog(t, 'Found file(s) not matching any sync (files: [package.json])');
    await t.until(() => appBuilds(t) === 3, 'the image is rebuilt again');
  }, 240_000);

  it('restarts the container after the sync with restart_container()', async () => {
    const { dir, url } = await seed(`[sync('public', '/var/www/app/public'), restart_container()]`);
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello'), 'the app serves');
    const [c] = await appContainers(dir);
    const started = await startedAt(c.id);
    edit(dir, 'public/index.html', (h) => h.replace('Hello from tilt-ts', 'Hello restarted'));
    await untilServed(url, (b) => b.includes('Hello restarted'), 'the edit is served');
    await untilLog(t, /→ Container .*updated!/);
    const [after] = await appContainers(dir);
    expect(after.id).toBe(c.id);
    expect(await startedAt(c.id)).not.toBe(started);
    expect(appBuilds(t)).toBe(1);
  }, 240_000);

  it('copies every synced path into a new container with initial_sync()', async () => {
    const { dir, url } = await seed(`[initial_sync(), sync('public', '/var/www/app/public')]`, {
      // An image without the sources: only initial_sync brings them.
      dockerfile: `FROM example-base-image
RUN mkdir -p /var/www/app/public && echo from-the-image > /var/www/app/public/index.html
CMD ["httpd", "-f", "-p", "3000", "-h", "/var/www/app/public"]
`,
    });
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello from tilt-ts'), 'the local files are served');
    expect(appLog(t)).toMatch(/Initial sync of example-app-[a-z0-9-]+\/app/);
    expect(appLog(t)).toContain(`- '${join(dir, 'public')}' --> '/var/www/app/public'`);
  }, 240_000);

  it('gives a replacement container the files live-updated into the one it replaces', async () => {
    const { dir, url } = await seed(`[sync('public', '/var/www/app/public')]`);
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello'), 'the app serves');
    edit(dir, 'public/index.html', (h) => h.replace('Hello from tilt-ts', 'Hello kept'));
    await untilServed(url, (b) => b.includes('Hello kept'), 'the edit is served');
    const [c] = await appContainers(dir);
    const { docker } = await dockerEngine();
    await docker.getContainer(c.id).remove({ force: true });
    await untilLog(
      t,
      /Container example-app-[a-z0-9-]+\/app started without 1 live-updated file\(s\)/,
    );
    await eventually(
      async () => (await appContainers(dir)).some((x) => x.id !== c.id),
      'a new container runs',
    );
    expect(await untilServed(url, (b) => b.includes('Hello kept'), 'still the edit')).toContain(
      'Hello kept',
    );
    expect(appBuilds(t)).toBe(1);
  }, 240_000);

  it('shows a failed run step as an error without a rebuild, and retries on the next change', async () => {
    const { dir, url } = await seed(
      `[sync('public', '/var/www/app/public'),
      run('if grep -q broken /var/www/app/public/index.html; then echo step failed; exit 3; fi')]`,
    );
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello'), 'the app serves');
    edit(dir, 'public/index.html', (h) => h.replace('Hello from tilt-ts', 'Hello broken'));
    const failed = await t.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.updateStatus === 'error'),
      'the update fails',
    );
    expect(failed.resources.find((r) => r.name === 'example-app')!.detail).toMatch(
      /failed with exit code: 3/,
    );
    expect(appLog(t)).toContain('step failed');
    expect(appLog(t)).toMatch(
      /→ Failed to update container .*: run step .* failed with exit code: 3/,
    );
    expect(appBuilds(t)).toBe(1);
    edit(dir, 'public/index.html', (h) => h.replace('Hello broken', 'Hello mended'));
    await t.until(
      (v) => v.resources.some((r) => r.name === 'example-app' && r.updateStatus === 'ok'),
      'the next change succeeds',
    );
    await untilServed(url, (b) => b.includes('Hello mended'), 'the fix is served');
    expect(appBuilds(t)).toBe(1);
  }, 240_000);

  it('falls back to a build when the container has no tar, saying why', async () => {
    const { dir, url } = await seed(`[sync('public', '/var/www/app/public')]`, {
      dockerfile: `FROM example-base-image
COPY . /var/www/app
RUN rm "$(which tar)"
CMD ["httpd", "-f", "-p", "3000", "-h", "/var/www/app/public"]
`,
    });
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('Hello'), 'the app serves');
    edit(dir, 'public/index.html', (h) => h.replace('Hello from tilt-ts', 'Hello without tar'));
    await untilLog(t, 'Please check that the container image includes `tar` in $PATH');
    expect(appLog(t)).toContain('Falling back to a full image build + deploy');
    await untilServed(url, (b) => b.includes('Hello without tar'), 'the rebuild serves it');
    expect(appBuilds(t)).toBe(2);
  }, 240_000);

  it('falls back to a build while the container is crash-looping', async () => {
    const { dir, url } = await seed(`[sync('public', '/var/www/app/public')]`, {
      dockerfile: `FROM example-base-image
COPY . /var/www/app
CMD ["sh", "-c", "test -f /var/www/app/public/ok || exit 1; exec httpd -f -p 3000 -h /var/www/app/public"]
`,
    });
    const t = await up(dir);
    await t.until(
      (v) =>
        v.resources.some(
          (r) => r.name === 'example-app' && /CrashLoopBackOff/.test(r.detail ?? ''),
        ),
      'the container crash-loops',
    );
    writeFileSync(join(dir, 'public/ok'), 'ok');
    await untilLog(t, /Cannot live update because container crashing\. Pod: example-app-/);
    await untilServed(url, (b) => b.includes('Hello'), 'the rebuilt image serves');
    expect(appBuilds(t)).toBe(2);
  }, 240_000);

  it('restarts the process, not the container, with docker_build_with_restart', async () => {
    const { dir, url } = await seed('', {
      build: `load('ext://restart_process', 'docker_build_with_restart')
docker_build_with_restart('example-app', '.',
    dockerfile='app.Dockerfile',
    ignore=['base.Dockerfile'],
    entrypoint='cat /var/www/app/public/msg.txt > /var/www/app/public/index.html; exec httpd -f -p 3000 -h /var/www/app/public',
    live_update=[sync('public', '/var/www/app/public')])`,
    });
    writeFileSync(join(dir, 'public/msg.txt'), 'first message');
    const t = await up(dir);
    await untilServed(url, (b) => b.includes('first message'), 'the app serves the message');
    const [c] = await appContainers(dir);
    const started = await startedAt(c.id);
    writeFileSync(join(dir, 'public/msg.txt'), 'second message');
    await untilServed(url, (b) => b.includes('second message'), 'the restarted process serves it');
    const [after] = await appContainers(dir);
    expect(after.id).toBe(c.id);
    expect(await startedAt(c.id)).toBe(started);
    expect(appBuilds(t)).toBe(1);
  }, 240_000);
});
