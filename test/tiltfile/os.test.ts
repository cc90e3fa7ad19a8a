import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/tiltfile/builtins/os.js';
import { base, clean, dir, join as goJoin, rel } from '../../src/tiltfile/builtins/os-filepath.js';
import { removeProjects, runTiltfile, type RunOptions } from './helpers.js';

afterEach(removeProjects);

function ok(src: string, opts: RunOptions = {}) {
  const r = runTiltfile(src, opts);
  expect(r.shown).toBeNull();
  return r;
}

describe('os.getcwd', () => {
  it('is the directory of the main Tiltfile', () => {
    const r = ok(`print(os.getcwd())`);
    expect(r.logs).toEqual([r.dir]);
  });

  it('is the directory of a loaded Tiltfile while it runs', () => {
    const r = ok(`load('./foo/Tiltfile', 'cwd')\nprint(cwd)`, {
      files: { 'foo/Tiltfile': 'cwd = os.getcwd()' },
    });
    expect(r.logs).toEqual([join(r.dir, 'foo')]);
  });

  it('is the directory of the executing file, not of the function called', () => {
    const r = ok(`load('./foo/Tiltfile', 'get_cwd')\nprint(get_cwd())`, {
      files: { 'foo/Tiltfile': 'def get_cwd():\n  return os.getcwd()\n' },
    });
    expect(r.logs).toEqual([r.dir]);
  });
});

describe('environment', () => {
  it('gets variables with a default', () => {
    const r = ok(
      `print(os.getenv('FAKE'))\nprint(os.getenv('FAKE', 'foo'))\nprint(os.getenv('UNSET', 'bar'))\nprint(os.getenv('UNSET'))\nprint(os.getenv('EMPTY', 'x') == '')`,
      { env: { FAKE: 'fakeValue', EMPTY: '' } },
    );
    expect(r.output).toBe('fakeValue\nfakeValue\nbar\nNone\nTrue\n');
  });

  it('puts and unsets variables in the context environment', () => {
    const r = ok(
      `os.putenv('FAKE', 'fakeValue2')\nprint(os.getenv('FAKE'))\nos.unsetenv('OTHER')\nprint(os.getenv('OTHER', 'unused'))\nos.unsetenv('NEVER_SET')`,
      { env: { FAKE: 'fakeValue', OTHER: 'x' } },
    );
    expect(r.output).toBe('fakeValue2\nunused\n');
    expect(r.env).toEqual({ FAKE: 'fakeValue2' });
  });

  it('checks types', () => {
    const r = runTiltfile(`os.putenv('A', 1)`);
    expect(r.message).toBe('os.putenv: for parameter value: got int, want string');
  });

  it('exposes os.environ as a live dict', () => {
    const env = { FAKE: 'fakeValue', B: 'b' };
    const r = ok(
      `
e = os.environ
print(type(e), e['FAKE'], e.get('FAKE'), e.get('NOPE'), e.get('NOPE', 'd'))
print('FAKE' in e, 'NOPE' in e, len(e), sorted(e.keys()))
e['NEW'] = 'n'
print(os.getenv('NEW'))
os.putenv('LATER', 'l')
print(e['LATER'], dict(e)['LATER'])
print(e.pop('B'), 'B' in e, e.pop('B', 'gone'))
print(e.setdefault('FAKE', 'x'), e.setdefault('SD', 'y'))
e.update({'U': 'u'}, V='v')
print(sorted(e.items()))
`,
      { env },
    );
    expect(r.output).toBe(
      'environ fakeValue fakeValue None d\n' +
        'True False 2 ["B", "FAKE"]\n' +
        'n\n' +
        'l l\n' +
        'b False gone\n' +
        'fakeValue y\n' +
        '[("FAKE", "fakeValue"), ("LATER", "l"), ("NEW", "n"), ("SD", "y"), ("U", "u"), ("V", "v")]\n',
    );
    expect(env).toEqual({ FAKE: 'fakeValue', NEW: 'n', LATER: 'l', SD: 'y', U: 'u', V: 'v' });
  });

  it('reports missing keys and bad values', () => {
    expect(runTiltfile(`os.environ['NOPE']`).message).toBe('key "NOPE" not in dict');
    expect(runTiltfile(`os.environ['A'] = 1`).message).toBe(
      'putenv() value must be a string, not int',
    );
    expect(runTiltfile(`os.environ.pop('NOPE')`).message).toBe('pop: missing key');
  });

  it('clears the environment', () => {
    const env: Record<string, string> = { A: 'a', B: 'b' };
    const r = ok(`os.environ.clear()\nprint(len(os.environ))`, { env });
    expect(r.output).toBe('0\n');
    expect(env).toEqual({});
  });
});

