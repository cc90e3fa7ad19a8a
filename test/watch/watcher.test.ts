// The file watcher on the real filesystem: temp directories, real inotify events.
// Absence of a change is checked against a witness: a change that must arrive in the same batch
// (or, for closed targets, in another target's batch), never against a fixed sleep.

import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { IgnorePatternError } from '../../src/build/context-ignore.js';
import {
  dockerBuildIgnores,
  FileWatcher,
  readTiltignore,
  type FileWatcherOptions,
  type WatchBatch,
  type WatchError,
} from '../../src/watch/index.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'tilt-watch-')));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function newWatcher(opts: FileWatcherOptions = {}): { w: FileWatcher; errors: WatchError[] } {
  const errors: WatchError[] = [];
  const w = new FileWatcher({ quietMs: 100, onError: (e) => errors.push(e), ...opts });
  cleanups.push(() => w.close());
  return { w, errors };
}

function write(path: string, content = 'x'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

class Batches {
  readonly list: WatchBatch[] = [];
  readonly cb = (b: WatchBatch): void => {
    this.list.push(b);
  };

  get all(): string[] {
    return this.list.flatMap((b) => b.paths);
  }

  has(path: string): boolean {
    return this.list.some((b) => b.paths.includes(path));
  }

  async waitFor(...paths: string[]): Promise<void> {
    await waitFor(() => paths.every((p) => this.has(p)), `a batch naming ${paths.join(', ')}`);
  }
}

describe('FileWatcher', () => {
  it('delivers a write under a watched directory as one batch naming it', async () => {
    const dir = tempDir();
    const { w, errors } = newWatcher();
    const b = new Batches();
    await w.watch({ name: 'app', paths: [dir] }, b.cb);
    write(join(dir, 'a.txt'));
    await b.waitFor(join(dir, 'a.txt'));
    write(join(dir, 'b.txt'));
    await b.waitFor(join(dir, 'b.txt'));
    expect(b.list).toEqual([
      { name: 'app', paths: [join(dir, 'a.txt')] },
      { name: 'app', paths: [join(dir, 'b.txt')] },
    ]);
    expect(errors).toEqual([]);
  });

  it('coalesces a burst of writes to many files into one sorted batch', async () => {
    const dir = tempDir();
    const files: string[] = [];
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(dir, `d${d}`));
      for (let f = 0; f < 30; f++) files.push(join(dir, `d${d}`, `f${f}.txt`));
    }
    const { w } = newWatcher({ quietMs: 200 });
    const b = new Batches();
    await w.watch({ name: 'app', paths: [dir] }, b.cb);
    for (const f of files) write(f);
    for (const f of files) write(f, 'again');
    await b.waitFor(...files);
    expect(b.list).toHaveLength(1);
    expect(b.list[0].paths).toEqual([...files].sort());
  });

  it('keeps a burst longer than the quiet period in one batch', async () => {
    // The native debouncer delivers the first event of a burst at once and holds the rest until
    // the burst is over; the batch must not be cut after that first event.
    const dir = tempDir();
    const { w } = newWatcher({ quietMs: 200 });
    const b = new Batches();
    await w.watch({ name: 'app', paths: [dir] }, b.cb);
    await new Promise((r) => setTimeout(r, 600)); // let the native debouncer go idle
    const files: string[] = [];
    const until = Date.now() + 600;
    for (let i = 0; Date.now() < until; i++) {
      const f = join(dir, `f${i}`);
      await writeFile(f, 'x');
      files.push(f);
    }
    await b.waitFor(...files);
    expect(b.list).toHaveLength(1);
  });

  it('reports a tree copied in, and later writes inside its new subdirectories', async () => {
    const dir = tempDir();
    const src = tempDir();
    const files: string[] = [];
    for (let i = 0; i < 5; i++) {
      const f = join('pkg', `m${i}`, 'deep', 'deeper', `f${i}.ts`);
      write(join(src, f));
      files.push(f);
    }
    const { w } = newWatcher({ quietMs: 200 });
    const b = new Batches();
    await w.watch({ name: 'app', paths: [dir] }, b.cb);
    // Rename a whole tree in, then create a tree with mkdir -p: inotify sees only the top
    // directory in both cases.
    renameSync(join(src, 'pkg'), join(dir, 'pkg'));
    mkdirSync(join(dir, 'n1', 'n2', 'n3'), { recursive: true });
    write(join(dir, 'n1', 'n2', 'n3', 'f'));
    await b.waitFor(...files.map((f) => join(dir, f)), join(dir, 'n1', 'n2', 'n3', 'f'));
    await w.settled();
    write(join(dir, 'pkg', 'm3', 'deep', 'deeper', 'later.ts'));
    write(join(dir, 'n1', 'n2', 'n3', 'later'));
    await b.waitFor(
      join(dir, 'pkg', 'm3', 'deep', 'deeper', 'later.ts'),
      join(dir, 'n1', 'n2', 'n3', 'later'),
    );
  });

  it('leaves out .dockerignore patterns, with ! exceptions', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.dockerignore'), '*.log\n!keep.log\nbuild\n**/cache\n');
    mkdirSync(join(dir, 'build', 'out'), { recursive: true });
    const { w } = newWatcher();
    const b = new Batches();
    await w.watch(
      { name: 'img', paths: [dir], ignores: dockerBuildIgnores(dir, { dockerfile: null }) },
      b.cb,
    );
    write(join(dir, 'x.log'));
    write(join(dir, 'keep.log'));
    write(join(dir, 'build', 'out', 'app.js'));
    write(join(dir, 'src', 'cache', 'c.bin'));
    write(join(dir, 'src', 'main.go'));
    await b.waitFor(join(dir, 'src', 'main.go'));
    await w.settled();
    write(join(dir, 'zz-sentinel'));
    await b.waitFor(join(dir, 'zz-sentinel'));
    expect(b.all.sort()).toEqual(
      [
        join(dir, 'keep.log'),
        join(dir, 'src'),
        join(dir, 'src', 'main.go'),
        join(dir, 'zz-sentinel'),
      ].sort(),
    );
    // The native watcher does not even look into build/.
    const [sub] = w.subscriptions();
    expect(sub.ignore).toContain('^build(?:/.*)?$');
  });

  it('leaves out what only= does not name', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    const { w } = newWatcher();
    const b = new Batches();
    await w.watch(
      {
        name: 'img',
        paths: [dir],
        ignores: dockerBuildIgnores(dir, { dockerfile: null, only: ['src'] }),
      },
      b.cb,
    );
    write(join(dir, 'README.md'));
    write(join(dir, 'src', 'a.ts'));
    await b.waitFor(join(dir, 'src', 'a.ts'));
    expect(b.all).toEqual([join(dir, 'src', 'a.ts')]);
  });

  it('leaves out .tiltignore, editor temp files and .git', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.tiltignore'), '# generated\n*.tmp\ngenerated/\n');
    mkdirSync(join(dir, '.git'));
    const { w } = newWatcher({ globalIgnores: [readTiltignore(join(dir, 'Tiltfile'))] });
    const b = new Batches();
    await w.watch({ name: 'app', paths: [dir] }, b.cb);
    const ignored = [
      'a.tmp',
      'generated/x.js',
      '.main.go.swp',
      'main.go~',
      '.#main.go',
      '#main.go#',
      '4913',
      '.idea/workspace.xml',
      'main.go___jb_tmp___',
      'main.go___jb_old___',
      '.git/index',
      'vendor/lib/.git/HEAD',
    ];
    for (const f of ignored) write(join(dir, f));
    write(join(dir, 'main.go'));
    await b.waitFor(join(dir, 'main.go'));
    await w.settled();
    write(join(dir, 'zz-sentinel'));
    await b.waitFor(join(dir, 'zz-sentinel'));
    expect(b.all.sort()).toEqual(
      [
        join(dir, 'main.go'),
        join(dir, 'vendor'),
        join(dir, 'vendor', 'lib'),
        join(dir, 'zz-sentinel'),
      ].sort(),
    );
    expect(w.subscriptions()[0].ignore).toContain('^(?:.*/)?\\.git(?:/.*)?$');
  });

  it('setGlobalIgnores() replaces the global ignores', async () => {
    const dir = tempDir();
    const { w } = newWatcher({ globalIgnores: [{ baseDir: dir, patterns: ['*.tmp'] }] });
    const b = new Batches();
    await Promise.all([
      w.watch({ name: 'a', paths: [join(dir, 'a')] }, b.cb),
      w.watch({ name: 'b', paths: [dir] }, b.cb),
    ]);
    expect(w.subscriptionCount).toBe(1);
    write(join(dir, 'x.tmp'));
    write(join(dir, 'x.log'));
    await b.waitFor(join(dir, 'x.log'));
    await w.setGlobalIgnores([{ baseDir: dir, patterns: ['*.log'] }]);
    write(join(dir, 'y.log'));
    write(join(dir, 'y.tmp'));
    await b.waitFor(join(dir, 'y.tmp'));
    expect(b.all).toEqual([join(dir, 'x.log'), join(dir, 'y.tmp')]);
  });

  it('picks up a file that does not exist yet when it is created', async () => {
    const dir = tempDir();
    const target = join(dir, 'gen', 'out', 'config.json');
    const { w } = newWatcher();
    const b = new Batches();
    await w.watch({ name: 'cfg', paths: [target] }, b.cb);
    expect(w.subscriptions()).toEqual([{ dir, kind: 'dir', ignore: ['[/]'] }]);
    write(join(dir, 'other.txt'));
    mkdirSync(join(dir, 'gen', 'out'), { recursive: true });
    writeFileSync(target, '{}');
    await b.waitFor(target);
    expect(b.all).toEqual([target]);
    await w.settled();
    expect(w.subscriptions()).toEqual([
      { dir: join(dir, 'gen', 'out'), kind: 'dir', ignore: ['[/]'] },
    ]);
    writeFileSync(target, '{"a": 1}');
    await waitFor(() => b.list.length === 2, 'a second batch');
    expect(b.list[1].paths).toEqual([target]);
  });

  it('picks up a directory that does not exist yet, and what is created beneath it later', async () => {
    const dir = tempDir();
    const later = join(dir, 'later');
    const { w } = newWatcher();
    const b = new Batches();
    await w.watch({ name: 'dep', paths: [later] }, b.cb);
    mkdirSync(join(later, 'a', 'b'), { recursive: true });
    write(join(later, 'a', 'b', 'f.txt'));
    await b.waitFor(join(later, 'a', 'b', 'f.txt'));
    await w.settled();
    expect(w.subscriptions().map((s) => [s.dir, s.kind])).toEqual([[later, 'tree']]);
    write(join(later, 'a', 'b', 'g.txt'));
    await b.waitFor(join(later, 'a', 'b', 'g.txt'));
  });

  it('watches a single file without watching its directory tree', async () => {
    const dir = tempDir();
    const tiltfile = join(dir, 'Tiltfile');
    write(tiltfile);
    mkdirSync(join(dir, 'sub'));
    const { w } = newWatcher();
    const b = new Batches();
    await w.watch({ name: '(Tiltfile)', paths: [tiltfile, join(dir, 'tilt_config.json')] }, b.cb);
    expect(w.subscriptions()).toEqual([{ dir, kind: 'dir', ignore: ['[/]'] }]);
    write(join(dir, 'sub', 'x'));
    write(join(dir, 'y'));
    write(join(dir, 'tilt_config.json'));
    write(tiltfile, 'print(1)');
    await b.waitFor(tiltfile, join(dir, 'tilt_config.json'));
    expect(b.all.sort()).toEqual([tiltfile, join(dir, 'tilt_config.json')].sort());
  });

  it('gives two targets on one tree only their own paths, through one subscription', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'api'));
    mkdirSync(join(dir, 'web'));
    const { w } = newWatcher();
    const img = new Batches();
    const dep = new Batches();
    await w.watch(
      { name: 'img', paths: [dir], ignores: [{ baseDir: dir, patterns: ['web'] }] },
      img.cb,
    );
    await w.watch({ name: 'dep', paths: [join(dir, 'web')] }, dep.cb);
    expect(w.subscriptionCount).toBe(1);
    // web/ is not pruned natively: the other target needs it.
    expect(w.subscriptions()[0].ignore).not.toContain('^web(?:/.*)?$');
    write(join(dir, 'api', 'main.go'));
    write(join(dir, 'web', 'index.html'));
    await img.waitFor(join(dir, 'api', 'main.go'));
    await dep.waitFor(join(dir, 'web', 'index.html'));
    expect(img.all).toEqual([join(dir, 'api', 'main.go')]);
    expect(dep.all).toEqual([join(dir, 'web', 'index.html')]);
  });

  it('moves a root inside another root onto the outer subscription, and back', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'inner'));
    const { w } = newWatcher();
    const inner = new Batches();
    const outer = new Batches();
    await w.watch({ name: 'inner', paths: [join(dir, 'inner')] }, inner.cb);
    expect(w.subscriptions().map((s) => s.dir)).toEqual([join(dir, 'inner')]);
    const h = await w.watch({ name: 'outer', paths: [dir] }, outer.cb);
    expect(w.subscriptions().map((s) => s.dir)).toEqual([dir]);
    write(join(dir, 'inner', 'a'));
    await inner.waitFor(join(dir, 'inner', 'a'));
    await outer.waitFor(join(dir, 'inner', 'a'));
    await h.close();
    expect(w.subscriptions().map((s) => s.dir)).toEqual([join(dir, 'inner')]);
    write(join(dir, 'inner', 'b'));
    await inner.waitFor(join(dir, 'inner', 'b'));
  });

  it('prunes a directory natively only when every target ignores it', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    const { w } = newWatcher();
    const img = new Batches();
    await w.watch(
      { name: 'img', paths: [dir], ignores: [{ baseDir: dir, patterns: ['node_modules'] }] },
      img.cb,
    );
    expect(w.subscriptions()[0].ignore).toContain('^node_modules(?:/.*)?$');
    const dep = new Batches();
    await w.watch({ name: 'dep', paths: [join(dir, 'node_modules', 'pkg')] }, dep.cb);
    expect(w.subscriptions()).toHaveLength(1);
    expect(w.subscriptions()[0].ignore).not.toContain('^node_modules(?:/.*)?$');
    write(join(dir, 'node_modules', 'pkg', 'index.js'));
    write(join(dir, 'app.js'));
    await dep.waitFor(join(dir, 'node_modules', 'pkg', 'index.js'));
    await img.waitFor(join(dir, 'app.js'));
    expect(img.all).toEqual([join(dir, 'app.js')]);
  });

  it('update() changes what a target ignores, keeping pending changes', async () => {
    const dir = tempDir();
    const { w } = newWatcher({ quietMs: 400 });
    const b = new Batches();
    const spec = (patterns: string[]) => ({
      name: 'app',
      paths: [dir],
      ignores: [{ baseDir: dir, patterns }],
    });
    const h = await w.watch(spec(['*.tmp']), b.cb);
    write(join(dir, 'a.tmp'));
    write(join(dir, 's1.txt'));
    await waitFor(() => h.pending > 0, 'a pending change');
    await h.update(spec(['*.txt']));
    await b.waitFor(join(dir, 's1.txt'));
    expect(b.all).toEqual([join(dir, 's1.txt')]);
    write(join(dir, 'b.tmp'));
    write(join(dir, 'c.txt'));
    write(join(dir, 's2.md'));
    await b.waitFor(join(dir, 's2.md'));
    expect(b.list[1].paths).toEqual([join(dir, 'b.tmp'), join(dir, 's2.md')]);
  });

  it('update() changes the watched paths', async () => {
    const a = tempDir();
    const c = tempDir();
    const { w } = newWatcher();
    const b = new Batches();
    const h = await w.watch({ name: 'dep', paths: [a] }, b.cb);
    await h.update({ name: 'dep', paths: [c] });
    expect(w.subscriptions().map((s) => s.dir)).toEqual([c]);
    write(join(a, 'old'));
    write(join(c, 'new'));
    await b.waitFor(join(c, 'new'));
    expect(b.all).toEqual([join(c, 'new')]);
  });

  it('stops delivery on close(), leaving no subscription or timer', async () => {
    const dir = tempDir();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const { w } = newWatcher();
    const closed = new Batches();
    const open = new Batches();
    const h = await w.watch({ name: 'closed', paths: [dir] }, closed.cb);
    await w.watch({ name: 'open', paths: [dir] }, open.cb);
    write(join(dir, 'a'));
    await waitFor(() => h.pending > 0, 'a pending change');
    await h.close();
    write(join(dir, 'b'));
    await open.waitFor(join(dir, 'a'), join(dir, 'b'));
    expect(closed.list).toEqual([]);
    expect(w.subscriptionCount).toBe(1);

    write(join(dir, 'c'));
    await waitFor(() => open.list.length > 0 && w.subscriptionCount === 1, 'x');
    await w.close();
    expect(w.subscriptionCount).toBe(0);
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);

    // A second watcher is the witness that a change made now would have been seen.
    const { w: w2 } = newWatcher();
    const witness = new Batches();
    await w2.watch({ name: 'witness', paths: [dir] }, witness.cb);
    write(join(dir, 'd'));
    await witness.waitFor(join(dir, 'd'));
    expect(open.all).not.toContain(join(dir, 'd'));
  });

  it('delivers a batch after the maximum wait while changes keep coming', async () => {
    const dir = tempDir();
    const { w } = newWatcher({ quietMs: 300, maxWaitMs: 500 });
    const b = new Batches();
    await w.watch({ name: 'app', paths: [dir] }, b.cb);
    const until = Date.now() + 2000;
    let i = 0;
    while (Date.now() < until) {
      write(join(dir, `f${i++}`));
      await new Promise((r) => setTimeout(r, 40));
    }
    await waitFor(() => new Set(b.all).size === i, 'every write');
    expect(b.list.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps watching a directory that is removed and created again', async () => {
    const dir = tempDir();
    const ctx = join(dir, 'ctx');
    mkdirSync(ctx);
    write(join(ctx, 'old'));
    const { w, errors } = newWatcher();
    const b = new Batches();
    await w.watch({ name: 'img', paths: [ctx] }, b.cb);
    rmSync(ctx, { recursive: true });
    await b.waitFor(ctx, join(ctx, 'old'));
    await w.settled();
    expect(w.subscriptions().map((s) => [s.dir, s.kind])).toEqual([[dir, 'dir']]);
    mkdirSync(ctx);
    write(join(ctx, 'new'));
    await b.waitFor(join(ctx, 'new'));
    await w.settled();
    write(join(ctx, 'newer'));
    await b.waitFor(join(ctx, 'newer'));
    expect(errors).toEqual([]);
  });

  it('reports a directory it cannot watch through onError, and watches the rest', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    mkdirSync(join(dir, 'other'));
    const { w, errors } = newWatcher();
    const b = new Batches();
    await w.watch({ name: 'app', paths: [join(dir, 'link'), join(dir, 'other')] }, b.cb);
    expect(errors.map((e) => e.code)).toEqual(['ENOTDIR']);
    expect(errors[0].message).toContain(`${join(dir, 'link')} for changes`);
    expect(errors[0].message).toContain(`Use ${join(dir, 'real')} instead`);
    write(join(dir, 'other', 'a'));
    await b.waitFor(join(dir, 'other', 'a'));
  });

  it('reports an editor saving a watched file by renaming over it', async () => {
    const dir = tempDir();
    const file = join(dir, 'main.go');
    write(file);
    const { w } = newWatcher();
    const b = new Batches();
    await w.watch({ name: 'app', paths: [file] }, b.cb);
    for (let i = 0; i < 2; i++) {
      write(join(dir, 'main.go.tmp'), `v${i}`);
      renameSync(join(dir, 'main.go.tmp'), file);
      await waitFor(() => b.list.length === i + 1, `save ${i}`);
      expect(b.list[i].paths).toEqual([file]);
    }
  });

  it('reports an exception of a callback through onError', async () => {
    const dir = tempDir();
    const { w, errors } = newWatcher();
    await w.watch({ name: 'bad', paths: [dir] }, () => {
      throw new Error('boom');
    });
    write(join(dir, 'a'));
    await waitFor(() => errors.length > 0, 'an error');
    expect(errors[0].code).toBe('CALLBACK');
    expect(errors[0].message).toContain('bad');
    expect(errors[0].message).toContain('boom');
  });

  it('rejects an invalid ignore pattern', async () => {
    const dir = tempDir();
    const { w } = newWatcher();
    await expect(
      w.watch(
        { name: 'x', paths: [dir], ignores: [{ baseDir: dir, patterns: ['[abc'] }] },
        () => {},
      ),
    ).rejects.toThrow(IgnorePatternError);
    expect(w.subscriptionCount).toBe(0);
  });
});
