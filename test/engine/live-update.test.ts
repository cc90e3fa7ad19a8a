// Live update in the engine: which changes go into the running containers
// (and how: rm, tar, run, restart), which fall back to a build, and how
// containers that start later catch up. The runtime is a recording double, so
// these tests read what the engine asked of it.

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import type { PodStatus } from '../../src/runtime/workload.js';
import { deploymentYAML } from '../tiltfile/helpers.js';
import { start, until, type Started } from './harness.js';
import { pod, RecordingRuntime, type PodsFor } from './recording-runtime.js';

/** Entry names of a tar stream held in a buffer. */
async function tarNames(buf: Buffer | undefined): Promise<string[]> {
  if (!buf) return [];
  const names: string[] = [];
  const ex = extract();
  const done = new Promise<void>((res, rej) => {
    ex.on('entry', (h, s, next) => {
      names.push(h.name);
      s.on('end', () => next());
      s.resume();
    });
    ex.on('finish', res);
    ex.on('error', rej);
  });
  ex.end(buf);
  await done;
  return names;
}

const files = (liveUpdate: string, extra = '') => ({
  Tiltfile: `docker_build('base', '.', dockerfile='base.Dockerfile', only=['deps.txt'])
docker_build('app', '.', dockerfile='app.Dockerfile', ignore=['base.Dockerfile'],
    live_update=${liveUpdate})
k8s_yaml('app.yml')
${extra}`,
  'base.Dockerfile': 'FROM scratch\nCOPY deps.txt /\n',
  'app.Dockerfile': 'FROM base\nCOPY src /src\n',
  'app.yml': deploymentYAML('app', 'app'),
  'deps.txt': 'v1\n',
  'outside.txt': 'not synced\n',
  'src/index.txt': 'hello\n',
});

/** `n` running, ready pods of the applied image, named after the apply count. */
const replicas =
  (n: number): PodsFor =>
  (resource, call, applies) =>
    Array.from({ length: n }, (_, i) =>
      pod(`${resource}-${applies}-${i}`, call.images[0] ?? '', 'Running', true),
    );

const tarExecs = (t: Started) => t.runtime.execs.filter((e) => e.argv[0] === 'tar');

async function started(liveUpdate: string, runtime = new RecordingRuntime(), extra = '') {
  const t = await start(files(liveUpdate, extra), { runtime });
  await until(t.store, () => t.store.get('app')?.runtime.ready === true, 'app is ready');
  return t;
}

