// A build engine for tests: it records what it is asked to do; image ids hash the Dockerfile and context it received.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type { BuildEngine } from '../../src/build/builder.js';
import { BuildError, DockerUnreachableError } from '../../src/build/docker/engine.js';

export interface BuildCall {
  dockerfile: string;
  files: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  builder?: string;
}

export class RecordingEngine implements BuildEngine {
  builds: BuildCall[] = [];
  tags: string[] = [];
  pushes: string[] = [];
  /** What preferredBuilder answers. */
  builder: 'classic' | 'buildkit' = 'buildkit';

  async preferredBuilder() {
    return this.builder;
  }

  async build(
    tar: Readable,
    opts: {
      builder?: 'classic' | 'buildkit';
      dockerfile: string;
      buildArgs: Record<string, string>;
      labels?: Record<string, string>;
    },
    onLine: (line: string) => void,
  ) {
    if (this.unreachableBuilds > 0) {
      this.unreachableBuilds--;
      tar.resume();
      throw new DockerUnreachableError('unix:///var/run/docker.sock', 'ECONNREFUSED');
    }
    const entries = new Map<string, string>();
    await new Promise<void>((done, fail) => {
      const x = extract();
      x.on('entry', (header, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          entries.set(header.name, Buffer.concat(chunks).toString('utf8'));
          next();
        });
      });
      x.on('finish', done);
      x.on('error', fail);
      tar.pipe(x);
    });
    const dockerfile = entries.get(opts.dockerfile) ?? '';
    this.builds.push({
      dockerfile,
      files: [...entries.keys()].sort(),
      buildArgs: opts.buildArgs,
      labels: opts.labels ?? {},
      builder: opts.builder,
    });
    if (this.failOn && dockerfile.includes(this.failOn)) {
      onLine(`${this.failOn}: failing as asked`);
      throw new BuildError('exit code: 1', { step: this.failOn, stepOutput: ['failing as asked'] });
    }
    onLine('Step 1/1 : FROM scratch');
    // Like a real engine: the same Dockerfile and context give the same image.
    const hash = createHash('sha256').update(dockerfile);
    for (const name of [...entries.keys()].sort()) hash.update(`\0${name}\0${entries.get(name)}`);
    return { imageId: 'sha256:' + hash.digest('hex') };
  }
  /** While above 0, builds fail as if Docker did not answer (counting down). */
  unreachableBuilds = 0;
  /** Builds of a Dockerfile holding this text fail. */
  failOn?: string;
  /** Whether inspect() finds the images it tagged (else it finds nothing). */
  knowsTags = false;
  private readonly tagged = new Map<string, string>();

  async tag(id: string, repo: string, tag: string) {
    this.tags.push(`${repo}:${tag}`);
    this.tagged.set(`${repo}:${tag}`, id);
  }
  async inspect(ref: string): Promise<{ id: string } | undefined> {
    const id = this.knowsTags ? this.tagged.get(ref) : undefined;
    return id === undefined ? undefined : { id };
  }
  async push(ref: string, onLine: (line: string) => void) {
    this.pushes.push(ref);
    onLine(`pushed ${ref}`);
  }
}
