// Set-up for integration tests against the real Docker engine and the registry on
// 127.0.0.1:5005 that scripts/ci-services.sh starts. Nothing is ever pulled: base images
// are imported from a busybox root filesystem.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import {
  connectDocker,
  DockerUnreachableError,
  type DockerEngine,
} from '../../src/build/docker/engine.js';

export const REGISTRY = '127.0.0.1:5005';
export const BUSYBOX_BASE = 'tilt-test-busybox:latest';

const SETUP_HINT =
  'Integration tests need a Docker engine and a registry at 127.0.0.1:5005: ' +
  'run `bash scripts/ci-services.sh` (as root) first.';

const BUSYBOX = '/usr/bin/busybox';
/** Bump when the base image's contents change, so that older imports are replaced. */
const FIXTURE_LABEL = 'dev.tilt.test.fixture';
const FIXTURE_VERSION = 'busybox-1';

let engineConnection: Promise<DockerEngine> | undefined;

/** The local engine, after checking that it answers. Fails (never skips) when it does not. */
export function dockerEngine(): Promise<DockerEngine> {
  engineConnection ??= (async () => {
    const engine = connectDocker();
    try {
      await engine.ping();
    } catch (err) {
      if (err instanceof DockerUnreachableError) {
        throw new Error(`${err.message}\n${SETUP_HINT}`, { cause: err });
      }
      throw err;
    }
    return engine;
  })();
  engineConnection.catch(() => {
    engineConnection = undefined;
  });
  return engineConnection;
}

/** Fails with a set-up hint unless the test registry answers. */
export async function ensureRegistry(): Promise<void> {
  const status = await new Promise<number | string>((resolve) => {
    const req = http.get(`http://${REGISTRY}/v2/`, { timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => resolve(err.message));
  });
  if (status !== 200) {
    throw new Error(`No registry answers at http://${REGISTRY}/v2/ (${status}).\n${SETUP_HINT}`);
  }
}

const baseImages = new Map<string, Promise<string>>();

/**
 * Makes sure a busybox base image named `name` exists, importing it (`docker import`) from
 * a root filesystem built around /usr/bin/busybox when it is missing. Returns its image ID.
 */
export function ensureBusyboxBase(engine: DockerEngine, name = BUSYBOX_BASE): Promise<string> {
  let pending = baseImages.get(name);
  if (!pending) {
    pending = importBusyboxBase(engine, name);
    baseImages.set(name, pending);
    pending.catch(() => baseImages.delete(name));
  }
  return pending;
}

async function importBusyboxBase(engine: DockerEngine, name: string): Promise<string> {
  const existing = await engine.inspect(name);
  if (existing && existing.labels[FIXTURE_LABEL] === FIXTURE_VERSION) return existing.id;
  if (!fs.existsSync(BUSYBOX)) {
    throw new Error(`${BUSYBOX} is missing (Debian package busybox-static).\n${SETUP_HINT}`);
  }
  const { imageId } = await engine.importImage(busyboxRootfs(), name, {
    changes: [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'CMD ["sh"]',
      `LABEL ${FIXTURE_LABEL}=${FIXTURE_VERSION}`,
    ],
    message: 'busybox root filesystem for tilt-ts tests',
  });
  return imageId;
}

/** A tar stream of a minimal root filesystem: busybox, its applet links, /tmp, /etc. */
export function busyboxRootfs(): Readable {
  const pack = tar.pack();
  const mtime = new Date();
  const dir = (name: string, mode = 0o755) =>
    pack.entry({ name, type: 'directory', mode, mtime, uid: 0, gid: 0 });
  const file = (name: string, content: string, mode = 0o644) =>
    pack.entry({ name, mode, mtime, uid: 0, gid: 0 }, content);

  const applets = busyboxApplets();
  const write = async () => {
    for (const d of ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'var']) dir(d);
    dir('tmp', 0o1777);
    dir('var/tmp', 0o1777);
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    file('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
    const { size } = fs.statSync(BUSYBOX);
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry(
        { name: 'bin/busybox', size, mode: 0o755, mtime, uid: 0, gid: 0 },
        (err) => (err ? reject(err) : resolve()),
      );
      const source = fs.createReadStream(BUSYBOX);
      source.on('error', reject);
      source.pipe(entry);
    });
    for (const applet of applets) {
      if (applet === 'bin/busybox') continue;
      pack.entry({
        name: applet,
        type: 'symlink',
        linkname: '/bin/busybox',
        mode: 0o777,
        mtime,
        uid: 0,
        gid: 0,
      });
    }
    pack.finalize();
  };
  write().catch((err: Error) => pack.destroy(err));
  return Readable.from(pack);
}

/** Applet paths relative to /, e.g. `bin/sh`, `usr/bin/env`. */
function busyboxApplets(): string[] {
  const list = (flag: string) =>
    execFileSync(BUSYBOX, [flag], { encoding: 'utf8' })
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  let applets: string[];
  try {
    applets = list('--list-full');
  } catch {
    applets = list('--list').map((a) => `bin/${a}`);
  }
  const dirs = new Set(['bin', 'sbin', 'usr/bin', 'usr/sbin']);
  return [...new Set(applets)].filter((a) => {
    const slash = a.lastIndexOf('/');
    return slash < 0 || dirs.has(a.slice(0, slash));
  });
}

/** A name no other test (or test run) uses: `<prefix>-<random>`, valid as a repository. */
export function uniqueRepo(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return `${clean}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Collects images made by a test and removes them afterwards:
 * `const images = imageJanitor(engine); afterAll(() => images.cleanup());`
 */
export function imageJanitor(engine: DockerEngine) {
  const refs: string[] = [];
  const repos: string[] = [];
  const manifests: { repo: string; digest: string }[] = [];
  return {
    /** Removes this image ID or reference at cleanup. */
    add(ref: string): string {
      refs.push(ref);
      return ref;
    },
    /** Removes every tag of this repository at cleanup. */
    addRepo(repo: string): string {
      repos.push(repo);
      return repo;
    },
    /** Deletes this manifest (`repo` with or without the registry host) from REGISTRY at cleanup. */
    addManifest(repo: string, digest: string): void {
      manifests.push({ repo, digest });
    },
    async cleanup(): Promise<void> {
      for (const { repo, digest } of manifests) {
        await deleteManifest(repo, digest).catch(() => undefined);
      }
      for (const repo of repos) await removeRepo(engine, repo);
      for (const ref of [...refs].reverse()) {
        await engine.removeImage(ref, { force: true }).catch(() => false);
      }
      refs.length = 0;
      repos.length = 0;
      manifests.length = 0;
    },
  };
}

/** Removes every local tag of `repo` (images keep other names they have). */
export async function removeRepo(engine: DockerEngine, repo: string): Promise<void> {
  const images = await engine.listImages({ references: [repo] });
  for (const image of images) {
    for (const tag of image.repoTags) {
      if (tag.startsWith(`${repo}:`)) await engine.removeImage(tag, { force: true });
    }
  }
}

/** Deletes a manifest from the test registry (its storage allows deletes). */
export async function deleteManifest(repo: string, digest: string): Promise<void> {
  const name = repo.startsWith(`${REGISTRY}/`) ? repo.slice(REGISTRY.length + 1) : repo;
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(
      `http://${REGISTRY}/v2/${name}/manifests/${digest}`,
      { method: 'DELETE', timeout: 5000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
  if (status !== 202 && status !== 404) {
    throw new Error(`deleting ${name}@${digest} from ${REGISTRY}: HTTP ${status}`);
  }
}
