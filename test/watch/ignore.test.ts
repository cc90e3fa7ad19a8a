import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { watchErrorFor } from '../../src/watch/errors.js';
import {
  CompiledIgnore,
  compileIgnores,
  dockerBuildIgnores,
  isBuiltinIgnored,
  isBuiltinPrunable,
  isEditorTempName,
  readTiltignore,
} from '../../src/watch/ignore.js';
import { isWithin, relativeWithin } from '../../src/watch/paths.js';
import { pruneSources } from '../../src/watch/prune.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'tilt-watch-ignore-')));
  dirs.push(d);
  return d;
}

describe('built-in ignores', () => {
  it('knows editor temp files by name', () => {
    for (const n of [
      '.main.go.swp',
      '.main.go.swx',
      'main.go~',
      '.#main.go',
      '#main.go#',
      '4913',
      'main.go___jb_old___',
      'main.go___jb_tmp___',
    ]) {
      expect(isEditorTempName(n), n).toBe(true);
    }
    for (const n of ['main.go', 'swp', '.swp.go', '49130', 'a#b', 'x.swp']) {
      expect(isEditorTempName(n), n).toBe(false);
    }
  });

  it('leaves out .git and .idea at any depth, but never the watched path itself', () => {
    expect(isBuiltinIgnored('.git')).toBe(true);
    expect(isBuiltinIgnored('.git/index')).toBe(true);
    expect(isBuiltinIgnored('vendor/x/.git/HEAD')).toBe(true);
    expect(isBuiltinIgnored('.idea/workspace.xml')).toBe(true);
    expect(isBuiltinIgnored('src/.main.go.swp')).toBe(true);
    expect(isBuiltinIgnored('.github/workflows/ci.yml')).toBe(false);
    expect(isBuiltinIgnored('')).toBe(false);
    expect(isBuiltinPrunable('a/.git')).toBe(true);
    expect(isBuiltinPrunable('a/x~')).toBe(false);
  });
});

describe('CompiledIgnore', () => {
  it('matches with Docker semantics relative to its base dir', () => {
    const c = new CompiledIgnore({ baseDir: '/ctx', patterns: ['*.log', '!keep.log', 'build/'] });
    expect(c.ignores('/ctx/a.log')).toBe(true);
    expect(c.ignores('/ctx/keep.log')).toBe(false);
    expect(c.ignores('/ctx/sub/a.log')).toBe(false); // `*` does not cross `/`
    expect(c.ignores('/ctx/build/x/y.js')).toBe(true);
    expect(c.ignores('/elsewhere/a.log')).toBe(false);
    expect(c.ignores('/ctx')).toBe(false);
    expect(c.literalDirs).toEqual(['/ctx/build']);
    expect(c.hasExceptions).toBe(true);
  });

  it('makes absolute patterns inside the base dir relative', () => {
    const c = new CompiledIgnore({ baseDir: '/ctx', patterns: ['/ctx/gen', '/other/x'] });
    expect(c.ignores('/ctx/gen/a.go')).toBe(true);
    expect(c.literalDirs).toContain('/ctx/gen');
  });

  it('knows **/name patterns and prunable directories', () => {
    const c = new CompiledIgnore({ baseDir: '/ctx', patterns: ['**/node_modules', 'dist'] });
    expect(c.anyDepth).toEqual(['node_modules']);
    expect(c.ignores('/ctx/a/node_modules/x.js')).toBe(true);
    expect(c.canPrune('/ctx/a/node_modules')).toBe(true);
    expect(c.canPrune('/ctx/dist')).toBe(true);
    const only = new CompiledIgnore({ baseDir: '/ctx', patterns: ['**', '!src/**/keep'] });
    expect(only.canPrune('/ctx/src')).toBe(false);
    expect(only.canPrune('/ctx/docs')).toBe(true);
  });

  it('drops lists without patterns', () => {
    expect(compileIgnores([{ baseDir: '/a', patterns: ['', '# c'] }])).toEqual([]);
    expect(compileIgnores(undefined)).toEqual([]);
  });
});

describe('ignore files', () => {
  it('reads .tiltignore beside the Tiltfile', () => {
    const dir = tempDir();
    expect(readTiltignore(join(dir, 'Tiltfile'))).toEqual({ baseDir: dir, patterns: [] });
    writeFileSync(join(dir, '.tiltignore'), '# comment\n\n*.tmp\n  dist/  \n');
    expect(readTiltignore(join(dir, 'Tiltfile'))).toEqual({
      baseDir: dir,
      patterns: ['*.tmp', 'dist/'],
    });
  });

  it('turns a docker_build into pattern lists: ignore file, ignore=, only=', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'docker'));
    writeFileSync(join(dir, '.dockerignore'), 'tmp\n');
    writeFileSync(join(dir, 'docker', 'app.Dockerfile.dockerignore'), 'secret\n');
    expect(
      dockerBuildIgnores(dir, { dockerfile: null, ignore: ['*.md'], only: ['src', 'go.mod'] }),
    ).toEqual([
      { baseDir: dir, patterns: ['tmp'] },
      { baseDir: dir, patterns: ['*.md'] },
      { baseDir: dir, patterns: ['**', '!src', '!go.mod'] },
    ]);
    expect(dockerBuildIgnores(dir, { dockerfile: join(dir, 'docker', 'app.Dockerfile') })).toEqual([
      { baseDir: dir, patterns: ['secret'] },
    ]);
  });
});

