// A small on-disk record of build inputs → built image, so that when tilt
// starts again an image whose inputs are unchanged and whose tag still exists
// is reused instead of rebuilt. Inputs are what the build sends: the Dockerfile
// after FROM injection, the build options, and the context's files (path,
// size, modification time and mode; contents are not read).

import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { DockerImageSpec } from '../tiltfile/builtins/images.js';
import type { BuiltImage } from './builder.js';

/** What a record keeps of a local build. */
export type RecordedImage = Pick<BuiltImage, 'ref' | 'imageId' | 'tag' | 'localRef'>;
import { contextIgnore } from './context-ignore.js';

/** The digest of everything a Docker build of `spec` depends on. */
export function dockerInputsDigest(
  spec: DockerImageSpec,
  dockerfile: string,
  extraIgnores: string[],
): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      ref: spec.ref,
      dockerfile,
      buildArgs: spec.buildArgs,
      target: spec.target,
      network: spec.network,
      platform: spec.platform,
      extraHosts: spec.extraHosts,
      cacheFrom: spec.cacheFrom,
      pull: spec.pull,
      ignore: spec.ignore,
      only: spec.only,
    }),
  );
  const matcher = contextIgnore(spec.context, {
    dockerfile: spec.dockerfile,
    ignore: [...spec.ignore, ...extraIgnores],
    only: spec.only,
  });
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const st = lstatSync(childAbs, { throwIfNoEntry: false });
      if (!st) continue;
      const ignored = matcher.ignores(childRel);
      if (st.isDirectory()) {
        if (!(ignored && matcher.canPruneDir(childRel))) walk(childAbs, childRel);
      } else if (!ignored) {
        h.update(`${childRel}\0${st.size}\0${st.mtimeMs}\0${st.mode}\n`);
      }
    }
  };
  walk(spec.context, '');
  return h.digest('hex');
}

export class BuildRecord {
  private entries: Record<string, RecordedImage>;

  constructor(readonly path: string) {
    try {
      this.entries = JSON.parse(readFileSync(path, 'utf8')) as Record<string, RecordedImage>;
    } catch {
      this.entries = {}; // missing or unreadable: start afresh
    }
  }

  get(digest: string): RecordedImage | undefined {
    return this.entries[digest];
  }

  set(digest: string, image: RecordedImage): void {
    this.entries[digest] = image;
  }

  /** Writes the record (atomically: a crash never leaves half a file). */
  save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.entries));
    renameSync(tmp, this.path);
  }
}
