// The engine end to end with real Tiltfiles, real file watching and real local
// processes; images and workloads go to recording doubles, so these tests say
// what the engine asks for, and when.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingEngine } from '../build/recording-engine.js';
import { deploymentYAML } from '../tiltfile/helpers.js';
import { seedFiles, start, until } from './harness.js';
import { pod, RecordingRuntime } from './recording-runtime.js';

describe('k8s resources', () => {
  it('build the base first, inject it into the app, and deploy the app with the built ref', async () => {
    const t = await start(seedFiles());
    await until(t.store, () => t.store.get('app')?.runtime.ready === true, 'app is ready');
    expect(t.images.builds.map((b) => b.dockerfile.split('\n')[0])).toEqual([
      'FROM scratch',
      expect.stringMatching(/^FROM base:tilt-[0-9a-f]{16}$/),
    ]);
    expect(t.runtime.applies).toHaveLength(1);
    expect(t.runtime.applies[0].images).toEqual([expect.stringMatching(/^app:tilt-[0-9a-f]{16}$/)]);
    const log = t.text();
    expect(log).toContain('app │ Initial Build');
    expect(log).toContain('app │ STEP 1/5 — Building Dockerfile: [base]');
    expect(log).toContain('app │ STEP 5/5 — Deploying');
    expect(t.store.get('app')!.status).toBe('succeeded');
  });

  it('rebuild only the app on an app change, and both on a base change', async () => {
    const t = await start(seedFiles());
    await until(t.store, () => t.runtime.applies.length === 1, 'first deploy');
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(t.store, () => t.runtime.applies.length === 2, 'second deploy');
    expect(t.images.builds).toHaveLength(3);
    expect(t.images.builds[2].dockerfile).toMatch(/^FROM base:/);
    expect(t.text()).toContain('app │ 1 File Changed: [src/index.txt]');
    expect(t.text().split('— Building Dockerfile: [base]')).toHaveLength(2); // the base was not rebuilt

    writeFileSync(join(t.dir, 'deps.txt'), 'v2\n');
    await until(t.store, () => t.runtime.applies.length === 3, 'third deploy');
    expect(t.images.builds).toHaveLength(5);
    expect(t.runtime.applies[2].images[0]).not.toBe(t.runtime.applies[1].images[0]);
  });

  it('keep the previous resources on a Tiltfile error, show it, and recover when it is fixed', async () => {
    const t = await start(seedFiles());
    await until(t.store, () => t.runtime.applies.length === 1, 'first deploy');
    writeFileSync(join(t.dir, 'Tiltfile'), 'docker_build(\n');
    await until(t.store, () => t.store.tiltfile.error !== null, 'the error is shown');
    expect(t.store.tiltfile.error).toMatch(/Tiltfile:2:1: /);
    expect(t.store.get('app')?.runtime.ready).toBe(true);
    expect(t.runtime.deletes).toEqual([]);

    // Fixed, with a changed definition: only that resource updates, for its config.
    writeFileSync(
      join(t.dir, 'Tiltfile'),
      seedFiles("k8s_resource('app', labels=['web'])").Tiltfile,
    );
    await until(
      t.store,
      () => t.store.tiltfile.error === null && t.runtime.applies.length === 2,
      'recovered',
    );
    expect(t.text()).toContain('app │ Config Changed');
    expect(t.images.builds).toHaveLength(2); // the images were unchanged
  });

  it('remove the objects of a resource the Tiltfile no longer has', async () => {
    const t = await start({
      ...seedFiles(),
      'other.yml': deploymentYAML('other', 'app'),
      Tiltfile: seedFiles().Tiltfile + "k8s_yaml('other.yml')\n",
    });
    await until(t.store, () => t.runtime.applies.length === 2, 'both deployed');
    writeFileSync(join(t.dir, 'Tiltfile'), seedFiles().Tiltfile);
    await until(t.store, () => t.runtime.deletes.includes('other'), 'other deleted');
    expect(t.store.get('other')).toBeUndefined();
  });

  it('show a crashing pod as a runtime error', async () => {
    const runtime = new RecordingRuntime((name, call) => [
      pod(`${name}-1`, call.images[0], 'Running', false, {
        state: 'waiting',
        reason: 'CrashLoopBackOff',
      }),
    ]);
    const t = await start(seedFiles(), { runtime });
    await until(t.store, () => t.store.get('app')?.runtime.status === 'error', 'runtime error');
    expect(t.store.get('app')!.runtime.detail).toBe('CrashLoopBackOff');
    expect(t.store.get('app')!.status).toBe('succeeded');
  });

  it('fail only the resource whose build fails, with the builder output', async () => {
    const images = new RecordingEngine();
    images.failOn = 'RUN false';
    const t = await start(
      {
        ...seedFiles(),
        'ok.yml': deploymentYAML('ok', 'busybox'),
        Tiltfile: seedFiles().Tiltfile + "k8s_yaml('ok.yml')\n",
        'app.Dockerfile': 'FROM base\nRUN false\n',
      },
      { images },
    );
    await until(
      t.store,
      () => t.store.get('app')?.status === 'failed' && t.store.get('ok')?.runtime.ready === true,
      'app failed, ok ready',
    );
    expect(t.text()).toMatch(/app │ Build Failed: /);
  });
});

describe('an unreachable Docker engine', () => {
  it('fails the build with how to start Docker, and retries until Docker answers', async () => {
    const images = new RecordingEngine();
    images.unreachableBuilds = 2;
    const t = await start(seedFiles(), { images });
    await until(
      t.store,
      () => t.store.get('app')?.runtime.ready === true,
      'app deployed after retries',
    );
    const log = t.text();
    expect(log).toMatch(/app │ Build Failed: .*unix:\/\/\/var\/run\/docker\.sock/);
    expect(log).toContain('app │ Retrying in');
    expect(log.split('app │ Manual Trigger')).toHaveLength(3); // two retries
  });
});

describe('local resources', () => {
  it('hold a dependent until the serve_cmd passes its readiness probe', async () => {
    const t = await start({
      Tiltfile: `local_resource('db', serve_cmd='sleep 0.5 && touch ready && sleep 60',
    readiness_probe=probe(period_secs=1, exec=exec_action(['test', '-f', 'ready'])))
local_resource('app', cmd='echo migrated', resource_deps=['db'])
`,
    });
    await until(
      t.store,
      () => t.store.get('app')?.hold?.reason === 'waiting-for-deps',
      'app waits for db',
    );
    expect(t.store.get('app')!.status).toBe('never-built');
    await until(t.store, () => t.store.get('app')?.status === 'succeeded', 'app ran', 20000);
    expect(t.store.get('db')!.runtime).toMatchObject({ status: 'ok', ready: true });
    const log = t.text();
    expect(log).toContain('db │ Running serve cmd: sleep 0.5 && touch ready && sleep 60');
    expect(log).toContain('app │ migrated');
  });

  it('rerun cmd when a dep changes, and report a failing cmd', async () => {
    const t = await start({
      Tiltfile:
        "local_resource('gen', cmd='cat input.txt && test \"$(cat input.txt)\" = ok', deps=['input.txt'])\n",
      'input.txt': 'ok\n',
    });
    await until(t.store, () => t.store.get('gen')?.status === 'succeeded', 'gen ran');
    writeFileSync(join(t.dir, 'input.txt'), 'bad\n');
    await until(t.store, () => t.store.get('gen')?.status === 'failed', 'gen failed');
    expect(t.text()).toContain('gen │ 1 File Changed: [input.txt]');
    expect(t.store.get('gen')!.lastUpdate?.error).toMatch(/failed: exit status 1/);
  });
});
