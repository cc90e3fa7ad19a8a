import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ImageBuildError,
  ImageBuilder,
  contentTag,
  type BuildEngine,
  type BuiltImage,
} from '../../src/build/builder.js';
import { BuildError, DockerUnreachableError } from '../../src/build/docker/engine.js';
import { buildReason, dirtyTargets } from '../../src/build/plan.js';
import { BuildRecord, dockerInputsDigest } from '../../src/build/record.js';
import type { DockerImageSpec } from '../../src/tiltfile/builtins/images.js';
import { loadTiltfile } from '../../src/tiltfile/index.js';
import { loadProject, podYAML, removeProjects } from '../tiltfile/helpers.js';
import { RecordingEngine } from './recording-engine.js';

afterEach(removeProjects);

const seed = resolve('test/tiltfile/fixtures/seed');

/** A builder that logs nothing and pushes nothing. */
function quietBuilder(engine: BuildEngine = new RecordingEngine()): ImageBuilder {
  return new ImageBuilder({ engine, log: () => {}, push: false });
}

function seedTargets() {
  const r = loadTiltfile({ path: join(seed, 'Tiltfile'), env: {} });
  expect(r.error).toBeNull();
  return r.manifests[0].imageTargets;
}

describe('building the seed tree', () => {
  it('builds the base first and points the app FROM at its content-tagged ref', async () => {
    const engine = new RecordingEngine();
    const log: string[] = [];
    const builder = new ImageBuilder({ engine, log: (l) => log.push(l), push: false });
    const results = await builder.buildAll(seedTargets(), { totalSteps: 5 });
    const base = results.get('nodejs-express-base-image')!;
    const app = results.get('nodejs-express-app-image')!;
    expect(base.tag).toMatch(/^tilt-[0-9a-f]{16}$/);
    expect(base.localRef).toBe(`nodejs-express-base-image:${base.tag}`);
    expect(engine.builds[1].dockerfile.split('\n')[0]).toBe(`FROM ${base.localRef}`);
    expect(app.localRef).toBe(`nodejs-express-app-image:${app.tag}`);
    expect(engine.tags).toEqual([base.localRef, app.localRef]);
    expect(engine.builds.every((b) => b.labels['dev.tilt.built'] === 'true')).toBe(true);
    expect(log).toContain('STEP 1/5 — Building Dockerfile: [nodejs-express-base-image]');
    expect(log).toContain(`  FROM ${base.localRef}`);
    expect(log).toContain('STEP 4/5 — Pushing ' + app.localRef);
    expect(log).toContain("     Skipping push: building on cluster's container runtime");
    expect(log[log.length - 1]).toMatch(/^ {5}DONE IN: \d+\.\d\ds$/);
  });

  it('uses the builder the engine prefers', async () => {
    for (const kind of ['buildkit', 'classic'] as const) {
      const engine = new RecordingEngine();
      engine.builder = kind;
      await quietBuilder(engine).buildAll(seedTargets());
      expect(engine.builds.map((b) => b.builder)).toEqual([kind, kind]);
    }
  });

  it('uses the classic builder for a named network, which BuildKit cannot join', async () => {
    const kinds: Record<string, string | undefined> = {};
    for (const network of ['my-net', 'host']) {
      const r = loadProject({
        Tiltfile: `docker_build('net-img', '.', network='${network}')\nk8s_yaml('pod.yml')\n`,
        Dockerfile: 'FROM scratch\n',
        'pod.yml': podYAML('p', 'net-img'),
      });
      expect(r.error).toBeNull();
      const engine = new RecordingEngine();
      await quietBuilder(engine).buildAll(r.manifests[0].imageTargets);
      kinds[network] = engine.builds[0].builder;
    }
    expect(kinds).toEqual({ 'my-net': 'classic', host: 'buildkit' });
  });

  it('sends the context files and the Dockerfile in one tar', async () => {
    const engine = new RecordingEngine();
    await quietBuilder(engine).buildAll(seedTargets());
    expect(engine.builds[0].files).toEqual(
      expect.arrayContaining(['package.json', 'src/index.js']),
    );
  });

  it('gives the same tag to the same content', async () => {
    const a = await quietBuilder().buildAll(seedTargets());
    const b = await quietBuilder().buildAll(seedTargets());
    expect([...a.values()].map((x) => x.tag)).toEqual([...b.values()].map((x) => x.tag));
  });

  it('pushes to the default registry the images workloads use, not the base', async () => {
    const engine = new RecordingEngine();
    const builder = new ImageBuilder({
      engine,
      log: () => {},
      push: true,
      registry: { host: 'localhost:5005', hostFromCluster: '', singleName: '' },
    });
    const results = await builder.buildAll(seedTargets(), {
      deployed: new Set(['nodejs-express-app-image']),
    });
    const app = results.get('nodejs-express-app-image')!;
    expect(engine.pushes).toEqual([`localhost:5005/nodejs-express-app-image:${app.tag}`]);
    expect(app.deployRef).toBe(`localhost:5005/nodejs-express-app-image:${app.tag}`);
    // the app is built FROM the base's local ref, which the engine has
    expect(engine.builds[1].dockerfile.split('\n')[0]).toMatch(
      /^FROM nodejs-express-base-image:tilt-/,
    );
  });

  it('reuses an unchanged base and rebuilds the app after an app-only change', async () => {
    const targets = seedTargets();
    const first = await quietBuilder().buildAll(targets);
    const dirty = dirtyTargets({
      targets,
      changed: [join(seed, 'src', 'index.js')],
      built: first,
      ignores: (t) => t.ref === 'nodejs-express-base-image',
    });
    expect([...dirty]).toEqual(['nodejs-express-app-image']);
    const engine = new RecordingEngine();
    const second = await quietBuilder(engine).buildAll(targets, {
      previous: first,
      dirty,
    });
    expect(engine.builds).toHaveLength(1);
    expect(second.get('nodejs-express-base-image')).toBe(first.get('nodejs-express-base-image'));
  });

  it('rebuilds the app when the base rebuilt', async () => {
    const targets = seedTargets();
    const first = await quietBuilder().buildAll(targets);
    const engine = new RecordingEngine();
    await quietBuilder(engine).buildAll(targets, {
      previous: first,
      dirty: new Set(['nodejs-express-base-image']),
    });
    expect(engine.builds).toHaveLength(2);
  });
});

