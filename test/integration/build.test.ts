// The image builder against the real engine and registry: the seed example's
// two-image tree (a busybox base in place of node), build args reaching the
// base, content tags, ignores, custom_build, and a push pulled back by tag.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuilder, ImageBuildError, type BuiltImage } from '../../src/build/builder.js';
import type { DockerEngine } from '../../src/build/docker/engine.js';
import { BuildRecord } from '../../src/build/record.js';
import { loadTiltfile } from '../../src/tiltfile/index.js';
import {
  BUSYBOX_BASE,
  REGISTRY,
  dockerEngine,
  ensureBusyboxBase,
  ensureRegistry,
  imageJanitor,
  uniqueRepo,
} from './fixtures.js';
import { podYAML, removeProjects, writeProject } from '../tiltfile/helpers.js';

let engine: DockerEngine;
let janitor: ReturnType<typeof imageJanitor>;

beforeAll(async () => {
  engine = await dockerEngine();
  await ensureBusyboxBase(engine);
  await ensureRegistry();
  janitor = imageJanitor(engine);
}, 120_000);

afterAll(async () => {
  await janitor?.cleanup();
  removeProjects();
}, 120_000);

/** Output of `cmd` run in a fresh container of `image`. */
async function runIn(image: string, cmd: string[]): Promise<string> {
  const c = await engine.docker.createContainer({ Image: image, Cmd: cmd, Tty: true });
  try {
    await c.start();
    await c.wait();
    const out = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return out.toString('utf8').replace(/\r/g, '');
  } finally {
    await c.remove({ force: true });
  }
}

