// The Docker build context as an uncompressed tar stream, made while walking the context
// directory, one file chunk at a time, at the pace of whoever reads it.
//
// - Paths that the ignore matcher excludes are left out (see context-ignore.ts); a directory is
//   not even listed when no exception pattern could bring back anything beneath it. The parents of
//   a file that an exception brings back are written before it.
// - The walk is depth-first in name order and every header has the same mtime, uid, gid and
//   owner names, so the same tree always gives the same bytes, and Docker the same image.
//   File modes and symlinks (not their targets) are kept; sockets, FIFOs and devices are skipped.
// - The Dockerfile to build is the first entry, with the text the caller passes (after FROM
//   injection). It is named `Dockerfile` when it is `<context>/Dockerfile`, and that file is
//   replaced; otherwise it gets a name of its own, `.tilt-dockerfile-<hash>`, that no context file
//   has. Docker sends the Dockerfile and `.dockerignore` even when .dockerignore excludes them
//   (the daemon needs them and drops them from what COPY sees), and so do we: excluding the
//   Dockerfile is allowed, and `<context>/.dockerignore`, when it is the ignore file in use, is
//   always in the tar.
// - A file that changes size while it is read is cut or padded with zeros to the size its header
//   announced, so the tar stays well formed; one that disappears during the walk is left out.

import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  statSync,
  type Stats,
} from 'node:fs';
import { lstat, open, readdir, readlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';

import { pack as tarPack, type Pack } from 'tar-stream';

import { contextIgnore, type ContextIgnoreOptions, type IgnoreMatcher } from './context-ignore.js';

export {
  contextIgnore,
  findIgnoreFile,
  IgnorePatternError,
  parseIgnoreFile,
  patternMatcher,
  type ContextIgnoreOptions,
  type IgnoreMatcher,
} from './context-ignore.js';

/** The modification time of every entry of a context tar (2000-01-01T00:00:00Z). */
export const CONTEXT_MTIME = new Date(Date.UTC(2000, 0, 1));

/** Size of the pieces a file is read in; at most one is held at a time. */
const CHUNK_SIZE = 64 * 1024;

export interface ContextTarOptions extends ContextIgnoreOptions {
  /** The Dockerfile to build, as sent (the text after FROM injection). */
  dockerfileContents: string;
}

/** What a context tar held, known once the stream has been read to its end. */
export interface ContextStats {
  files: number;
  dirs: number;
  symlinks: number;
  /** Sockets, FIFOs and devices left out. */
  skipped: number;
  /** Bytes of file content, the Dockerfile included. */
  fileBytes: number;
  /** Bytes of the tar stream. */
  tarBytes: number;
  /** Directories whose entries were listed. */
  dirsListed: number;
  /** Ignored directories skipped without being listed. */
  dirsPruned: number;
}

export interface ContextTar {
  /** The uncompressed tar; it ends with an error if the walk fails. */
  stream: Readable;
  /** The Dockerfile's path in the tar: the `dockerfile` parameter of a Docker build. */
  dockerfileName: string;
  /** The filter applied to the context. */
  matcher: IgnoreMatcher;
  /** Settles when the stream has been read to its end, or has failed or been destroyed. */
  done: Promise<ContextStats>;
}

export type ContextErrorCode = 'ENOENT' | 'ENOTDIR' | 'EABORTED';

/** A context directory that cannot be sent, or a context stream cut short. */
export class ContextError extends Error {
  constructor(
    readonly code: ContextErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContextError';
  }
}

/**
 * Starts streaming the build context at `contextDir` as a tar. Throws a ContextError at once when
 * the directory does not exist; errors met during the walk end the stream with that error.
 */
export function contextTar(contextDir: string, opts: ContextTarOptions): ContextTar {
  const root = resolve(contextDir);
  checkContextDir(root);
  const matcher = contextIgnore(root, opts);
  const dockerfileName = dockerfileEntryName(root, opts.dockerfile, opts.dockerfileContents);
  const replacesDockerfile = dockerfileName === 'Dockerfile';
  const keepAtRoot = new Set<string>();
  if (matcher.ignoreFile === join(root, '.dockerignore')) keepAtRoot.add('.dockerignore');

  const stats: ContextStats = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    skipped: 0,
    fileBytes: 0,
    tarBytes: 0,
    dirsListed: 0,
    dirsPruned: 0,
  };
  const pack = tarPack();
  const walker = new Walker(root, pack, matcher, stats, (name) =>
    name === dockerfileName && replacesDockerfile
      ? 'replace'
      : keepAtRoot.has(name)
        ? 'keep'
        : 'match',
  );

  const walking = (async () => {
    const contents = Buffer.from(opts.dockerfileContents, 'utf8');
    let mode = 0o644;
    if (replacesDockerfile) {
      try {
        mode = statSync(join(root, 'Dockerfile')).mode & 0o7777;
      } catch {
        // no Dockerfile in the context: the default mode
      }
    }
    await walker.addBuffer(dockerfileName, mode, contents);
    await walker.walk();
    pack.finalize();
  })();
  walking.catch((err: unknown) => pack.destroy(err as Error));

  let settle!: { resolve: (s: ContextStats) => void; reject: (e: unknown) => void };
  const done = new Promise<ContextStats>((res, rej) => (settle = { resolve: res, reject: rej }));
  done.catch(() => {});

  let finished = false;
  async function* output(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of pack as AsyncIterable<Buffer>) {
        stats.tarBytes += chunk.length;
        yield chunk;
      }
      await walking;
      finished = true;
      settle.resolve(stats);
    } catch (err) {
      finished = true;
      settle.reject(err);
      throw err;
    } finally {
      if (!finished) {
        finished = true;
        pack.destroy();
        settle.reject(new ContextError('EABORTED', root, `build context stream closed early`));
      }
    }
  }

  const stream = Readable.from(output(), { objectMode: false });
  stream.on('close', () => {
    if (!finished) pack.destroy();
  });
  return { stream, dockerfileName, matcher, done };
}

