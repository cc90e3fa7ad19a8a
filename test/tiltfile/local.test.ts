// local(), local_resource() and test() as a Tiltfile author sees them: what
// each parameter records, the defaults, the log lines and Tilt's messages.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localResourcesOf } from '../../src/tiltfile/builtins/local.js';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import { loadProject, removeProjects, runTiltfile } from './helpers.js';

afterEach(removeProjects);

/** The environment of the Tiltfile's commands: this process's PATH. */
const pathEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' });

const load = (files: Record<string, string>) => loadProject(files, { env: pathEnv() });

const run = (src: string, files: Record<string, string> = {}) =>
  runTiltfile(src, { files, env: pathEnv() });

describe('local', () => {
  it('returns stdout as a blob and logs the command and its output', () => {
    const r = run("out = local('echo hi; echo there')\nprint(type(out))\nprint(repr(str(out)))\n");
    expect(r.message).toBeNull();
    expect(r.logs).toEqual([
      'local: echo hi; echo there',
      ' → hi',
      ' → there',
      'blob',
      '"hi\\nthere\\n"',
    ]);
  });

  it('logs [no output] for a command that prints nothing', () => {
    const r = run("local('true')\n");
    expect(r.logs).toEqual(['local: true', ' → [no output]']);
  });

  it('logs stderr too, but returns only stdout', () => {
    const r = run("print(repr(str(local('echo out; echo err >&2'))))\n");
    expect(r.logs).toEqual(['local: echo out; echo err >&2', ' → out', ' → err', '"out\\n"']);
  });

  it('hides the output with quiet=True', () => {
    const r = run("out = local('echo foobar', quiet=True)\nprint(str(out).strip())\n");
    expect(r.logs).toEqual(['local: echo foobar', 'foobar']);
    expect(run("local('true', quiet=True)\n").logs).toEqual(['local: true']);
  });

  it('hides the command with echo_off=True, and then does not say [no output]', () => {
    expect(run("local('echo foobar', echo_off=True)\n").logs).toEqual([' → foobar']);
    expect(run("local('true', echo_off=True)\n").logs).toEqual([]);
    expect(run("local('true', echo_off=True, quiet=True)\n").logs).toEqual([]);
  });

  it('runs a list as argv, without a shell', () => {
    const r = run("local(['echo', 'a\"b', 'two words'])\n");
    expect(r.logs).toEqual(['local: echo a"b "two words"', ' → a"b two words']);
  });

  it('shows a multi-line script as its argv', () => {
    const r = run("local('echo a\\necho b')\n");
    expect(r.logs[0]).toBe('local: sh -c "echo a\\necho b"');
    expect(r.logs.slice(1)).toEqual([' → a', ' → b']);
  });

  it('passes env, in addition to the environment', () => {
    const r = run(
      "print(str(local('echo $FOO-$PATH', env={'FOO': 'bar'}, quiet=True)).startswith('bar-/'))\n",
    );
    expect(r.logs.at(-1)).toBe('True');
  });

  it('runs in dir, relative to the Tiltfile, by default the Tiltfile directory', () => {
    const r = run("local('pwd')\nlocal('pwd', dir='sub')\n", { 'sub/x': '' });
    expect(r.logs).toEqual(['local: pwd', ` → ${r.dir}`, 'local: pwd', ` → ${join(r.dir, 'sub')}`]);
  });

  it('feeds stdin, which may be a blob', () => {
    const r = run("local('head -4 | tail -2', stdin='foo\\nbar\\nbaz\\nquu\\nqux\\n')\n");
    expect(r.logs).toEqual(['local: head -4 | tail -2', ' → baz', ' → quu']);
    const chain = run("local('cat', stdin=local('echo hi'))\n");
    expect(chain.logs).toEqual(['local: echo hi', ' → hi', 'local: cat', ' → hi']);
  });

  it('names the blob by its command', () => {
    const r = run("k8s_yaml(local('echo hi'))\n");
    expect(r.message).toContain('Error reading yaml from local: echo hi: ');
  });

  it('fails with the exit status', () => {
    const r = run("local('echo oops; exit 3')\n");
    expect(r.shown).toBe(
      `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:1:6: in <toplevel>\n` +
        'Error in local: command ["sh" "-c" "echo oops; exit 3"] failed.\nerror: exit status 3',
    );
    expect(r.logs).toEqual(['local: echo oops; exit 3', ' → oops']);
  });

  it('puts the output in the message when quiet', () => {
    const r = run("local('echo out; echo err >&2; exit 1', quiet=True)\n");
    expect(r.message).toBe(
      'command ["sh" "-c" "echo out; echo err >&2; exit 1"] failed.\nerror: exit status 1\nstdout: "out\\n"\nstderr: "err\\n"',
    );
  });

  it('names a command that is not found', () => {
    const r = run("local(['no-such-command-xyz'])\n");
    expect(r.message).toBe(
      'command ["no-such-command-xyz"] failed.\nerror: exec: "no-such-command-xyz": executable file not found in $PATH',
    );
  });

  it('names a killed command by its signal', () => {
    expect(run("local('kill -9 $$')\n").message).toContain('error: signal: killed');
  });

  it('refuses an empty command', () => {
    expect(run("local('')\n").message).toBe('local: empty cmd');
    expect(run('local([])\n').message).toBe('local: empty cmd');
  });

  it('names a command that is not a command', () => {
    expect(run('local(1)\n').message).toBe(
      'a command must be a string or list of strings. found starlark.Int',
    );
    expect(run("local(['echo', 1])\n").message).toBe(
      "a command must be a string or a list of strings: '1' is a starlark.Int, not a string",
    );
  });

  it('runs command, not command_bat, on this platform', () => {
    const r = run("local(command='echo unix', command_bat='echo windows')\n");
    expect(r.logs).toEqual(['local: echo unix', ' → unix']);
  });
});

