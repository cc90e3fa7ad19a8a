import net from 'node:net';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BuildError,
  connectDocker,
  type BuilderKind,
  DockerEngine,
  DockerUnreachableError,
  PushError,
  splitRef,
  TILT_BUILT_LABEL,
} from '../../src/build/docker/engine.js';
import {
  BUSYBOX_BASE,
  dockerEngine,
  ensureBusyboxBase,
  ensureRegistry,
  imageJanitor,
  REGISTRY,
  uniqueRepo,
} from './fixtures.js';

const SLOW = 120_000;
/** Appended to RUN lines so that no step comes from the layer cache of an earlier run. */
const FRESH = `# ${uniqueRepo('run')}`;

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** A build context tar made from a map of path to content. */
function contextTar(files: Record<string, string>): Readable {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return Readable.from(pack);
}

async function buildFiles(
  engine: DockerEngine,
  files: Record<string, string>,
  opts: Partial<Parameters<DockerEngine['build']>[1]> = {},
) {
  const lines: string[] = [];
  const result = await engine.build(
    contextTar(files),
    { dockerfile: 'Dockerfile', buildArgs: {}, ...opts },
    (line) => lines.push(line),
  );
  return { ...result, lines };
}

/**
 * Builds a Dockerfile whose third step prints to stdout and stderr, then ends with `last`;
 * returns the BuildError and the output lines.
 */
async function failingBuild(engine: DockerEngine, last: string, builder?: BuilderKind) {
  const lines: string[] = [];
  const err = await engine
    .build(
      contextTar({
        Dockerfile: [
          `FROM ${BUSYBOX_BASE}`,
          `RUN echo before-the-failure ${FRESH}`,
          `RUN echo about-to-fail && echo on-stderr >&2 && ${last}`,
          'RUN echo never-runs',
          '',
        ].join('\n'),
      }),
      { dockerfile: 'Dockerfile', buildArgs: {}, builder },
      (line) => lines.push(line),
    )
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BuildError);
  return { err: err as BuildError, lines };
}

describe('connectDocker', () => {
  it('names the address it connects to', () => {
    expect(connectDocker({}).host).toBe('unix:///var/run/docker.sock');
    expect(connectDocker({ DOCKER_HOST: 'unix:///tmp/d.sock' }).host).toBe('unix:///tmp/d.sock');
    expect(connectDocker({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }).host).toBe(
      'tcp://127.0.0.1:2375',
    );
    expect(connectDocker({ DOCKER_HOST: 'localhost:1234' }).host).toBe('tcp://localhost:1234');
  });

  it('rejects addresses it cannot use', () => {
    expect(() => connectDocker({ DOCKER_HOST: 'ssh://me@box' })).toThrow(/not supported/);
  });

  it('fails with DockerUnreachableError for a socket that does not exist', async () => {
    const engine = connectDocker({ DOCKER_HOST: 'unix:///nonexistent.sock' });
    const err = await engine.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnreachableError);
    expect((err as DockerUnreachableError).host).toBe('unix:///nonexistent.sock');
    expect((err as Error).message).toBe(
      'Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon ' +
        'running? Start it (e.g. `sudo dockerd` or Docker Desktop) and tilt will retry.',
    );
  });

  it('fails with DockerUnreachableError for a TCP port nobody listens on', async () => {
    const engine = connectDocker({ DOCKER_HOST: 'tcp://127.0.0.1:1' });
    const err = await engine.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerUnreachableError);
    expect((err as Error).message).toContain('tcp://127.0.0.1:1');
    // Other calls fail the same way.
    await expect(engine.inspect('busybox')).rejects.toBeInstanceOf(DockerUnreachableError);
    await expect(
      engine.build(
        contextTar({ Dockerfile: 'FROM scratch\n' }),
        { dockerfile: 'Dockerfile', buildArgs: {} },
        () => {},
      ),
    ).rejects.toBeInstanceOf(DockerUnreachableError);
  });

  it('gives up on an engine that does not answer', async () => {
    const server = net.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const engine = connectDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      const err = await engine.ping(300).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DockerUnreachableError);
      expect((err as DockerUnreachableError).code).toBe('ETIMEDOUT');
      expect((err as Error).message).toContain(`tcp://127.0.0.1:${port} (timed out)`);
    } finally {
      server.close();
    }
  });

  it('splits references with registry ports', () => {
    expect(splitRef('127.0.0.1:5005/app:tilt-0123')).toEqual({
      repo: '127.0.0.1:5005/app',
      tag: 'tilt-0123',
      digest: undefined,
    });
    expect(splitRef('127.0.0.1:5005/app')).toEqual({ repo: '127.0.0.1:5005/app' });
    expect(splitRef('app@sha256:abc')).toEqual({ repo: 'app', digest: 'sha256:abc' });
  });
});

