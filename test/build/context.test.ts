import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';

import { extract } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  CONTEXT_MTIME,
  ContextError,
  contextIgnore,
  contextTar,
  dockerfileEntryName,
  IgnorePatternError,
  parseIgnoreFile,
  patternMatcher,
  type ContextTarOptions,
} from '../../src/build/context.js';

// Every directory listing the walk makes, to show which directories it never opened.
const listed: string[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (async (p: string, opts: unknown) => {
    listed.push(String(p));
    return (orig.readdir as (p: string, o: unknown) => Promise<unknown>)(p, opts);
  }) as typeof orig.readdir;
  return { ...orig, default: { ...orig, readdir }, readdir };
});

interface Entry {
  name: string;
  type: string;
  mode: number;
  size: number;
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  linkname: string | null;
  content: string;
  data: Buffer;
}

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'context-test-')));
  listed.length = 0;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes files (string contents) and empty directories (names ending in `/`). */
function tree(files: Record<string, string>, root = dir): string {
  for (const [name, contents] of Object.entries(files)) {
    const p = join(root, name);
    if (name.endsWith('/')) {
      mkdirSync(p, { recursive: true });
    } else {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, contents);
    }
  }
  return root;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function readTar(tarBytes: Buffer): Promise<Entry[]> {
  const ex = extract();
  const out: Entry[] = [];
  const reading = (async () => {
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      const h = e.header;
      out.push({
        name: h.name,
        type: h.type,
        mode: h.mode,
        size: h.size,
        mtime: h.mtime.getTime(),
        uid: h.uid,
        gid: h.gid,
        uname: h.uname,
        gname: h.gname,
        linkname: h.linkname,
        content: Buffer.concat(chunks).toString('utf8'),
        data: Buffer.concat(chunks),
      });
    }
  })();
  ex.end(tarBytes);
  await reading;
  return out;
}

const opts = (o: Partial<ContextTarOptions> = {}): ContextTarOptions => ({
  dockerfile: join(dir, 'Dockerfile'),
  dockerfileContents: 'FROM scratch\n',
  ignore: [],
  only: [],
  ...o,
});

async function tarOf(o: Partial<ContextTarOptions> = {}, root = dir) {
  const t = contextTar(root, opts(o));
  const bytes = await collect(t.stream);
  const stats = await t.done;
  return { ...t, bytes, stats, entries: await readTar(bytes) };
}

const names = (es: Entry[]) => es.map((e) => e.name);

describe('contextIgnore: Docker pattern semantics', () => {
  const m = (patterns: string[]) => patternMatcher(patterns);

  it('matches `*.log` at the context root only', () => {
    const pm = m(['*.log']);
    expect(pm.ignores('a.log')).toBe(true);
    expect(pm.ignores('sub/a.log')).toBe(false);
    expect(pm.ignores('a.txt')).toBe(false);
  });

  it('matches `**/node_modules` at any depth, with everything beneath', () => {
    const pm = m(['**/node_modules']);
    expect(pm.ignores('node_modules')).toBe(true);
    expect(pm.ignores('a/b/node_modules')).toBe(true);
    expect(pm.ignores('a/node_modules/x/y.js')).toBe(true);
    expect(pm.ignores('a/node_modules_x')).toBe(false);
  });

  it('lets a later `!` exception bring a file back, and the last match wins', () => {
    const pm = m(['*.log', '!keep.log']);
    expect(pm.ignores('a.log')).toBe(true);
    expect(pm.ignores('keep.log')).toBe(false);
    const later = m(['!keep.log', '*.log']);
    expect(later.ignores('keep.log')).toBe(true);
  });

  it('drops a trailing slash: `build/` matches the directory and what it holds', () => {
    const pm = m(['build/']);
    expect(pm.ignores('build')).toBe(true);
    expect(pm.ignores('build/out/app.js')).toBe(true);
    expect(pm.ignores('src/build')).toBe(false);
  });

  it('anchors patterns at the context root, with or without a leading slash', () => {
    const pm = m(['/secret', 'docs/*.md']);
    expect(pm.ignores('secret')).toBe(true);
    expect(pm.ignores('secret/key')).toBe(true);
    expect(pm.ignores('a/secret')).toBe(false);
    expect(pm.ignores('docs/a.md')).toBe(true);
    expect(pm.ignores('docs/sub/a.md')).toBe(false);
  });

  it('is case-sensitive, as Docker is on Linux', () => {
    expect(m(['*.LOG']).ignores('a.log')).toBe(false);
  });

  it('skips comments and blank lines in an ignore file, and a byte-order mark', () => {
    expect(parseIgnoreFile('\ufeff# comment\n\n  *.log  \r\n!keep.log\n')).toEqual([
      '*.log',
      '!keep.log',
    ]);
  });

  it('never ignores the context root', () => {
    const pm = m(['**']);
    expect(pm.ignores('')).toBe(false);
    expect(pm.ignores('.')).toBe(false);
    expect(pm.canPruneDir('')).toBe(false);
  });

  it('rejects a pattern that cannot be compiled', () => {
    expect(() => m(['[abc'])).toThrow(IgnorePatternError);
  });
});