function checkContextDir(root: string): void {
  let st: Stats;
  try {
    st = statSync(root);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ContextError('ENOENT', root, `context directory ${root} does not exist`);
    }
    throw err;
  }
  if (!st.isDirectory()) {
    throw new ContextError('ENOTDIR', root, `context directory ${root} is not a directory`);
  }
}

/**
 * The Dockerfile's name in the tar: `Dockerfile` when it is `<context>/Dockerfile` (replacing
 * that file), else `.tilt-dockerfile-<hash of the contents>`, made unique among the context's
 * top-level names.
 */
export function dockerfileEntryName(
  contextDir: string,
  dockerfile: string | null,
  contents: string,
): string {
  const root = resolve(contextDir);
  if (dockerfile !== null && resolve(dockerfile) === join(root, 'Dockerfile')) return 'Dockerfile';
  const base = `.tilt-dockerfile-${createHash('sha256').update(contents).digest('hex').slice(0, 12)}`;
  for (let n = 0; ; n++) {
    const name = n === 0 ? base : `${base}-${n}`;
    if (!pathExists(join(root, name))) return name;
  }
}

function pathExists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

type Sink = ReturnType<Pack['entry']>;

type RootRule = (name: string) => 'match' | 'keep' | 'replace';

interface OpenDir {
  rel: string;
  mode: number;
  written: boolean;
}

class Walker {
  /** The directories being walked, outermost first; ignored ones are written only when needed. */
  private readonly stack: OpenDir[] = [];

  constructor(
    private readonly root: string,
    private readonly pack: Pack,
    private readonly matcher: IgnoreMatcher,
    private readonly stats: ContextStats,
    private readonly rootRule: RootRule,
  ) {}