describe('failures', () => {
  /** An engine failing in one of its calls, as a stopped or failing daemon would. */
  class FailingEngine extends RecordingEngine {
    constructor(private fail: { build?: Error; tag?: Error }) {
      super();
    }
    recover() {
      this.fail = {};
    }
    override async build(...args: Parameters<RecordingEngine['build']>) {
      if (this.fail.build) throw this.fail.build;
      return super.build(...args);
    }
    override async tag(id: string, repo: string, tag: string) {
      if (this.fail.tag) throw this.fail.tag;
      return super.tag(id, repo, tag);
    }
  }

  const unreachable = () =>
    new DockerUnreachableError('unix:///var/run/docker.sock', 'ECONNREFUSED');

  async function failureOf(engine: BuildEngine): Promise<ImageBuildError> {
    const err = await quietBuilder(engine)
      .buildAll(seedTargets())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageBuildError);
    return err as ImageBuildError;
  }

  it('says when the engine could not be reached, so that the build can be retried', async () => {
    const err = await failureOf(new FailingEngine({ build: unreachable() }));
    expect(err.ref).toBe('nodejs-express-base-image');
    expect(err.engineUnreachable).toBe(true);
    expect(err.message).toBe(
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon ' +
        'running? Start it (e.g. `sudo dockerd` or Docker Desktop) and tilt will retry.',
    );
  });

  it('names the image when an engine call after the build fails', async () => {
    const err = await failureOf(new FailingEngine({ tag: unreachable() }));
    expect(err.ref).toBe('nodejs-express-base-image');
    expect(err.engineUnreachable).toBe(true);
  });

  it('names the failing step of a failed build, which a retry would not fix', async () => {
    const failed = new BuildError('exit code: 1', { step: '[2/2] RUN false' });
    const err = await failureOf(new FailingEngine({ build: failed }));
    expect(err.message).toBe('[2/2] RUN false: exit code: 1');
    expect(err.engineUnreachable).toBe(false);
    expect(err.cause).toBe(failed);
  });

  it('builds on a retry once the engine answers again', async () => {
    const engine = new FailingEngine({ build: unreachable() });
    const builder = quietBuilder(engine);
    await expect(builder.buildAll(seedTargets())).rejects.toMatchObject({
      engineUnreachable: true,
    });
    engine.recover();
    expect([...(await builder.buildAll(seedTargets())).keys()]).toEqual([
      'nodejs-express-base-image',
      'nodejs-express-app-image',
    ]);
    expect(engine.builds).toHaveLength(2);
  });
});

describe('build plans', () => {
  it('marks targets never built', () => {
    const targets = seedTargets();
    expect(dirtyTargets({ targets, changed: [], built: new Map<string, BuiltImage>() })).toEqual(
      new Set(['nodejs-express-base-image', 'nodejs-express-app-image']),
    );
  });

  it("words the reason as Tilt's log does", () => {
    expect(buildReason([], '/p', true)).toBe('Initial Build');
    expect(buildReason(['/p/a.js'], '/p', false)).toBe('1 File Changed: [a.js]');
    expect(buildReason(['/p/a.js', '/p/b/c.js'], '/p', false)).toBe(
      '2 Files Changed: [a.js b/c.js]',
    );
  });
});