describe('local_resource', () => {
  it('records the defaults', () => {
    const r = run("local_resource('build', 'make')\n");
    expect(localResourcesOf(r.ctx)).toEqual([
      {
        name: 'build',
        updateCmd: ['sh', '-c', 'make'],
        updateDir: r.dir,
        updateEnv: {},
        serveCmd: [],
        serveDir: r.dir,
        serveEnv: {},
        deps: [],
        ignore: [],
        triggerMode: undefined,
        resourceDeps: [],
        autoInit: true,
        allowParallel: false,
        links: [],
        labels: [],
        readinessProbe: undefined,
        definedAt: `${join(r.dir, 'Tiltfile')}:1:15`,
      },
    ]);
  });

  it('records every parameter', () => {
    const r = load({
      Tiltfile: `
local_resource('a', 'true')
local_resource('build',
  cmd=['make', 'all'],
  deps=['src', 'Makefile'],
  trigger_mode=TRIGGER_MODE_MANUAL,
  resource_deps=['a'],
  ignore=['*.o', 'tmp'],
  auto_init=False,
  serve_cmd='./server --port 80',
  allow_parallel=True,
  links=['localhost:8080', link('http://localhost:9090', 'metrics')],
  labels=['backend', 'core'],
  env={'CC': 'clang'},
  serve_env={'PORT': '80'},
  readiness_probe=probe(period_secs=5, http_get=http_get_action(port=80)),
  dir='src',
  serve_dir='bin',
)
`,
    });
    expect(r.error).toBeNull();
    const m = r.manifests.find((x) => x.name === 'build')!;
    expect(m).toMatchObject({
      type: 'local',
      local: {
        updateCmd: ['make', 'all'],
        updateDir: join(r.dir, 'src'),
        updateEnv: { CC: 'clang' },
        serveCmd: ['sh', '-c', './server --port 80'],
        serveDir: join(r.dir, 'bin'),
        serveEnv: { PORT: '80' },
        deps: [join(r.dir, 'src'), join(r.dir, 'Makefile')],
        ignore: ['*.o', 'tmp'],
        allowParallel: true,
      },
      resourceDeps: ['a'],
      triggerMode: 'TRIGGER_MODE_MANUAL',
      autoInit: false,
      labels: ['backend', 'core'],
    });
    expect(resultJSON(r).manifests[1]).toMatchObject({
      name: 'build',
      local: {
        cmd: ['make', 'all'],
        dir: join(r.dir, 'src'),
        serveCmd: ['sh', '-c', './server --port 80'],
        serveDir: join(r.dir, 'bin'),
        deps: [join(r.dir, 'src'), join(r.dir, 'Makefile')],
        allowParallel: true,
      },
      links: [
        { url: 'localhost:8080', name: '' },
        { url: 'http://localhost:9090', name: 'metrics' },
      ],
    });
    expect(r.warnings).toEqual([]);
  });

  it('records a readiness probe for a serve_cmd', () => {
    const r = run(
      "local_resource('s', serve_cmd='serve', readiness_probe=probe(tcp_socket=tcp_socket_action(8080)))\n",
    );
    expect(localResourcesOf(r.ctx)[0].readinessProbe).toBeDefined();
  });

  it('takes deps and labels as a single string', () => {
    const r = run("local_resource('x', 'true', deps='src', labels='tools')\n");
    expect(localResourcesOf(r.ctx)[0]).toMatchObject({
      deps: [join(r.dir, 'src')],
      labels: ['tools'],
    });
  });

  it('takes only a serve_cmd, which may always run in parallel', () => {
    const r = load({
      Tiltfile: "local_resource('s', serve_cmd=['python', '-m', 'http.server'])\n",
    });
    expect(resultJSON(r).manifests[0].local).toMatchObject({
      cmd: [],
      serveCmd: ['python', '-m', 'http.server'],
      allowParallel: true,
    });
  });

  it('trims a command given as a string', () => {
    const r = run("local_resource('x', '  make\\n')\n");
    expect(localResourcesOf(r.ctx)[0].updateCmd).toEqual(['sh', '-c', 'make']);
  });

  it('treats dir=None as the Tiltfile directory', () => {
    const r = run("local_resource('x', 'true', dir=None, serve_dir=None)\n");
    expect(localResourcesOf(r.ctx)[0]).toMatchObject({ updateDir: r.dir, serveDir: r.dir });
  });

  it('resolves paths relative to the Tiltfile that calls it', () => {
    const r = load({
      Tiltfile: "include('nested/Tiltfile')\n",
      'nested/Tiltfile': "local_resource('n', 'echo nested', deps=['foo'])\n",
    });
    expect(resultJSON(r).manifests[0].local).toMatchObject({
      dir: join(r.dir, 'nested'),
      deps: [join(r.dir, 'nested/foo')],
    });
  });

  it('needs a cmd or a serve_cmd', () => {
    for (const args of ['', ", cmd=''", ", cmd='', serve_cmd=[]"]) {
      const r = run(`local_resource('x'${args})\n`);
      expect(r.shown).toBe(
        `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:1:15: in <toplevel>\n` +
          'Error in local_resource: local_resource must have a cmd and/or a serve_cmd, but both were empty',
      );
    }
  });

  it('runs cmd, not cmd_bat, on this platform', () => {
    const r = run("local_resource('x', cmd_bat='build.bat')\n");
    expect(r.message).toBe(
      'local_resource must have a cmd and/or a serve_cmd, but both were empty',
    );
  });

  it('ignores a readiness probe without a serve_cmd, with a warning', () => {
    const r = load({
      Tiltfile: "local_resource('x', 'true', readiness_probe=probe(exec=exec_action(['true'])))\n",
    });
    const msg = 'Ignoring readiness probe for local resource "x" (no serve_cmd was defined)';
    expect(r.warnings).toEqual([msg]);
    expect(r.logs).toContain(`WARNING: ${msg}`);
    const s = run(
      "local_resource('x', 'true', readiness_probe=probe(exec=exec_action(['true'])))\n",
    );
    expect(localResourcesOf(s.ctx)[0].readinessProbe).toBeUndefined();
  });

  it('refuses two resources of one name', () => {
    const r = run("local_resource('foo', 'echo foo')\nlocal_resource('foo', 'echo foo')\n");
    expect(r.shown).toBe(
      `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:2:15: in <toplevel>\n` +
        'Error in local_resource: local_resource named "foo" already exists',
    );
  });

  it('refuses names that are not valid object names', () => {
    const r = run("local_resource('a/b', ['echo', 'hi'])\n");
    expect(r.shown).toBe(
      `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:1:15: in <toplevel>\n` +
        `Error in local_resource: local_resource: for parameter name: invalid value "a/b": may not contain '/'`,
    );
    expect(run("local_resource('..', 'true')\n").message).toBe(
      `local_resource: for parameter name: invalid value "..": may not be '..'`,
    );
  });

  it('names parameters of the wrong type', () => {
    expect(run("local_resource('x', 1)\n").message).toBe(
      'a command must be a string or list of strings. found starlark.Int',
    );
    expect(run("local_resource('x', 'true', resource_deps='a')\n").message).toBe(
      'local_resource: for parameter resource_deps: got string, want sequence',
    );
    expect(run("local_resource('x', 'true', resource_deps=[1])\n").message).toBe(
      "local_resource: resource_deps: '1' is a starlark.Int, not a string",
    );
    expect(run("local_resource('x', 'true', ignore=[1])\n").message).toBe(
      'ignore must be a string or a sequence of strings; found a starlark.Int',
    );
    expect(run("local_resource('x', 'true', deps=1)\n").message).toBe(
      'local_resource: for parameter deps: value should be a string or List or Tuple of strings, but is of type int',
    );
    expect(run("local_resource('x', 'true', env={'A': 1})\n").message).toBe(
      'local_resource: for parameter env: value is not a string: starlark.Int (1)',
    );
    expect(run("local_resource('x', 'true', trigger_mode='manual')\n").message).toBe(
      'local_resource: for parameter trigger_mode: got string, want TriggerMode',
    );
    expect(run("local_resource('x', 'true', readiness_probe=1)\n").message).toBe(
      'local_resource: for parameter readiness_probe: got starlark.Int, want Probe',
    );
    expect(run("local_resource('x', 'true', labels=['a b'])\n").message).toContain(
      'local_resource: for parameter labels: Invalid label "a b": name part must consist of',
    );
    expect(run("local_resource('x', 'true', tags=['a'])\n").message).toContain(
      'local_resource: unexpected keyword argument "tags"',
    );
  });

  describe('trigger_mode and auto_init', () => {
    const cases: [string, string, string, boolean][] = [
      ['', '', 'TRIGGER_MODE_AUTO', true],
      ['', ', trigger_mode=TRIGGER_MODE_MANUAL', 'TRIGGER_MODE_MANUAL', true],
      ['', ', trigger_mode=TRIGGER_MODE_MANUAL, auto_init=False', 'TRIGGER_MODE_MANUAL', false],
      ['', ', trigger_mode=TRIGGER_MODE_AUTO, auto_init=False', 'TRIGGER_MODE_AUTO', false],
      ['trigger_mode(TRIGGER_MODE_MANUAL)', '', 'TRIGGER_MODE_MANUAL', true],
      ['trigger_mode(TRIGGER_MODE_MANUAL)', ', auto_init=False', 'TRIGGER_MODE_MANUAL', false],
      [
        'trigger_mode(TRIGGER_MODE_MANUAL)',
        ', trigger_mode=TRIGGER_MODE_AUTO',
        'TRIGGER_MODE_AUTO',
        true,
      ],
      [
        'trigger_mode(TRIGGER_MODE_AUTO)',
        ', trigger_mode=TRIGGER_MODE_MANUAL',
        'TRIGGER_MODE_MANUAL',
        true,
      ],
    ];
    for (const [global, args, mode, autoInit] of cases) {
      it(`gives ${mode}, auto_init=${autoInit} for "${global}" + local_resource('foo', 'echo hi'${args})`, () => {
        const r = load({ Tiltfile: `${global}\nlocal_resource('foo', 'echo hi'${args})\n` });
        expect(resultJSON(r).manifests[0]).toMatchObject({ triggerMode: mode, autoInit });
      });
    }
  });

  it('keeps resource_deps, dropping unknown ones with a warning', () => {
    const r = load({
      Tiltfile:
        "local_resource('baz', 'echo baz')\nlocal_resource('bar', 'echo bar', resource_deps=['foo', 'baz'])\n",
    });
    expect(r.warnings).toEqual([
      'resource bar specified a dependency on unknown resource foo - dependency ignored',
    ]);
    expect(resultJSON(r).manifests.map((m) => [m.name, m.resourceDeps])).toEqual([
      ['baz', []],
      ['bar', ['baz']],
    ]);
  });
});

describe('test', () => {
  const deprecated =
    'test() is deprecated and will be removed in a future release.\nChange this call to use `local_resource(..., allow_parallel=True)`';

  it('is local_resource with allow_parallel=True, and warns', () => {
    const r = load({ Tiltfile: "test('unit', 'go test ./...', deps=['.'])\n" });
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([deprecated]);
    expect(resultJSON(r).manifests[0]).toMatchObject({
      name: 'unit',
      type: 'local',
      local: { cmd: ['sh', '-c', 'go test ./...'], allowParallel: true, deps: [r.dir] },
    });
  });

  it('lets allow_parallel=False override its default', () => {
    const r = run("test('unit', 'go test', allow_parallel=False)\n");
    expect(localResourcesOf(r.ctx)[0].allowParallel).toBe(false);
  });

  it('reports its errors as test', () => {
    const r = run("test('unit')\n");
    expect(r.shown).toContain(
      'Error in test: local_resource must have a cmd and/or a serve_cmd, but both were empty',
    );
  });
});