function seedProject(base: string, app: string, registry = '') {
  return writeProject({
    Tiltfile: `${registry ? `default_registry('${registry}')\n` : ''}docker_build('${base}', '.', dockerfile='base.Dockerfile', build_args={'node_env': 'development'})
docker_build('${app}', '.', dockerfile='app.Dockerfile', ignore=['*.log'])
k8s_yaml('app.yml')
k8s_resource('app', port_forwards=3000)
`,
    'base.Dockerfile': `FROM ${BUSYBOX_BASE}
ARG node_env=production
RUN echo "$node_env" > /node_env
WORKDIR /app
COPY package.json ./
`,
    'app.Dockerfile': `FROM ${base}
COPY . /app/
CMD ["cat", "/node_env"]
`,
    'app.yml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
        - name: app
          image: ${app}
`,
    'package.json': '{"name": "app"}\n',
    'src/index.js': 'console.log("hello")\n',
    'debug.log': 'not for the image\n',
  });
}

/** A seed project with fresh repository names, removed after the tests. */
function newSeed(prefix: string, registry = '') {
  const base = uniqueRepo(`${prefix}-base`);
  const app = uniqueRepo(`${prefix}-app`);
  for (const r of [base, app]) janitor.addRepo(r);
  return { base, app, dir: seedProject(base, app, registry) };
}

function targetsOf(dir: string) {
  const r = loadTiltfile({ path: join(dir, 'Tiltfile'), env: {} });
  expect(r.error).toBeNull();
  return { targets: r.manifests[0].imageTargets, result: r };
}

describe('the seed tree on the real engine', () => {
  let base: string;
  let app: string;
  let dir: string;
  let built: Map<string, BuiltImage>;
  const log: string[] = [];

  beforeAll(async () => {
    ({ base, app, dir } = newSeed('seed'));
    const builder = new ImageBuilder({
      engine,
      log: (l) => log.push(l),
      push: false,
      tiltfile: join(dir, 'Tiltfile'),
    });
    built = await builder.buildAll(targetsOf(dir).targets, { totalSteps: 5 });
  }, 120_000);

  it('tags each image with tilt- and 16 hex digits of its id', async () => {
    for (const ref of [base, app]) {
      const b = built.get(ref)!;
      expect(b.tag).toBe(`tilt-${b.imageId.slice(7, 23)}`);
      expect((await engine.inspect(b.localRef))?.id).toBe(b.imageId);
    }
  });

  it('builds the app FROM the freshly built base, whose build args were applied', async () => {
    expect(log).toContain(`  FROM ${built.get(base)!.localRef}`);
    expect((await runIn(built.get(app)!.localRef, ['cat', '/node_env'])).trim()).toBe(
      'development',
    );
  });

  it('leaves ignored files out of the context', async () => {
    const files = (await runIn(built.get(app)!.localRef, ['ls', '/app']))
      .split(/\s+/)
      .filter(Boolean);
    expect(files).toContain('package.json');
    expect(files).toContain('src');
    expect(files).not.toContain('debug.log');
    expect(files).not.toContain('Tiltfile');
  });

  it('labels the images as built by tilt', async () => {
    const info = await engine.inspect(built.get(app)!.localRef);
    expect(info?.labels['dev.tilt.built']).toBe('true');
  });

  it("logs Tilt's steps and the builder's output", () => {
    expect(log[0]).toBe(`STEP 1/5 — Building Dockerfile: [${base}]`);
    expect(log).toContain(`STEP 3/5 — Building Dockerfile: [${app}]`);
    // BuildKit's steps (the engine offers it), in Tilt's format.
    expect(log.some((l) => /^ {5}\[1\/\d+\] FROM /.test(l))).toBe(true);
    expect(log.some((l) => /^ {5}\[\d+\/\d+\] .* \[(cached|done: \d+(ms|\.\ds))\]$/.test(l))).toBe(
      true,
    );
    expect(log[log.length - 1]).toMatch(/^ {5}DONE IN: \d+\.\d\ds$/);
  });

  it('gives the same tags when nothing changed', async () => {
    const again = await new ImageBuilder({
      engine,
      log: () => {},
      push: false,
      tiltfile: join(dir, 'Tiltfile'),
    }).buildAll(targetsOf(dir).targets);
    expect(again.get(base)!.tag).toBe(built.get(base)!.tag);
    expect(again.get(app)!.tag).toBe(built.get(app)!.tag);
  }, 120_000);
});

describe('the seed tree with the classic builder', () => {
  it("builds the same tree, with the classic builder's steps in the log", async () => {
    const { base, app, dir } = newSeed('classic');
    // The engine as one without BuildKit (or with DOCKER_BUILDKIT=0) would be used.
    const classic: DockerEngine = Object.create(engine);
    classic.preferredBuilder = async () => 'classic';
    const log: string[] = [];
    const built = await new ImageBuilder({
      engine: classic,
      log: (l) => log.push(l),
      push: false,
    }).buildAll(targetsOf(dir).targets);
    expect(log.some((l) => /^ {5}Step 1\/\d+ : FROM /.test(l))).toBe(true);
    expect(log).toContain(`  FROM ${built.get(base)!.localRef}`);
    expect((await runIn(built.get(app)!.localRef, ['cat', '/node_env'])).trim()).toBe(
      'development',
    );
  }, 120_000);
});

describe('pushing to a registry', () => {
  it('pushes the app to the default registry, and the pushed tag pulls back', async () => {
    const { base, app, dir } = newSeed('push', REGISTRY);
    const { targets, result } = targetsOf(dir);
    expect(result.error).toBeNull();
    const log: string[] = [];
    const builder = new ImageBuilder({
      engine,
      log: (l) => log.push(l),
      push: true,
      registry: { host: REGISTRY, hostFromCluster: '', singleName: '' },
    });
    const built = await builder.buildAll(targets, { deployed: new Set([app]) });
    const pushed = built.get(app)!;
    expect(pushed.pushed).toBe(true);
    expect(pushed.deployRef).toBe(`${REGISTRY}/${app}:${pushed.tag}`);
    expect(built.get(base)!.pushed).toBe(false);
    for (const r of [`${REGISTRY}/${app}`]) janitor.addRepo(r);
    await engine.removeImage(pushed.deployRef);
    await engine.pull(pushed.deployRef);
    expect((await engine.inspect(pushed.deployRef))?.id).toBe(pushed.imageId);
  }, 180_000);
});

describe('custom_build', () => {
  it('runs the command with EXPECTED_REF and retags the result with its content tag', async () => {
    const ref = uniqueRepo('custom');
    for (const r of [ref]) janitor.addRepo(r);
    const dir = writeProject({
      Tiltfile: `custom_build('${ref}', 'DOCKER_BUILDKIT=0 docker build -q -t $EXPECTED_REF -f custom.Dockerfile .', deps=['.'])
k8s_yaml('pod.yml')
`,
      'custom.Dockerfile': `FROM ${BUSYBOX_BASE}\nRUN echo custom > /made-by\n`,
      'pod.yml': podYAML('c', ref),
    });
    const { targets } = targetsOf(dir);
    const built = await new ImageBuilder({ engine, log: () => {}, push: false }).buildAll(targets);
    const b = built.get(ref)!;
    expect(b.tag).toMatch(/^tilt-[0-9a-f]{16}$/);
    expect((await runIn(b.localRef, ['cat', '/made-by'])).trim()).toBe('custom');
  }, 120_000);
});

describe('failures', () => {
  it('fails the image with the failing step named', async () => {
    const ref = uniqueRepo('failing');
    const dir = writeProject({
      Tiltfile: `docker_build('${ref}', '.')\nk8s_yaml('pod.yml')\n`,
      Dockerfile: `FROM ${BUSYBOX_BASE}\nRUN echo about to fail && false\n`,
      'pod.yml': podYAML('f', ref),
    });
    const log: string[] = [];
    const builder = new ImageBuilder({ engine, log: (l) => log.push(l), push: false });
    const err = await builder.buildAll(targetsOf(dir).targets).catch((e) => e);
    expect(err).toBeInstanceOf(ImageBuildError);
    expect(err.message).toMatch(/RUN echo about to fail && false/);
    expect(err.message).toMatch(/exit code: 1/);
    expect(log).toContain('     → about to fail');
    expect(log).toContain('     ERROR IN: [2/2] RUN echo about to fail && false');
  }, 120_000);
});

describe('starting again', () => {
  it('reuses the recorded images of unchanged inputs instead of building', async () => {
    const { app, dir } = newSeed('record');
    // the record lives outside every context (tilt keeps it in its own directory)
    const path = join(mkdtempSync(join(tmpdir(), 'tilt-record-')), 'builds.json');
    const first = await new ImageBuilder({
      engine,
      log: () => {},
      push: false,
      record: new BuildRecord(path),
    }).buildAll(targetsOf(dir).targets);
    const log: string[] = [];
    const second = await new ImageBuilder({
      engine,
      log: (l) => log.push(l),
      push: false,
      record: new BuildRecord(path),
    }).buildAll(targetsOf(dir).targets);
    expect(log.filter((l) => l.startsWith('Building Dockerfile:'))).toEqual([]);
    expect(second.get(app)!.localRef).toBe(first.get(app)!.localRef);
  }, 120_000);
});