describe('content tags', () => {
  it('take the first 16 hex digits of the image id', () => {
    expect(contentTag('sha256:19328501fd376562aaaa')).toBe('tilt-19328501fd376562');
  });
});

describe('custom_build options', () => {
  function customTargets(options: string) {
    const r = loadProject({
      Tiltfile: `custom_build('custom-img', 'true', deps=['.'], ${options})\nk8s_yaml('pod.yml')\n`,
      'pod.yml': podYAML('p', 'custom-img'),
    });
    expect(r.error).toBeNull();
    return r.manifests[0].imageTargets;
  }

  it('deploys the ref a skips_local_docker build reports, without inspecting or pushing', async () => {
    const engine = new RecordingEngine();
    const built = await new ImageBuilder({
      engine,
      log: () => {},
      push: true,
      registry: { host: 'localhost:5005', hostFromCluster: '', singleName: '' },
      env: { PATH: process.env.PATH ?? '' },
    }).buildAll(customTargets("skips_local_docker=True, tag='v1'"));
    const b = built.get('custom-img')!;
    expect(b.deployRef).toBe('custom-img:v1');
    expect(b.pushed).toBe(false);
    expect(engine.pushes).toEqual([]);
  });

  it('does not push a disable_push build', async () => {
    const engine = new RecordingEngine();
    engine.inspect = async () => ({ id: 'sha256:' + 'ab'.repeat(32) });
    const built = await new ImageBuilder({
      engine,
      log: () => {},
      push: true,
      registry: { host: 'localhost:5005', hostFromCluster: '', singleName: '' },
      env: { PATH: process.env.PATH ?? '' },
    }).buildAll(customTargets('disable_push=True'));
    expect(engine.pushes).toEqual([]);
    expect(built.get('custom-img')!.localRef).toBe('custom-img:tilt-abababababababab');
  });
});

describe('the record of earlier builds', () => {
  /** An engine that has every image it tagged. */
  class KeepingEngine extends RecordingEngine {
    images = new Map<string, string>();
    override async tag(id: string, repo: string, tag: string) {
      await super.tag(id, repo, tag);
      this.images.set(`${repo}:${tag}`, id);
    }
    override async inspect(ref: string) {
      const id = this.images.get(ref);
      return id ? { id } : undefined;
    }
  }

  it('reuses images whose inputs are unchanged when tilt starts again', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'record-')), 'builds.json');
    const engine = new KeepingEngine();
    const first = await new ImageBuilder({
      engine,
      log: () => {},
      push: false,
      record: new BuildRecord(path),
    }).buildAll(seedTargets());
    const log: string[] = [];
    const again = new KeepingEngine();
    again.images = engine.images;
    const second = await new ImageBuilder({
      engine: again,
      log: (l) => log.push(l),
      push: false,
      record: new BuildRecord(path),
    }).buildAll(seedTargets());
    expect(again.builds).toHaveLength(0);
    expect(second.get('nodejs-express-app-image')!.localRef).toBe(
      first.get('nodejs-express-app-image')!.localRef,
    );
    expect(log.some((l) => l.includes('its inputs are unchanged'))).toBe(true);
  });

  it('rebuilds when the recorded image is gone', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'record-')), 'builds.json');
    await new ImageBuilder({
      engine: new KeepingEngine(),
      log: () => {},
      push: false,
      record: new BuildRecord(path),
    }).buildAll(seedTargets());
    const fresh = new KeepingEngine();
    await new ImageBuilder({
      engine: fresh,
      log: () => {},
      push: false,
      record: new BuildRecord(path),
    }).buildAll(seedTargets());
    expect(fresh.builds).toHaveLength(2);
  });

  it('changes the inputs digest when a context file changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'digest-'));
    writeFileSync(join(dir, 'a.txt'), 'one');
    const spec = {
      ...(seedTargets()[0].build as DockerImageSpec),
      context: dir,
      dockerfile: null,
    };
    const before = dockerInputsDigest(spec, 'FROM x\n', []);
    expect(dockerInputsDigest(spec, 'FROM x\n', [])).toBe(before);
    writeFileSync(join(dir, 'a.txt'), 'two!');
    expect(dockerInputsDigest(spec, 'FROM x\n', [])).not.toBe(before);
    expect(dockerInputsDigest(spec, 'FROM y\n', [])).not.toBe(
      dockerInputsDigest(spec, 'FROM x\n', []),
    );
  });
});