describe('os.name', () => {
  it('is posix', () => {
    expect(ok(`print(os.name)`).output).toBe('posix\n');
  });
});

describe('os.path', () => {
  it('makes paths absolute against the executing Tiltfile', () => {
    const r = ok(`load('./foo/Tiltfile', 'path')\nprint(path)\nprint(os.path.abspath('a/../b/'))`, {
      files: { 'foo/Tiltfile': `path = os.path.abspath('.')` },
    });
    expect(r.logs).toEqual([join(r.dir, 'foo'), join(r.dir, 'b')]);
  });

  it('does not resolve symlinks in abspath, but does in realpath', () => {
    const r = ok(
      `load('./bar/Tiltfile', 'a', 'r')\nprint(a)\nprint(r)\nprint(os.path.realpath('.'))`,
      {
        files: { 'foo/Tiltfile': `a = os.path.abspath('.')\nr = os.path.realpath('.')` },
        symlinks: { bar: 'foo' },
      },
    );
    expect(r.logs).toEqual([
      join(r.dir, 'bar'),
      realpathSync(join(r.dir, 'foo')),
      realpathSync(r.dir),
    ]);
  });

  it('fails realpath of a missing path', () => {
    const r = runTiltfile(`os.path.realpath('nope')`);
    expect(r.message).toBe(`lstat ${join(r.dir, 'nope')}: no such file or directory`);
  });

  it('makes relative paths', () => {
    const r = ok(
      `
print(os.path.relpath(os.getcwd() + '/beep/boop'))
print(os.path.relpath(os.getcwd() + '/beep/boop', os.getcwd() + '/beep'))
print(os.path.relpath(os.getcwd() + '/foo', os.getcwd() + '/baz'))
print(os.path.relpath('a/b', 'a'))
print(os.path.relpath(os.getcwd()))
`,
    );
    expect(r.output).toBe('beep/boop\nboop\n../foo\nb\n.\n');
  });

  it('makes relative paths from a loaded Tiltfile directory', () => {
    const r = ok(`load('./foo/Tiltfile', 'path')\nprint(path)`, {
      files: { 'foo/Tiltfile': `path = os.path.relpath(os.path.dirname(os.getcwd()) + '/beep')` },
    });
    expect(r.output).toBe('../beep\n');
  });

  it('fails relpath when impossible', () => {
    const r = runTiltfile(`print(os.path.relpath('some/nonsense/path'))`);
    expect(r.message).toBe(`Rel: can't make some/nonsense/path relative to ${r.dir}`);
    expect(runTiltfile(`os.path.relpath('/code/foo', 'other/path')`).message).toBe(
      "Rel: can't make /code/foo relative to other/path",
    );
  });

  it('takes basenames and dirnames', () => {
    const r = ok(
      `load('./foo/Tiltfile', 'b', 'd')\nprint(b)\nprint(d)\nprint(os.path.basename('a/b/'), os.path.dirname('a/b/'), os.path.dirname('x'), os.path.basename(''))`,
      {
        files: {
          'foo/Tiltfile': `b = os.path.basename(os.path.abspath('.'))\nd = os.path.dirname(os.path.abspath('.'))`,
        },
      },
    );
    expect(r.logs).toEqual(['foo', r.dir, 'b a/b . .']);
  });

  it('joins paths', () => {
    expect(
      ok(
        `print(os.path.join("foo", "bar", "baz"))\nprint(os.path.join("a", "/b", "", "../c"))\nprint(os.path.join("x"))`,
      ).output,
    ).toBe('foo/bar/baz\na/c\nx\n');
    expect(runTiltfile(`os.path.join()`).message).toBe('os.path.join: missing argument for path');
    expect(runTiltfile(`os.path.join('a', 1)`).message).toBe(
      'os.path.join: for parameter 2: got int, want string',
    );
  });

  it('checks existence relative to the executing Tiltfile', () => {
    const r = ok(`load('./foo/Tiltfile', 'results')\nprint(results)`, {
      files: {
        'foo/Tiltfile': `results = [os.path.exists(p) for p in ['foo/Tiltfile', './Tiltfile', '../Tiltfile', '../foo', '../bar']]`,
      },
    });
    expect(r.output).toBe('[False, True, True, True, False]\n');
  });

  it('watches the path it checks, never a whole directory', () => {
    const r = ok(
      `print(os.path.exists('subdir'), os.path.exists('a.txt'), os.path.exists('later.txt'))`,
      { files: { 'subdir/inner/a.txt': 'hello', 'a.txt': '' } },
    );
    expect(r.output).toBe('True True False\n');
    const files = [...r.ctx.configFiles];
    expect(files).not.toContain(join(r.dir, 'subdir'));
    expect(files).toContain(join(r.dir, 'a.txt'));
    expect(files).toContain(join(r.dir, 'later.txt'));
  });

  it('reports False for unreadable places', () => {
    expect(ok(`print(os.path.exists('/proc/nonexistent/x'))`).output).toBe('False\n');
  });
});