describe('pruneSources', () => {
  const t = (paths: string[], ...lists: Array<[string, string[]]>) => ({
    paths,
    ignores: lists.map(([baseDir, patterns]) => new CompiledIgnore({ baseDir, patterns })),
  });

  it('prunes .git and a directory every target leaves out', () => {
    expect(pruneSources('/ctx', [t(['/ctx'], ['/ctx', ['node_modules', '*.log']])], [])).toEqual([
      '^(?:.*/)?\\.git(?:/.*)?$',
      '^(?:.*/)?\\.idea(?:/.*)?$',
      '^node_modules(?:/.*)?$',
    ]);
  });

  it('does not prune what another target on the tree watches', () => {
    const targets = [t(['/ctx'], ['/ctx', ['node_modules']]), t(['/ctx/node_modules/pkg'])];
    expect(pruneSources('/ctx', targets, [])).not.toContain('^node_modules(?:/.*)?$');
    // A target elsewhere does not matter.
    expect(
      pruneSources('/ctx', [t(['/ctx'], ['/ctx', ['node_modules']]), t(['/other'])], []),
    ).toContain('^node_modules(?:/.*)?$');
  });

  it('does not prune a directory an exception could reach into', () => {
    const targets = [t(['/ctx'], ['/ctx', ['vendor', '!vendor/keep']])];
    expect(pruneSources('/ctx', targets, [])).not.toContain('^vendor(?:/.*)?$');
  });

  it('prunes **/name from global ignores, relative to the subscribed directory', () => {
    const global = [new CompiledIgnore({ baseDir: '/proj', patterns: ['**/node_modules'] })];
    expect(pruneSources('/proj/svc', [t(['/proj/svc'])], global)).toContain(
      '^(?:.*/)?node_modules(?:/.*)?$',
    );
    expect(pruneSources('/', [t(['/proj'])], global)).toContain(
      '^proj/(?:.*/)?node_modules(?:/.*)?$',
    );
  });

  it('prunes **/name of a target only when every target concerned has it', () => {
    const a = t(['/ctx'], ['/ctx', ['**/cache']]);
    const b = t(['/ctx/sub']);
    expect(pruneSources('/ctx', [a], [])).toContain('^(?:.*/)?cache(?:/.*)?$');
    expect(pruneSources('/ctx', [a, b], [])).not.toContain('^(?:.*/)?cache(?:/.*)?$');
    const c = t(['/ctx'], ['/ctx', ['**/cache', '!x']]);
    expect(pruneSources('/ctx', [c], [])).not.toContain('^(?:.*/)?cache(?:/.*)?$');
  });

  it('does not prune .git when a watched path lies inside one', () => {
    expect(pruneSources('/ctx', [t(['/ctx']), t(['/ctx/.git/hooks'])], [])).not.toContain(
      '^(?:.*/)?\\.git(?:/.*)?$',
    );
  });

  it('escapes directory names', () => {
    expect(pruneSources('/ctx', [t(['/ctx'], ['/ctx', ['v1.2']])], [])).toContain(
      '^v1\\.2(?:/.*)?$',
    );
  });
});

describe('paths', () => {
  it('compares paths by segment', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/a', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/a', '/')).toBe(true);
    expect(relativeWithin('/', '/a/b')).toBe('a/b');
    expect(relativeWithin('/a', '/a/b/c')).toBe('b/c');
  });
});

describe('watchErrorFor', () => {
  it('explains the inotify watch limit', () => {
    const e = watchErrorFor(
      '/proj',
      new Error("inotify_add_watch on '/proj/node_modules/x' failed: No space left on device"),
    );
    expect(e.code).toBe('ENOSPC');
    expect(e.path).toBe('/proj');
    expect(e.message).toContain('/proj');
    expect(e.message).toContain('fs.inotify.max_user_watches');
    expect(e.message).toContain('sudo sysctl');
  });

  it('names the path for other failures', () => {
    expect(watchErrorFor('/gone', new Error('No such file or directory')).code).toBe('ENOENT');
    expect(watchErrorFor('/x', new Error('Permission denied')).message).toContain('/x');
    const other = watchErrorFor('/y', new Error('weird'));
    expect(other.code).toBe('UNKNOWN');
    expect(other.message).toBe('Watching /y for changes failed: weird');
  });
});