describe('contextIgnore: sources', () => {
  it('reads <context>/.dockerignore and adds the Tiltfile ignore=', () => {
    tree({ '.dockerignore': '*.log\n' });
    const mt = contextIgnore(dir, {
      dockerfile: join(dir, 'Dockerfile'),
      ignore: ['tmp'],
      only: [],
    });
    expect(mt.ignoreFile).toBe(join(dir, '.dockerignore'));
    expect(mt.ignores('a.log')).toBe(true);
    expect(mt.ignores('tmp/x')).toBe(true);
    expect(mt.ignores('src/a.ts')).toBe(false);
  });

  it('prefers <Dockerfile>.dockerignore to <context>/.dockerignore', () => {
    tree({
      '.dockerignore': 'a.txt\n',
      'docker/app.Dockerfile': 'FROM scratch\n',
      'docker/app.Dockerfile.dockerignore': 'b.txt\n',
    });
    const df = join(dir, 'docker/app.Dockerfile');
    const mt = contextIgnore(dir, { dockerfile: df, ignore: [], only: [] });
    expect(mt.ignoreFile).toBe(df + '.dockerignore');
    expect(mt.ignores('b.txt')).toBe(true);
    expect(mt.ignores('a.txt')).toBe(false);
  });

  it('has no ignore file when there is none', () => {
    const mt = contextIgnore(dir, { dockerfile: null, ignore: [], only: [] });
    expect(mt.ignoreFile).toBeNull();
    expect(mt.ignores('anything')).toBe(false);
  });

  it("turns only= into ['**', '!a', '!b']", () => {
    const mt = contextIgnore(dir, { dockerfile: null, ignore: [], only: ['src', 'package.json'] });
    expect(mt.ignores('src')).toBe(false);
    expect(mt.ignores('src/deep/a.ts')).toBe(false);
    expect(mt.ignores('package.json')).toBe(false);
    expect(mt.ignores('README.md')).toBe(true);
    expect(mt.ignores('srcs/a.ts')).toBe(true);
    expect(mt.ignores('test/a.ts')).toBe(true);
  });

  it('keeps .dockerignore, ignore= and only= as separate lists: any one excludes', () => {
    tree({ '.dockerignore': '*.log\n' });
    const mt = contextIgnore(dir, {
      dockerfile: null,
      ignore: ['!a.log', 'src/gen'],
      only: ['src', 'a.log'],
    });
    expect(mt.ignores('a.log')).toBe(true); // .dockerignore; ignore= cannot bring it back
    expect(mt.ignores('src/gen/x.ts')).toBe(true); // ignore=; only= cannot bring it back
    expect(mt.ignores('src/main.ts')).toBe(false);
  });

  it('takes absolute Tiltfile paths inside the context as relative to it', () => {
    const mt = contextIgnore(dir, {
      dockerfile: null,
      ignore: [join(dir, 'build')],
      only: [join(dir, 'src'), join(dir, 'build')],
    });
    expect(mt.ignores('build/x')).toBe(true);
    expect(mt.ignores('src/x')).toBe(false);
    expect(mt.ignores('other')).toBe(true);
  });
});