describe('shlex.quote', () => {
  it('quotes for the shell', () => {
    const r = ok(
      `print(shlex.quote("foo '$FOO'"))\nprint(shlex.quote(''))\nprint(shlex.quote('safe-word_1.2/x:y,z=@%+'))`,
    );
    expect(r.output).toBe(`'foo '"'"'$FOO'"'"''\n''\nsafe-word_1.2/x:y,z=@%+\n`);
  });

  it('matches shellescape', () => {
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('é')).toBe("'é'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
  });
});

describe('sys', () => {
  it('has the command line and the executable', () => {
    const r = ok(
      `print(type(sys.argv), len(sys.argv) > 0)\nprint(sys.executable)\nprint(sys.argv[0])`,
    );
    expect(r.logs[0]).toBe('list True');
    expect(r.logs[1]).toBe(resolve(process.argv[1]));
    expect(r.logs[2]).toBe(process.argv[1]);
  });

  it('is read-only', () => {
    expect(runTiltfile(`sys.argv.append('x')`).message).toBe(
      'append: cannot append to frozen list',
    );
  });
});

describe('Go filepath semantics', () => {
  it.each([
    ['', '.'],
    ['/', '/'],
    ['a//b/./c/..', 'a/b'],
    ['/../a', '/a'],
    ['../../a', '../../a'],
    ['a/..', '.'],
    ['/a/b/', '/a/b'],
  ])('clean(%j) = %j', (p, want) => expect(clean(p)).toBe(want));

  it.each([
    ['/a', '/a/b/c', 'b/c'],
    ['/a/b', '/a/c', '../c'],
    ['a', 'a', '.'],
    ['.', 'a/b', 'a/b'],
    ['a', '.', '..'],
    ['/', '/x', 'x'],
    ['a/b', 'c', '../../c'],
  ])('rel(%j, %j) = %j', (b, t, want) => expect(rel(b, t)).toBe(want));

  it('refuses impossible rel', () => {
    expect(() => rel('../a', 'b')).toThrow("Rel: can't make b relative to ../a");
    expect(() => rel('/a', 'b')).toThrow("Rel: can't make b relative to /a");
  });

  it('has Base, Dir and Join', () => {
    expect([base('/'), base('a/b'), base('//'), dir('/a'), dir('a/b/c'), dir('/')]).toEqual([
      '/',
      'b',
      '/',
      '/',
      'a/b',
      '/',
    ]);
    expect([goJoin(), goJoin('', ''), goJoin('a', ''), goJoin('/', 'a')]).toEqual([
      '',
      '',
      'a',
      '/a',
    ]);
  });
});