  async walk(): Promise<void> {
    await this.walkDir(this.root, '', false);
  }

  /** Files added by addSmallFile, to yield to the event loop now and then. */
  private syncFiles = 0;

  private async walkDir(abs: string, rel: string, ignored: boolean): Promise<void> {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      if (vanished(err)) return;
      // Like BuildKit, an unreadable directory that is ignored anyway is no error.
      if (ignored && (err as NodeJS.ErrnoException).code === 'EACCES') return;
      throw err;
    }
    this.stats.dirsListed++;
    entries.sort((a, b) => compareNames(a.name, b.name));
    for (const dirent of entries) {
      const name = dirent.name;
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let childIgnored: boolean;
      if (rel === '') {
        const rule = this.rootRule(name);
        if (rule === 'replace') continue;
        childIgnored = rule === 'keep' ? false : this.matcher.ignores(childRel);
      } else {
        childIgnored = this.matcher.ignores(childRel);
      }
      if (dirent.isDirectory()) {
        if (childIgnored && this.matcher.canPruneDir(childRel)) {
          this.stats.dirsPruned++;
          continue;
        }
        const st = await lstatOrNull(childAbs);
        if (st === null || !st.isDirectory()) continue;
        const dir: OpenDir = { rel: childRel, mode: st.mode & 0o7777, written: false };
        this.stack.push(dir);
        try {
          if (!childIgnored) await this.writeOpenDirs();
          await this.walkDir(childAbs, childRel, childIgnored);
        } finally {
          this.stack.pop();
        }
      } else if (childIgnored) {
        continue;
      } else if (dirent.isFile() || dirent.isSymbolicLink()) {
        await this.addEntry(childAbs, childRel, dirent.isSymbolicLink());
      } else {
        this.stats.skipped++; // socket, FIFO or device
      }
    }
  }

  /** Writes the directories being walked that are not in the tar yet. */
  private async writeOpenDirs(): Promise<void> {
    for (const dir of this.stack) {
      if (dir.written) continue;
      dir.written = true;
      this.stats.dirs++;
      await this.writeVoid({ name: `${dir.rel}/`, type: 'directory', mode: dir.mode });
    }
  }

  private async addEntry(abs: string, rel: string, symlink: boolean): Promise<void> {
    if (symlink) {
      let target: string;
      try {
        target = await readlink(abs);
      } catch (err) {
        if (vanished(err) || (err as NodeJS.ErrnoException).code === 'EINVAL') return;
        throw err;
      }
      await this.writeOpenDirs();
      this.stats.symlinks++;
      await this.writeVoid({ name: rel, type: 'symlink', linkname: target, mode: 0o777 });
      return;
    }
    if (await this.addSmallFile(abs, rel)) return;
    // O_NONBLOCK: a FIFO that appears in place of a file must not hang the walk.
    let fh: FileHandle;
    try {
      fh = await open(abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (vanished(err)) return;
      if (code === 'ENXIO' || code === 'ELOOP') {
        this.stats.skipped++; // a socket, or a symlink that replaced a file
        return;
      }
      throw err;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) {
        this.stats.skipped++;
        return;
      }
      await this.writeOpenDirs();
      await this.writeFile(fh, rel, st.mode & 0o7777, st.size);
    } finally {
      await fh.close();
    }
  }

  /**
   * Adds a file of at most CHUNK_SIZE bytes with synchronous calls, and reports
   * whether it did. Most of a context is small files, and four thread-pool
   * round trips per file (open, stat, read, close) would leave the walk waiting;
   * the event loop gets a turn every YIELD_EVERY files.
   */
  private async addSmallFile(abs: string, rel: string): Promise<boolean> {
    if (++this.syncFiles % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    let fd: number;
    try {
      fd = openSync(abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW);
    } catch {
      return false; // the asynchronous path reports or skips it
    }
    let buf: Buffer;
    let mode: number;
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > CHUNK_SIZE) return false;
      buf = Buffer.alloc(st.size);
      if (st.size > 0) readSync(fd, buf, 0, st.size, 0); // a file that shrank leaves zeros
      mode = st.mode & 0o7777;
    } finally {
      closeSync(fd);
    }
    await this.writeOpenDirs();
    const { done } = this.entry({ name: rel, type: 'file', mode, size: buf.length }, buf);
    this.stats.files++;
    this.stats.fileBytes += buf.length;
    await done;
    return true;
  }

  async addBuffer(name: string, mode: number, contents: Buffer): Promise<void> {
    const { done } = this.entry({ name, type: 'file', mode, size: contents.length }, contents);
    this.stats.files++;
    this.stats.fileBytes += contents.length;
    await done;
  }

  private async writeFile(fh: FileHandle, name: string, mode: number, size: number) {
    if (size <= CHUNK_SIZE) {
      // Small files (most of a context) in one read: a stream per file costs more than the data.
      const buf = Buffer.alloc(size);
      if (size > 0) await fh.read(buf, 0, size, 0); // a file that shrank leaves zeros, as below
      const { done } = this.entry({ name, type: 'file', mode, size }, buf);
      this.stats.files++;
      this.stats.fileBytes += size;
      await done;
      return;
    }
    const { sink, done } = this.entry({ name, type: 'file', mode, size }, 'stream');
    this.stats.files++;
    let written = 0;
    try {
      if (size > 0) {
        const rs = fh.createReadStream({
          start: 0,
          end: size - 1,
          highWaterMark: CHUNK_SIZE,
          autoClose: false,
        });
        try {
          for await (const chunk of rs as AsyncIterable<Buffer>) {
            written += chunk.length;
            await writeChunk(sink, chunk);
          }
        } finally {
          rs.destroy();
        }
      }
      // The file shrank while it was read: keep the size the header announced.
      while (written < size) {
        const n = Math.min(CHUNK_SIZE, size - written);
        await writeChunk(sink, Buffer.alloc(n));
        written += n;
      }
      this.stats.fileBytes += size;
      sink.end(null);
      await done;
    } catch (err) {
      sink.destroy(err as Error);
      throw err;
    }
  }

  private async writeVoid(header: {
    name: string;
    type: 'directory' | 'symlink';
    mode: number;
    linkname?: string;
  }): Promise<void> {
    await this.entry(header).done;
  }

  private entry(
    header: {
      name: string;
      type: 'file' | 'directory' | 'symlink';
      mode: number;
      size?: number;
      linkname?: string;
    },
    body: 'stream' | 'none' | Buffer = 'none',
  ): { sink: Sink; done: Promise<void> } {
    let sink!: Sink;
    const done = new Promise<void>((res, rej) => {
      const full = {
        ...header,
        mtime: CONTEXT_MTIME,
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
      };
      const cb = (err?: Error | null) => (err ? rej(err) : res());
      sink = Buffer.isBuffer(body) ? this.pack.entry(full, body, cb) : this.pack.entry(full, cb);
    });
    return { sink, done };
  }
}

/** Small files read synchronously between two turns of the event loop. */
const YIELD_EVERY = 256;

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch (err) {
    if (vanished(err)) return null;
    throw err;
  }
}

function vanished(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Writes one chunk into a tar entry, waiting while the tar stream is full. */
function writeChunk(sink: Sink, chunk: Buffer): Promise<void> | void {
  if (sink.write(chunk)) return;
  return new Promise<void>((res, rej) => {
    const onDrain = () => {
      cleanup();
      res();
    };
    const onClose = () => {
      cleanup();
      rej(new ContextError('EABORTED', '', 'build context stream closed early'));
    };
    const onError = (err: Error) => {
      cleanup();
      rej(err);
    };
    const cleanup = () => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', onError);
    };
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    sink.on('error', onError);
  });
}