describe('contextIgnore: pruning', () => {
  it('prunes an ignored directory when no exception reaches beneath it', () => {
    const pm = patternMatcher(['**/node_modules', '!src/keep.txt']);
    expect(pm.canPruneDir('node_modules')).toBe(true);
    expect(pm.canPruneDir('a/node_modules')).toBe(true);
    expect(pm.canPruneDir('src')).toBe(false); // not ignored
  });

  it('does not prune when an exception names something beneath', () => {
    const pm = patternMatcher(['node_modules', '!node_modules/keep']);
    expect(pm.canPruneDir('node_modules')).toBe(false);
    expect(pm.ignores('node_modules/keep/a.js')).toBe(false);
    expect(pm.ignores('node_modules/other')).toBe(true);
    expect(pm.canPruneDir('node_modules/other')).toBe(true);
  });

  it('does not prune when a wildcard exception could match beneath', () => {
    const pm = patternMatcher(['node_modules', '!**/keep.log', '!*/x/*.md']);
    expect(pm.canPruneDir('node_modules')).toBe(false);
    expect(pm.ignores('node_modules/a/b/keep.log')).toBe(false);
    const pm2 = patternMatcher(['docs', 'vendor', '!*/x/*.md']);
    expect(pm2.canPruneDir('docs')).toBe(false);
    expect(pm2.canPruneDir('vendor')).toBe(false);
    const pm3 = patternMatcher(['docs', 'vendor', '!docs/x/*.md']);
    expect(pm3.canPruneDir('docs')).toBe(false);
    expect(pm3.canPruneDir('vendor')).toBe(true);
    expect(pm3.canPruneDir('docs/y')).toBe(true);
  });

  it('prunes under only= except on the way to a listed path', () => {
    const mt = contextIgnore(dir, { dockerfile: null, ignore: [], only: ['src/app/main.go'] });
    expect(mt.canPruneDir('docs')).toBe(true);
    expect(mt.canPruneDir('src')).toBe(false);
    expect(mt.canPruneDir('src/app')).toBe(false);
    expect(mt.canPruneDir('src/lib')).toBe(true);
    expect(mt.ignores('src/app/main.go')).toBe(false);
    expect(mt.ignores('src/app/other.go')).toBe(true);
  });
});