describe('DockerEngine against the local engine', () => {
  let engine: DockerEngine;
  let images: ReturnType<typeof imageJanitor>;

  beforeAll(async () => {
    engine = await dockerEngine();
    images = imageJanitor(engine);
    await ensureBusyboxBase(engine);
  }, SLOW);

  afterAll(async () => {
    await images?.cleanup();
  }, SLOW);

  it('pings and reports its version', async () => {
    await engine.ping();
    const v = await engine.version();
    expect(v.apiVersion).toMatch(/^1\.\d+$/);
    expect(v.os).toBe('linux');
  });

  it('has an imported busybox base image', async () => {
    const info = await engine.inspect(BUSYBOX_BASE);
    expect(info?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Idempotent: a second call keeps the same image.
    expect(await ensureBusyboxBase(engine)).toBe(info?.id);
  });

  it(
    'builds a context with RUN, COPY and build args',
    async () => {
      const { imageId, lines } = await buildFiles(
        engine,
        {
          Dockerfile: [
            `FROM ${BUSYBOX_BASE}`,
            'ARG GREETING=unset',
            `RUN echo "greeting=$GREETING" && mkdir -p /app && echo "$GREETING" > /app/greeting.txt ${FRESH}`,
            'COPY hello.txt /app/hello.txt',
            'RUN cat /app/hello.txt',
            '',
          ].join('\n'),
          'hello.txt': 'hello from the context\n',
        },
        { buildArgs: { GREETING: 'hi-from-args' }, labels: { 'dev.tilt.test': 'engine' } },
      );
      images.add(imageId);
      expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The classic builder adds one LABEL step per label, sorted by key, after the
      // Dockerfile's own steps.
      expect(lines).toContain(`Step 1/7 : FROM ${BUSYBOX_BASE}`);
      expect(lines).toContain('Step 4/7 : COPY hello.txt /app/hello.txt');
      expect(lines).toContain('Step 6/7 : LABEL dev.tilt.built=true');
      expect(lines).toContain('greeting=hi-from-args');
      expect(lines).toContain('hello from the context');
      expect(lines).toContain(`Successfully built ${imageId.slice(7, 19)}`);
      for (const line of lines) expect(line).not.toMatch(/\n/);

      const info = await engine.inspect(imageId);
      expect(info?.id).toBe(imageId);
      expect(info?.labels).toMatchObject({
        [TILT_BUILT_LABEL]: 'true',
        'dev.tilt.test': 'engine',
      });

      // The files are in the image: a build on top of it checks them.
      const check = await buildFiles(engine, {
        Dockerfile: [
          `FROM ${imageId}`,
          'RUN test "$(cat /app/greeting.txt)" = hi-from-args',
          'RUN test "$(cat /app/hello.txt)" = "hello from the context"',
          '',
        ].join('\n'),
      });
      images.add(check.imageId);
    },
    SLOW,
  );

  it(
    'uses the named Dockerfile and stops at the target stage',
    async () => {
      const { imageId, lines } = await buildFiles(
        engine,
        {
          'build/app.Dockerfile': [
            `FROM ${BUSYBOX_BASE} AS first`,
            `RUN echo in-first-stage > /stage ${FRESH}`,
            `FROM ${BUSYBOX_BASE} AS second`,
            'RUN echo in-second-stage',
            '',
          ].join('\n'),
        },
        { dockerfile: 'build/app.Dockerfile', target: 'first', tags: [] },
      );
      images.add(imageId);
      expect(lines).toContainEqual(expect.stringMatching(/^Step 2\/\d+ : RUN echo in-first-stage/));
      expect(lines.join('\n')).not.toContain('in-second-stage');
    },
    SLOW,
  );

  it(
    'gives a BuildError with the failing instruction and its output',
    async () => {
      const { err: buildErr, lines } = await failingBuild(engine, 'false');
      expect(buildErr.message).toBe(
        "The command '/bin/sh -c echo about-to-fail && echo on-stderr >&2 && false' " +
          'returned a non-zero code: 1',
      );
      expect(buildErr.code).toBe(1);
      expect(buildErr.step).toBe(
        'Step 3/5 : RUN echo about-to-fail && echo on-stderr >&2 && false',
      );
      // Output keeps the engine's colours: stderr comes wrapped in ESC[91m ... ESC[0m.
      const plain = buildErr.stepOutput.map(stripAnsi);
      expect(plain).toContain('about-to-fail');
      expect(plain).toContain('on-stderr');
      expect(plain).not.toContain('before-the-failure');
      expect(buildErr.tail).toContain('before-the-failure');
      // The step before the failure left an untagged image behind.
      const kept = buildErr.tail
        .map((l) => / ---> ([0-9a-f]{12})$/.exec(l)?.[1])
        .filter((id) => id !== undefined);
      images.add(kept[kept.length - 1]!);
      expect(lines.map(stripAnsi)).toContain('about-to-fail');
      expect(lines.join('\n')).not.toContain('never-runs');
    },
    SLOW,
  );

  it(
    'gives a BuildError for a Dockerfile the engine cannot parse, with either builder',
    async () => {
      for (const builder of ['classic', 'buildkit'] as const) {
        const err = await buildFiles(
          engine,
          { Dockerfile: `FROM ${BUSYBOX_BASE}\nNOTANINSTRUCTION foo\n` },
          { builder },
        ).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BuildError);
        expect((err as Error).message).toMatch(/unknown instruction: NOTANINSTRUCTION/i);
      }
    },
    SLOW,
  );

  it(
    'gives a BuildError for a missing base image',
    async () => {
      const err = await buildFiles(engine, {
        Dockerfile: 'FROM tilt-test-does-not-exist-anywhere:nope\n',
      }).catch((e: unknown) => e);
      // The engine tries Docker Hub, which cannot be reached from here.
      expect(err).toBeInstanceOf(BuildError);
      expect((err as BuildError).step).toBe(
        'Step 1/2 : FROM tilt-test-does-not-exist-anywhere:nope',
      );
      expect((err as BuildError).tail).toContain((err as BuildError).step);
    },
    SLOW,
  );

  it('prefers BuildKit on this engine unless DOCKER_BUILDKIT says otherwise', async () => {
    expect(await engine.preferredBuilder({})).toBe('buildkit');
    expect(await engine.preferredBuilder({ DOCKER_BUILDKIT: '0' })).toBe('classic');
    expect(await engine.preferredBuilder({ DOCKER_BUILDKIT: 'false' })).toBe('classic');
    expect(await engine.preferredBuilder({ DOCKER_BUILDKIT: '1' })).toBe('buildkit');
  });

  it(
    'builds with BuildKit: args, labels without a step of their own, output in Tilt format',
    async () => {
      const repo = uniqueRepo('buildkit');
      images.addRepo(repo);
      const { imageId, lines } = await buildFiles(
        engine,
        {
          Dockerfile: [
            `FROM ${BUSYBOX_BASE}`,
            'ARG GREETING=unset',
            `RUN echo "greeting=$GREETING" && echo "$GREETING" > /greeting.txt ${FRESH}`,
            'COPY hello.txt /hello.txt',
            '',
          ].join('\n'),
          'hello.txt': 'hello from the context\n',
        },
        {
          builder: 'buildkit',
          buildArgs: { GREETING: 'hi-from-args' },
          labels: { 'dev.tilt.test': 'engine' },
          tags: [`${repo}:latest`],
        },
      );
      images.add(imageId);
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\[1/3\\] FROM \\S*${BUSYBOX_BASE}`)),
      );
      expect(lines).toContain('→ greeting=hi-from-args');
      expect(lines).toContainEqual(expect.stringMatching(/^\[3\/3\] COPY hello.txt \/hello.txt/));
      expect(lines.join('\n')).not.toMatch(/LABEL|Step \d/);
      const info = await engine.inspect(imageId);
      expect(info?.labels).toMatchObject({ [TILT_BUILT_LABEL]: 'true', 'dev.tilt.test': 'engine' });
      const check = await buildFiles(
        engine,
        {
          // BuildKit takes names, not image IDs, in FROM.
          Dockerfile: [
            `FROM ${repo}:latest`,
            'RUN test "$(cat /greeting.txt)" = hi-from-args',
            'RUN test "$(cat /hello.txt)" = "hello from the context"',
            '',
          ].join('\n'),
        },
        { builder: 'buildkit' },
      );
      images.add(check.imageId);
    },
    SLOW,
  );

  it(
    'gives the same image ID to an unchanged BuildKit build',
    async () => {
      const files = {
        Dockerfile: `FROM ${BUSYBOX_BASE}\nCOPY a.txt /a.txt\nRUN echo built > /b ${FRESH}\n`,
        'a.txt': 'same content\n',
      };
      const first = await buildFiles(engine, files, { builder: 'buildkit' });
      images.add(first.imageId);
      const second = await buildFiles(engine, files, { builder: 'buildkit' });
      expect(second.imageId).toBe(first.imageId);
      expect(second.lines).toContainEqual(expect.stringMatching(/^\[3\/3\] RUN .* \[cached\]$/));
      const changed = await buildFiles(
        engine,
        { ...files, 'a.txt': 'other content\n' },
        { builder: 'buildkit' },
      );
      images.add(changed.imageId);
      expect(changed.imageId).not.toBe(first.imageId);
    },
    SLOW,
  );

  it(
    'gives a BuildError naming the failing BuildKit step, with its output',
    async () => {
      const { err: buildErr, lines } = await failingBuild(engine, 'exit 3', 'buildkit');
      expect(buildErr.message).toMatch(/exit code: 3$/);
      expect(buildErr.code).toBe(3);
      expect(buildErr.step).toBe('[3/4] RUN echo about-to-fail && echo on-stderr >&2 && exit 3');
      // stdout and stderr arrive on separate streams, in either order.
      expect([...buildErr.stepOutput].sort()).toEqual(['about-to-fail', 'on-stderr']);
      expect(lines).toContain(`ERROR IN: ${buildErr.step}`);
      expect(buildErr.tail).toContain('→ before-the-failure');
      expect(lines.join('\n')).not.toContain('never-runs');
    },
    SLOW,
  );

  it(
    'stops a BuildKit build when its signal aborts',
    async () => {
      const controller = new AbortController();
      const pending = engine.build(
        contextTar({
          Dockerfile: `FROM ${BUSYBOX_BASE}\nRUN echo sleeping && sleep 60 ${FRESH}\n`,
        }),
        { dockerfile: 'Dockerfile', buildArgs: {}, builder: 'buildkit', signal: controller.signal },
        (line) => {
          if (line === '→ sleeping') controller.abort();
        },
      );
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    },
    SLOW,
  );

  it(
    'stops a build when its signal aborts',
    async () => {
      const controller = new AbortController();
      const started = Date.now();
      const pending = engine.build(
        contextTar({ Dockerfile: `FROM ${BUSYBOX_BASE}\nRUN echo sleeping && sleep 60\n` }),
        { dockerfile: 'Dockerfile', buildArgs: {}, signal: controller.signal },
        (line) => {
          if (line === 'sleeping') controller.abort();
        },
      );
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(30_000);
    },
    SLOW,
  );

  it(
    'tags and inspects images',
    async () => {
      const { imageId } = await buildFiles(engine, {
        Dockerfile: `FROM ${BUSYBOX_BASE}\nRUN echo tagged > /tagged ${FRESH}\n`,
      });
      images.add(imageId);
      const repo = images.addRepo(uniqueRepo('tilt-engine-tag'));
      await engine.tag(imageId, repo, 'v1');
      await engine.tag(imageId, repo, 'v2');

      const info = await engine.inspect(`${repo}:v1`);
      expect(info?.id).toBe(imageId);
      expect(info?.repoTags).toEqual(expect.arrayContaining([`${repo}:v1`, `${repo}:v2`]));
      expect(info?.created).toBeInstanceOf(Date);
      expect(Number.isNaN(info?.created.getTime())).toBe(false);
      expect(await engine.imageExists(`${repo}:v1`)).toBe(true);

      const listed = await engine.listImages({ labels: [`${TILT_BUILT_LABEL}=true`] });
      expect(listed.map((i) => i.id)).toContain(imageId);

      expect(await engine.inspect(`${repo}:missing`)).toBeUndefined();
      expect(await engine.imageExists(`${repo}:missing`)).toBe(false);
      expect(await engine.removeImage(`${repo}:v1`)).toBe(true);
      expect(await engine.removeImage(`${repo}:v1`)).toBe(false);
      // Removing a name keeps the image while it has another one; the last name takes it along.
      expect(await engine.imageExists(imageId)).toBe(true);
      expect(await engine.removeImage(`${repo}:v2`)).toBe(true);
      expect(await engine.imageExists(imageId)).toBe(false);
    },
    SLOW,
  );

  describe('with the registry', () => {
    beforeAll(async () => {
      await ensureRegistry();
    });

    it(
      'pushes to the local registry and pulls back by tag',
      async () => {
        const { imageId } = await buildFiles(engine, {
          Dockerfile: `FROM ${BUSYBOX_BASE}\nRUN echo pushed > /pushed ${FRESH}\n`,
        });
        images.add(imageId);
        const repo = images.addRepo(`${REGISTRY}/${uniqueRepo('tilt-engine-push')}`);
        const ref = `${repo}:tilt-0123456789abcdef`;
        await engine.tag(imageId, repo, 'tilt-0123456789abcdef');

        const lines: string[] = [];
        const result = await engine.push(ref, (line) => lines.push(line));
        expect(result.tag).toBe('tilt-0123456789abcdef');
        expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        images.addManifest(repo, result.digest!);
        expect(lines[0]).toBe(`The push refers to repository [${repo}]`);
        expect(lines.some((l) => /: Pushed$/.test(l))).toBe(true);
        // One line per layer status, not one per progress update.
        expect(new Set(lines).size).toBe(lines.length);

        // Removing the image, then pulling it back gives the same image.
        await engine.removeImage(ref);
        await engine.removeImage(imageId, { force: true });
        expect(await engine.imageExists(ref)).toBe(false);
        const pulled: string[] = [];
        await engine.pull(ref, (line) => pulled.push(line));
        const info = await engine.inspect(ref);
        expect(info?.id).toBe(imageId);
        expect(info?.repoDigests).toContain(`${repo}@${result.digest}`);
        expect(pulled.some((l) => l.includes('Downloaded newer image'))).toBe(true);
      },
      SLOW,
    );

    it('gives a PushError for an image that does not exist', async () => {
      const ref = `${REGISTRY}/${uniqueRepo('tilt-engine-missing')}:nope`;
      const err = await engine.push(ref, () => {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PushError);
      expect((err as PushError).ref).toBe(ref);
      // A 20.10 engine reports this inside the progress stream, not as an HTTP error.
      expect((err as PushError).engineMessage).toMatch(
        /^An image does not exist locally with the tag: /,
      );
      expect((err as Error).message).toBe(`pushing ${ref}: ${(err as PushError).engineMessage}`);
    });

    it(
      'gives a PushError when no registry answers',
      async () => {
        const { imageId } = await buildFiles(engine, {
          Dockerfile: `FROM ${BUSYBOX_BASE}\nRUN echo unpushable > /unpushable ${FRESH}\n`,
        });
        images.add(imageId);
        const repo = images.addRepo(`127.0.0.1:5999/${uniqueRepo('tilt-engine-noreg')}`);
        await engine.tag(imageId, repo, 'v1');
        const lines: string[] = [];
        const err = await engine.push(`${repo}:v1`, (l) => lines.push(l)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PushError);
        expect((err as PushError).engineMessage).toMatch(/connection refused/);
        expect(lines).toContain((err as PushError).engineMessage);
      },
      SLOW,
    );
  });
});