describe('live update', () => {
  it('copies a synced edit into every container at once, with no build', async () => {
    const runtime = new RecordingRuntime(replicas(2));
    // Each tar waits for the other: only updates that run together finish.
    let waiting: (() => void)[] = [];
    runtime.execResult = (call) =>
      call.argv[0] !== 'tar'
        ? 0
        : new Promise<number>((res) => {
            waiting.push(() => res(0));
            if (waiting.length === 2) {
              for (const w of waiting) w();
              waiting = [];
            }
          });
    const t = await started(`[sync('src', '/app/src')]`, runtime);
    const builds = t.images.builds.length;
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(
      t.store,
      () => t.store.get('app')?.status === 'succeeded' && tarExecs(t).length === 2,
      'live-updated',
    );
    expect(t.images.builds).toHaveLength(builds);
    expect(t.runtime.applies).toHaveLength(1);
    expect(
      tarExecs(t)
        .map((e) => e.container.pod)
        .sort(),
    ).toEqual(['app-1-0', 'app-1-1']);
    expect(tarExecs(t)[0].argv).toEqual(['tar', '-C', '/', '-x', '-f', '-']);
    expect(await tarNames(tarExecs(t)[0].stdin)).toEqual(['app/src/index.txt']);
    const log = t.text();
    expect(log).toContain('app │ 1 File Changed: [src/index.txt]');
    expect(log).toContain('app │ Will copy 1 file(s) to container(s): [app-1-0/main app-1-1/main]');
    expect(log).toContain(`app │ - '${join(t.dir, 'src/index.txt')}' --> '/app/src/index.txt'`);
    expect(log).toContain('app │   → Container app-1-0/main updated!');
    expect(log).toContain('app │   → Container app-1-1/main updated!');
    expect(log.split('STEP 1/5 —')).toHaveLength(2); // the initial build only
  });

  it('removes deleted files, runs triggered steps, and restarts containers when asked', async () => {
    const t = await started(
      `[sync('src', '/app/src'), run('make', trigger=['src/Makefile']), run(['echo', 'always']), restart_container()]`,
    );
    rmSync(join(t.dir, 'src/index.txt'));
    await until(t.store, () => t.runtime.restarts.length === 1, 'restarted');
    const argvs = t.runtime.execs.map((e) => e.argv.join(' '));
    expect(argvs).toEqual(['rm -rf /app/src/index.txt', 'echo always']);
    expect(t.text()).toContain('app │ Will delete 1 file(s) from container: [app-1/main]');
    expect(t.text()).toContain('app │ [CMD 1/1] echo always');

    writeFileSync(join(t.dir, 'src/Makefile'), 'all:\n');
    await until(t.store, () => t.runtime.restarts.length === 2, 'restarted again');
    expect(t.runtime.execs.slice(2).map((e) => e.argv.join(' '))).toEqual([
      'tar -C / -x -f -',
      'sh -c make',
      'echo always',
    ]);
    expect(t.text()).toContain('app │ [CMD 1/2] sh -c make');
    expect(t.store.get('app')?.status).toBe('succeeded');
  });

  it('falls back to a build for a file outside every sync and for a fall_back_on file', async () => {
    const t = await started(`[fall_back_on(['src/conf']), sync('src', '/app/src')]`);
    writeFileSync(join(t.dir, 'outside.txt'), 'changed\n');
    await until(t.store, () => t.runtime.applies.length === 2, 'rebuilt and deployed');
    const log = t.text();
    expect(log).toContain('app │ Will not perform Live Update because:');
    expect(log).toContain('app │ \tFound file(s) not matching any sync (files: [outside.txt])');
    expect(log).toContain('app │ Falling back to a full image build + deploy');
    writeFileSync(join(t.dir, 'src/conf'), 'x\n');
    await until(t.store, () => t.runtime.applies.length === 3, 'rebuilt again');
    expect(t.text()).toContain(`Detected change to stop file "${join(t.dir, 'src/conf')}"`);
    expect(t.runtime.execs).toEqual([]);
  });

  it('falls back while the container crash-loops, and when the copy fails', async () => {
    const crashing: PodsFor = (resource, call, n) =>
      n === 1
        ? [
            pod(`${resource}-${n}`, call.images[0], 'Running', false, {
              state: 'waiting',
              reason: 'CrashLoopBackOff',
            }),
          ]
        : [pod(`${resource}-${n}`, call.images[0], 'Running', true)];
    const runtime = new RecordingRuntime(crashing);
    const t = await start(files(`[sync('src', '/app/src')]`), { runtime });
    await until(t.store, () => t.store.get('app')?.status === 'succeeded', 'deployed');
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(t.store, () => t.runtime.applies.length === 2, 'rebuilt');
    expect(t.text()).toContain('Cannot live update because container crashing. Pod: app-1');

    t.runtime.execResult = (call) => (call.argv[0] === 'tar' ? 127 : 0);
    writeFileSync(join(t.dir, 'src/index.txt'), 'again\n');
    await until(t.store, () => t.runtime.applies.length === 3, 'rebuilt after the failed copy');
    const log = t.text();
    expect(log).toContain('app │ Live Update failed with unexpected error:');
    expect(log).toContain(
      'command "tar -C / -x -f -" failed with exit code: 127 (not found in PATH or not executable)',
    );
    expect(log).toContain('Please check that the container image includes `tar` in $PATH.');
    expect(log).toContain('app │ Falling back to a full image build + deploy');
  });

  it('shows a failed run step as the error, without a build, and retries on the next change', async () => {
    const runtime = new RecordingRuntime();
    runtime.execResult = (call) => (call.argv.join(' ') === 'sh -c make' ? 2 : 0);
    const t = await started(`[sync('src', '/app/src'), run('make')]`, runtime);
    const builds = t.images.builds.length;
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(t.store, () => t.store.get('app')?.status === 'failed', 'the update fails');
    expect(t.store.get('app')?.lastUpdate?.error).toBe(
      'Updating pod app-1: executing on container id-app-1: command "make" failed with exit code: 2',
    );
    expect(t.text()).toContain(
      'app │   → Failed to update container app-1/main: run step "make" failed with exit code: 2',
    );
    runtime.execResult = () => 0;
    writeFileSync(join(t.dir, 'src/index.txt'), 'fixed\n');
    await until(t.store, () => t.store.get('app')?.status === 'succeeded', 'the retry succeeds');
    expect(t.images.builds).toHaveLength(builds);
    expect(tarExecs(t)).toHaveLength(2);
  });

  it('brings a container that starts later up to date, and one that missed an update', async () => {
    const runtime = new RecordingRuntime();
    const t = await started(`[sync('src', '/app/src')]`, runtime);
    const image = runtime.applies[0].images[0];
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(t.store, () => tarExecs(t).length === 1, 'live-updated');
    // The pod is replaced from the same (older) image: its new container lacks the file.
    const replacement: PodStatus = pod('app-2', image, 'Running', true);
    runtime.report('app', [replacement]);
    await until(t.store, () => tarExecs(t).length === 2, 'the new container is synced');
    expect(tarExecs(t)[1].container.id).toBe('id-app-2');
    expect(await tarNames(tarExecs(t)[1].stdin)).toEqual(['app/src/index.txt']);
    expect(t.text()).toContain(
      'app │ Container app-2/main started without 1 live-updated file(s): copying them',
    );
    // A container that was not running during an update gets it when it runs.
    const waiting = pod('app-2', image, 'Pending', false);
    runtime.report('app', [waiting]);
    writeFileSync(join(t.dir, 'src/new.txt'), 'new\n');
    await until(
      t.store,
      () => t.text().includes('No container of image app is running yet'),
      'the update waits for the container',
    );
    runtime.report('app', [replacement]);
    await until(t.store, () => tarExecs(t).length === 3, 'synced once running');
    expect(await tarNames(tarExecs(t)[2].stdin)).toEqual(['app/src/new.txt']);
    expect(t.runtime.applies).toHaveLength(1);
  });

  it('copies every synced path into each new container with initial_sync()', async () => {
    const t = await started(
      `[initial_sync(), sync('src', '/app/src'), run('make', trigger=['src'])]`,
    );
    await until(t.store, () => t.runtime.execs.length === 2, 'synced');
    expect(await tarNames(tarExecs(t)[0].stdin)).toEqual(['app/src', 'app/src/index.txt']);
    expect(t.runtime.execs[1].argv).toEqual(['sh', '-c', 'make']);
    expect(t.text()).toContain('app │ Initial sync of app-1/main');
  });

  it('rebuilds images holding live-updated files when a change needs a build', async () => {
    const t = await started(`[sync('src', '/app/src')]`);
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(t.store, () => tarExecs(t).length === 1, 'live-updated');
    const builds = t.images.builds.length;
    // A new definition redeploys: new pods would start from the image without the edit.
    writeFileSync(join(t.dir, 'app.yml'), deploymentYAML('app', 'app', { env: { MODE: 'dev' } }));
    await until(t.store, () => t.runtime.applies.length === 2, 'redeployed');
    expect(t.images.builds.map((b) => b.dockerfile.split('\n')[0]).slice(builds)).toEqual([
      expect.stringMatching(/^FROM base:tilt-/),
    ]);
    expect(t.text()).toContain('app │ Config Changed');
  });

  it('live-updates pending changes on a manual trigger', async () => {
    const t = await started(
      `[sync('src', '/app/src')]`,
      new RecordingRuntime(),
      'trigger_mode(TRIGGER_MODE_MANUAL)\n',
    );
    writeFileSync(join(t.dir, 'src/index.txt'), 'changed\n');
    await until(t.store, () => (t.store.get('app')?.pendingChanges.length ?? 0) > 0, 'pending');
    expect(tarExecs(t)).toHaveLength(0);
    t.engine.trigger('app');
    await until(t.store, () => tarExecs(t).length === 1, 'live-updated on trigger');
    expect(t.runtime.applies).toHaveLength(1);
  });
});