describe('contextTar: entries', () => {
  it('writes the Dockerfile first, then the tree depth-first in name order', async () => {
    tree({ 'b.txt': 'b', 'a/z.txt': 'z', 'a/c/d.txt': 'd', 'empty/': '', 'A.txt': 'A' });
    const { entries, dockerfileName } = await tarOf();
    expect(dockerfileName).toBe('Dockerfile');
    expect(names(entries)).toEqual([
      'Dockerfile',
      'A.txt',
      'a/',
      'a/c/',
      'a/c/d.txt',
      'a/z.txt',
      'b.txt',
      'empty/',
    ]);
    expect(entries.find((e) => e.name === 'a/c/d.txt')?.content).toBe('d');
  });

  it('fixes mtimes and owners, and keeps file modes', async () => {
    tree({ 'run.sh': '#!/bin/sh\n', 'data/secret': 's' });
    chmodSync(join(dir, 'run.sh'), 0o755);
    chmodSync(join(dir, 'data/secret'), 0o600);
    chmodSync(join(dir, 'data'), 0o750);
    const { entries } = await tarOf();
    for (const e of entries) {
      expect(e.mtime).toBe(CONTEXT_MTIME.getTime());
      expect([e.uid, e.gid, e.uname, e.gname]).toEqual([0, 0, '', '']);
    }
    const mode = (n: string) => entries.find((e) => e.name === n)?.mode;
    expect(mode('run.sh')).toBe(0o755);
    expect(mode('data/secret')).toBe(0o600);
    expect(mode('data/')).toBe(0o750);
  });

  it('replaces <context>/Dockerfile with the contents given', async () => {
    tree({ Dockerfile: 'FROM original\n', 'app.js': '1' });
    const { entries } = await tarOf({ dockerfileContents: 'FROM tilt-0123456789abcdef\n' });
    const dfs = entries.filter((e) => e.name === 'Dockerfile');
    expect(dfs).toHaveLength(1);
    expect(dfs[0].content).toBe('FROM tilt-0123456789abcdef\n');
  });

  it('gives a Dockerfile from elsewhere a name of its own and keeps the context Dockerfile', async () => {
    tree({ Dockerfile: 'FROM original\n', 'docker/prod.Dockerfile': 'FROM prod\n' });
    const { entries, dockerfileName } = await tarOf({
      dockerfile: join(dir, 'docker/prod.Dockerfile'),
      dockerfileContents: 'FROM rewritten\n',
    });
    expect(dockerfileName).toMatch(/^\.tilt-dockerfile-[0-9a-f]{12}$/);
    expect(entries[0]).toMatchObject({ name: dockerfileName, content: 'FROM rewritten\n' });
    expect(entries.find((e) => e.name === 'Dockerfile')?.content).toBe('FROM original\n');
    expect(entries.find((e) => e.name === 'docker/prod.Dockerfile')?.content).toBe('FROM prod\n');
  });

  it('names an inline Dockerfile by its contents, avoiding names the context has', () => {
    const name = dockerfileEntryName(dir, null, 'FROM a\n');
    expect(name).toBe(dockerfileEntryName(dir, null, 'FROM a\n'));
    expect(name).not.toBe(dockerfileEntryName(dir, null, 'FROM b\n'));
    tree({ [name]: 'user file' });
    expect(dockerfileEntryName(dir, null, 'FROM a\n')).toBe(`${name}-1`);
  });

  it('sends the Dockerfile and .dockerignore even when .dockerignore excludes them', async () => {
    tree({ '.dockerignore': '*\n!src\n', Dockerfile: 'FROM x\n', 'src/a.ts': 'a', 'b.txt': 'b' });
    const { entries } = await tarOf({ dockerfileContents: 'FROM y\n' });
    expect(names(entries)).toEqual(['Dockerfile', '.dockerignore', 'src/', 'src/a.ts']);
    expect(entries[1].content).toBe('*\n!src\n');
  });

  it('treats <context>/.dockerignore as a plain file when <Dockerfile>.dockerignore is in use', async () => {
    tree({
      '.dockerignore': 'x\n',
      'app.Dockerfile': 'FROM x\n',
      'app.Dockerfile.dockerignore': '.dockerignore\n*.Dockerfile*\n',
      'a.txt': 'a',
    });
    const { entries, dockerfileName } = await tarOf({ dockerfile: join(dir, 'app.Dockerfile') });
    expect(names(entries)).toEqual([dockerfileName, 'a.txt']);
  });

  it('applies .dockerignore patterns with their exceptions', async () => {
    tree({
      '.dockerignore': '*.log\n!keep.log\n**/node_modules\nbuild/\n',
      'a.log': '',
      'keep.log': 'k',
      'sub/a.log': 's',
      'node_modules/x/index.js': '',
      'web/node_modules/y.js': '',
      'web/app.js': 'w',
      'build/out.js': '',
    });
    const { entries } = await tarOf();
    expect(names(entries)).toEqual([
      'Dockerfile',
      '.dockerignore',
      'keep.log',
      'sub/',
      'sub/a.log',
      'web/',
      'web/app.js',
    ]);
  });

  it("with only=['src', 'package.json'] sends just those (and the Dockerfile)", async () => {
    tree({
      'src/index.ts': 'i',
      'src/lib/util.ts': 'u',
      'package.json': '{}',
      'README.md': 'r',
      'test/a.test.ts': 't',
    });
    const { entries } = await tarOf({ only: ['src', 'package.json'] });
    expect(names(entries)).toEqual([
      'Dockerfile',
      'package.json',
      'src/',
      'src/index.ts',
      'src/lib/',
      'src/lib/util.ts',
    ]);
  });

  it('writes the parent directories of a file an exception brings back', async () => {
    tree({
      '.dockerignore': 'node_modules\n!node_modules/keep/a.txt\n',
      'node_modules/keep/a.txt': 'a',
      'node_modules/keep/b.txt': 'b',
      'node_modules/other/c.txt': 'c',
    });
    const { entries } = await tarOf();
    expect(names(entries)).toEqual([
      'Dockerfile',
      '.dockerignore',
      'node_modules/',
      'node_modules/keep/',
      'node_modules/keep/a.txt',
    ]);
  });

  it('keeps symlinks as symlinks and does not follow them', async () => {
    tree({ 'real/file.txt': 'f' });
    const outside = mkdtempSync(join(tmpdir(), 'context-outside-'));
    try {
      tree({ 'big.bin': 'outside' }, outside);
      symlinkSync('real/file.txt', join(dir, 'link.txt'));
      symlinkSync(outside, join(dir, 'linkdir'));
      symlinkSync('does-not-exist', join(dir, 'dangling'));
      const { entries, stats } = await tarOf();
      const byName = new Map(entries.map((e) => [e.name, e]));
      expect(byName.get('link.txt')).toMatchObject({ type: 'symlink', linkname: 'real/file.txt' });
      expect(byName.get('linkdir')).toMatchObject({ type: 'symlink', linkname: outside });
      expect(byName.get('dangling')).toMatchObject({ type: 'symlink', linkname: 'does-not-exist' });
      expect(names(entries).some((n) => n.startsWith('linkdir/'))).toBe(false);
      expect(stats.symlinks).toBe(3);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('ignores a symlink by its own path', async () => {
    tree({ '.dockerignore': 'link\n', 'target.txt': 't' });
    symlinkSync('target.txt', join(dir, 'link'));
    const { entries } = await tarOf();
    expect(names(entries)).toEqual(['Dockerfile', '.dockerignore', 'target.txt']);
  });

  it('skips sockets and FIFOs', async () => {
    tree({ 'a.txt': 'a' });
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const server: Server = createServer();
    await new Promise<void>((res) => server.listen(join(dir, 'sock'), res));
    try {
      const { entries, stats } = await tarOf();
      expect(names(entries)).toEqual(['Dockerfile', 'a.txt']);
      expect(stats.skipped).toBe(2);
    } finally {
      await new Promise((res) => server.close(res));
    }
  });

  it('keeps long names and large files intact', async () => {
    const long = `${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(120)}.txt`;
    const big = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    tree({ [long]: 'long' });
    writeFileSync(join(dir, 'big.bin'), big);
    const t = contextTar(dir, opts());
    const bytes = await collect(t.stream);
    const ex = extract();
    const found = new Map<string, string>();
    const reading = (async () => {
      for await (const e of ex) {
        const h = createHash('sha256');
        for await (const c of e) h.update(c as Buffer);
        found.set(e.header.name, h.digest('hex'));
      }
    })();
    ex.end(bytes);
    await reading;
    expect(found.get('big.bin')).toBe(createHash('sha256').update(big).digest('hex'));
    expect(found.get(long)).toBe(createHash('sha256').update('long').digest('hex'));
    const stats = await t.done;
    expect(stats.tarBytes).toBe(bytes.length);
    expect(stats.fileBytes).toBe(big.length + 4 + 'FROM scratch\n'.length);
  });
});

describe('contextTar: pruning', () => {
  it('does not list an ignored directory that no exception reaches into', async () => {
    tree({ '.dockerignore': '**/node_modules\n!src/keep.txt\n', 'src/keep.txt': 'k' });
    for (let i = 0; i < 50; i++) tree({ [`node_modules/pkg${i}/lib/index.js`]: String(i) });
    const { entries, stats } = await tarOf();
    expect(names(entries)).toEqual(['Dockerfile', '.dockerignore', 'src/', 'src/keep.txt']);
    expect(listed.filter((p) => p.includes('node_modules'))).toEqual([]);
    expect(listed.sort()).toEqual([dir, join(dir, 'src')]);
    expect(stats.dirsPruned).toBe(1);
    expect(stats.dirsListed).toBe(2);
  });

  it('lists an ignored directory that an exception reaches into', async () => {
    tree({
      '.dockerignore': 'vendor\n!vendor/**/LICENSE\n',
      'vendor/a/LICENSE': 'l',
      'vendor/a/x': '',
    });
    const { entries } = await tarOf();
    expect(names(entries)).toEqual([
      'Dockerfile',
      '.dockerignore',
      'vendor/',
      'vendor/a/',
      'vendor/a/LICENSE',
    ]);
    expect(listed).toContain(join(dir, 'vendor'));
  });
});

describe('contextTar: determinism', () => {
  it('gives byte-identical tars for the same tree, whatever the mtimes', async () => {
    tree({
      '.dockerignore': '*.tmp\n',
      'src/a.ts': 'a',
      'src/b/c.ts': 'c',
      'x.tmp': 'x',
      'bin/run': '#!/bin/sh',
    });
    symlinkSync('src/a.ts', join(dir, 'main.ts'));
    const first = (await tarOf()).bytes;
    utimesSync(join(dir, 'src/a.ts'), new Date(2020, 1, 1), new Date(2021, 1, 1));
    writeFileSync(join(dir, 'x.tmp'), 'changed but ignored');
    const second = (await tarOf()).bytes;
    expect(second.equals(first)).toBe(true);
    writeFileSync(join(dir, 'src/a.ts'), 'A');
    const third = (await tarOf()).bytes;
    expect(third.equals(first)).toBe(false);
  });
});

describe('contextTar: errors', () => {
  it('reports a missing context directory at once', () => {
    const missing = join(dir, 'nope');
    expect(() => contextTar(missing, opts())).toThrow(ContextError);
    expect(() => contextTar(missing, opts())).toThrow(
      `context directory ${missing} does not exist`,
    );
  });

  it('reports a context path that is a file', () => {
    tree({ file: 'x' });
    let err: unknown;
    try {
      contextTar(join(dir, 'file'), opts());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContextError);
    expect((err as ContextError).code).toBe('ENOTDIR');
  });

  it('reads at the pace of the reader, and pads a file that shrinks meanwhile', async () => {
    const size = 8 * 1024 * 1024;
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(size, 0xab));
    writeFileSync(join(dir, 'b.txt'), 'after');
    const t = contextTar(dir, opts());
    const chunks: Buffer[] = [];
    let got = 0;
    const it = t.stream[Symbol.asyncIterator]();
    while (got < 256 * 1024) {
      const r = await it.next();
      chunks.push(r.value as Buffer);
      got += (r.value as Buffer).length;
    }
    // Only what the reader asked for (and a few chunks of buffer) has been read from disk.
    truncateSync(join(dir, 'a.bin'), 0);
    for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(r.value as Buffer);
    const entries = await readTar(Buffer.concat(chunks));
    expect(names(entries)).toEqual(['Dockerfile', 'a.bin', 'b.txt']);
    const a = entries[1].data;
    expect(entries[1].size).toBe(size);
    expect(a.length).toBe(size);
    expect(a[0]).toBe(0xab);
    expect(a[size - 1]).toBe(0);
    expect(entries[2].content).toBe('after');
    const stats = await t.done;
    expect(stats.fileBytes).toBe(size + 5 + 'FROM scratch\n'.length);
  });

  it('stops the walk when the reader goes away', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, `f${i}`), big);
    const t = contextTar(dir, opts());
    const it = t.stream[Symbol.asyncIterator]();
    await it.next();
    t.stream.destroy();
    await expect(t.done).rejects.toMatchObject({ code: 'EABORTED' });
  });
});
