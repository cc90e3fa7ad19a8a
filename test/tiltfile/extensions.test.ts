import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTiltfile } from '../../src/tiltfile/index.js';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import { apiObjectsOf } from '../../src/tiltfile/builtins/extensions.js';
import { execTiltfile } from '../../src/tiltfile/loader.js';
import { loadProjectAt, podYAML, removeProjects, writeProject } from './helpers.js';

afterEach(removeProjects);

/** Loads the project in dir, with its result as JSON too. */
function load(dir: string) {
  const r = loadProjectAt(dir);
  return { ...r, json: resultJSON(r) };
}

describe("load('ext://...')", () => {
  it('loads an extension from a file:// repository registered as default', () => {
    const repo = writeProject({
      'hello/Tiltfile': "def hello(name):\n    local_resource('hello-' + name, 'echo hi')\n",
    });
    const dir = writeProject({
      Tiltfile: `v1alpha1.extension_repo(name='default', url='${pathToFileURL(repo).href}')
load('ext://hello', 'hello')
hello('world')
`,
    });
    const r = load(dir);
    expect(r.error).toBeNull();
    expect(r.json.manifests.map((m) => m.name)).toEqual(['hello-world']);
    expect(r.configFiles).toContain(join(repo, 'hello', 'Tiltfile'));
  });

  it('follows an extension object to its repository and path', () => {
    const repo = writeProject({ 'nested/greet/Tiltfile': 'greeting = "hi"\n' });
    const dir = writeProject({
      Tiltfile: `v1alpha1.extension_repo(name='mine', url='${pathToFileURL(repo).href}')
v1alpha1.extension(name='greet', repo_name='mine', repo_path='nested/greet')
load('ext://greet', 'greeting')
print(greeting)
`,
    });
    const r = load(dir);
    expect(r.error).toBeNull();
    expect(r.logs).toContain('hi');
  });

  it('explains that the default GitHub repository cannot be fetched without a local copy', () => {
    const r = load(writeProject({ Tiltfile: "load('ext://uibutton', 'cmd_button')\n" }));
    expect(r.error).toContain(
      'Error: cannot load ext://uibutton: loading extension "uibutton": extension repo default (https://github.com/tilt-dev/tilt-extensions) cannot be fetched from here.',
    );
  });

  it('names the missing extension of a local repository', () => {
    const repo = writeProject({ 'other/Tiltfile': '' });
    const dir = writeProject({
      Tiltfile: `v1alpha1.extension_repo(name='default', url='${pathToFileURL(repo).href}')\nload('ext://nope', 'x')\n`,
    });
    expect(load(dir).error).toContain('extension "nope" not found in repo default');
  });
});

describe('v1alpha1 objects', () => {
  it('keeps declared objects with their specs', () => {
    const dir = writeProject({
      Tiltfile: `v1alpha1.ui_button(name='restart', text='Restart', location={'component_type': 'resource'}, labels={'team': 'a'})
v1alpha1.cmd(name='hello', args=['echo', 'hi'])
`,
    });
    const { ctx, error } = execTiltfile({
      mainPath: join(dir, 'Tiltfile'),
      args: [],
      subcommand: 'up',
      env: {},
      log: () => {},
    });
    expect(error).toBeNull();
    expect(apiObjectsOf(ctx)).toEqual([
      {
        kind: 'UIButton',
        name: 'restart',
        spec: { text: 'Restart', location: { component_type: 'resource' } },
        labels: { team: 'a' },
        annotations: {},
      },
      { kind: 'Cmd', name: 'hello', spec: { args: ['echo', 'hi'] }, labels: {}, annotations: {} },
    ]);
  });

  it('refuses the same name with a different spec', () => {
    const r = load(
      writeProject({
        Tiltfile: "v1alpha1.cmd(name='x', args=['a'])\nv1alpha1.cmd(name='x', args=['b'])\n",
      }),
    );
    expect(r.error).toContain('Cmd "x" already registered');
  });

  it('accepts the same declaration twice', () => {
    expect(
      load(
        writeProject({
          Tiltfile: "v1alpha1.cmd(name='x', args=['a'])\nv1alpha1.cmd(name='x', args=['a'])\n",
        }),
      ).error,
    ).toBeNull();
  });
});

describe('load_dynamic', () => {
  it("returns the file's exported symbols as a dict", () => {
    const dir = writeProject({
      Tiltfile: "d = load_dynamic('lib.star')\nprint(sorted(d.keys()), d['answer'])\n",
      'lib.star': 'answer = 42\n_private = 1\ndef f():\n    pass\n',
    });
    const r = load(dir);
    expect(r.error).toBeNull();
    expect(r.logs).toContain('["answer", "f"] 42');
  });
});

describe('k8s_custom_deploy', () => {
  it('makes a resource deployed by the apply command, building its image deps first', () => {
    const dir = writeProject({
      Tiltfile: `docker_build('my-image', '.')
k8s_custom_deploy('custom', apply_cmd='./apply.sh', delete_cmd='./delete.sh', deps=['src'], image_deps=['my-image'])
`,
      Dockerfile: 'FROM busybox\n',
    });
    const r = load(dir);
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([]);
    expect(r.manifests[0].name).toBe('custom');
    expect(r.manifests[0].k8s?.customDeploy?.applyCmd).toEqual(['sh', '-c', './apply.sh']);
    expect(r.json.manifests[0].imageTargets.map((t) => t.ref)).toEqual(['my-image']);
  });
});

describe('live update checks after assembly', () => {
  it('refuses restart_container() for a Kubernetes resource', () => {
    const dir = writeProject({
      Tiltfile: `docker_build('app', '.', live_update=[sync('.', '/app'), restart_container()])
k8s_yaml('d.yml')
`,
      Dockerfile: 'FROM busybox\n',
      'd.yml': podYAML('app', 'app'),
    });
    expect(load(dir).error).toContain(
      'Found `restart_container()` LiveUpdate step in resource(s): [app]',
    );
  });

  it('fails when a step was created but never used', () => {
    const r = load(writeProject({ Tiltfile: "s = sync('.', '/app')\n" }));
    expect(r.error).toContain(
      'found 1 live_update steps that were created but not used in a live_update',
    );
  });
});

describe('log lines', () => {
  it('announces the load and its success', () => {
    const dir = writeProject({ Tiltfile: "local_resource('x', 'true')\n" });
    const r = load(dir);
    expect(r.logs[0]).toBe(`Loading Tiltfile at: ${join(dir, 'Tiltfile')}`);
    expect(r.logs[r.logs.length - 1]).toMatch(
      /^Successfully loaded Tiltfile \(\d+(\.\d+)?(ms|s|µs)\)$/,
    );
  });
});

describe('a Tiltfile that never ends', () => {
  it('is stopped by a timeout, with the position it had reached', () => {
    const dir = writeProject({ Tiltfile: 'x = 0\nwhile True:\n    x += 1\n' });
    const r = loadTiltfile({ path: join(dir, 'Tiltfile'), env: {}, timeoutMs: 200 });
    expect(r.error).toContain(`${join(dir, 'Tiltfile')}:2:1: in <toplevel>`);
    expect(r.error).toContain('Starlark computation cancelled: timed out');
  });
});
