import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTiltfile, type TiltfileResult } from '../../src/tiltfile/index.js';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import { deploymentYAML, loadProject, removeProjects, serviceYAML } from './helpers.js';

afterEach(removeProjects);

const json = (r: TiltfileResult) => resultJSON(r);

describe('the seed example', () => {
  const fixture = resolve('test/tiltfile/fixtures/seed');
  const r = loadTiltfile({ path: join(fixture, 'Tiltfile'), env: {} });

  it('loads without error or warning', () => {
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([]);
  });

  it('makes one resource for the Deployment, with its Service', () => {
    const [m] = json(r).manifests;
    expect(json(r).manifests).toHaveLength(1);
    expect(m.name).toBe('nodejs-express-app');
    expect(m.type).toBe('k8s');
    expect(m.k8sObjects).toEqual(['nodejs-express-app:deployment', 'nodejs-express-app:service']);
  });

  it('builds the base image first and records the app image FROM it', () => {
    const [m] = json(r).manifests;
    expect(m.imageTargets.map((t) => t.ref)).toEqual([
      'nodejs-express-base-image',
      'nodejs-express-app-image',
    ]);
    expect(m.imageTargets[1].dependsOn).toEqual(['nodejs-express-base-image']);
    expect(m.imageTargets[0].dockerfile).toBe(join(fixture, 'base.Dockerfile'));
    expect(m.imageTargets[1].liveUpdate).toEqual([
      { type: 'sync', localPath: join(fixture, 'src'), remotePath: '/app/src' },
    ]);
  });

  it('forwards port 3000', () => {
    expect(json(r).manifests[0].portForwards).toEqual([
      { localPort: 3000, containerPort: 0, host: '' },
    ]);
  });

  it('watches the Tiltfile, the Dockerfiles and the YAML', () => {
    for (const f of ['Tiltfile', 'base.Dockerfile', 'app.Dockerfile', 'app.yml']) {
      expect(r.configFiles).toContain(join(fixture, f));
    }
  });
});

describe('image selectors', () => {
  it('gives each Deployment the build of its tag when one name has two tags', () => {
    const r = loadProject({
      Tiltfile: `
docker_build('app:one', '.', dockerfile='Dockerfile')
docker_build('app:two', '.', dockerfile='Dockerfile')
k8s_yaml(['one.yml', 'two.yml'])
`,
      Dockerfile: 'FROM busybox\n',
      'one.yml': deploymentYAML('first', 'app:one'),
      'two.yml': deploymentYAML('second', 'app:two'),
    });
    expect(r.error).toBeNull();
    const byName = Object.fromEntries(
      json(r).manifests.map((m) => [m.name, m.imageTargets.map((t) => t.ref)]),
    );
    expect(byName).toEqual({ first: ['app:one'], second: ['app:two'] });
  });

  it('finds an image in a custom resource through k8s_kind', () => {
    const r = loadProject({
      Tiltfile: `
docker_build('my-runtime', '.')
k8s_kind('Environment', image_json_path='{.spec.runtime.image}')
k8s_yaml('env.yml')
`,
      Dockerfile: 'FROM busybox\n',
      'env.yml': `apiVersion: example.dev/v1
kind: Environment
metadata:
  name: dev
spec:
  runtime:
    image: my-runtime
`,
    });
    expect(r.error).toBeNull();
    const [m] = json(r).manifests;
    expect(m.name).toBe('dev');
    expect(m.k8sObjects).toEqual(['dev:environment']);
    expect(m.imageTargets.map((t) => t.ref)).toEqual(['my-runtime']);
  });

  it('warns about a build no resource uses, naming the images that are in the YAML', () => {
    const r = loadProject({
      Tiltfile: `
docker_build('unused-image', '.')
k8s_yaml('d.yml')
`,
      Dockerfile: 'FROM busybox\n',
      'd.yml': deploymentYAML('web', 'nginx'),
    });
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([
      'Image not used in any Kubernetes config:\n    ✕ unused-image\nDid you mean…\n    - nginx\nSkipping this image build\n' +
        'If this is deliberate, suppress this warning with: update_settings(suppress_unused_image_warnings=["unused-image"])',
    ]);
  });

  it('reports a cycle between images', () => {
    const r = loadProject({
      Tiltfile: `
docker_build('a', '.', dockerfile='a.Dockerfile')
docker_build('b', '.', dockerfile='b.Dockerfile')
k8s_yaml('d.yml')
`,
      'a.Dockerfile': 'FROM b\n',
      'b.Dockerfile': 'FROM a\n',
      'd.yml': deploymentYAML('web', 'a'),
    });
    expect(r.error).toMatch(/Image dependency cycle: (a|b)/);
  });
});

describe('grouping objects into resources', () => {
  it('puts a Service with the Deployment it selects', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('all.yml')\n",
      'all.yml':
        deploymentYAML('api', 'api-image') + '---\n' + serviceYAML('api-svc', { app: 'api' }),
    });
    expect(r.error).toBeNull();
    expect(json(r).manifests.map((m) => [m.name, m.k8sObjects])).toEqual([
      ['api', ['api:deployment', 'api-svc:service']],
    ]);
  });

  it('collects objects that belong to no workload in uncategorized', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('all.yml')\n",
      'all.yml':
        deploymentYAML('api', 'api-image') +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n',
    });
    expect(json(r).manifests.map((m) => [m.name, m.k8sObjects])).toEqual([
      ['api', ['api:deployment']],
      ['uncategorized', ['settings:configmap']],
    ]);
  });

  it('attaches objects and renames with k8s_resource', () => {
    const r = loadProject({
      Tiltfile: `
k8s_yaml('all.yml')
k8s_resource('api', new_name='backend', objects=['settings:configmap'], resource_deps=['db-init'], labels=['core'])
k8s_resource(new_name='db-init', objects=['schema'])
`,
      'all.yml':
        deploymentYAML('api', 'api-image') +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n' +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: schema\n',
    });
    expect(r.error).toBeNull();
    const ms = json(r).manifests;
    expect(ms.map((m) => [m.name, m.k8sObjects, m.resourceDeps, m.labels])).toEqual([
      ['backend', ['api:deployment', 'settings:configmap'], ['db-init'], ['core']],
      ['db-init', ['schema:configmap'], [], []],
    ]);
  });

  it('names the unknown resource given to k8s_resource, listing the known ones', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('d.yml')\nk8s_resource('nope', port_forwards=8000)\n",
      'd.yml': deploymentYAML('web', 'nginx'),
    });
    expect(r.error).toContain(
      'k8s_resource specified unknown resource "nope". known k8s resources: web',
    );
  });

  it('uses the shortest unique names when two workloads share a name', () => {
    const job =
      'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: m\n          image: busybox\n';
    const r = loadProject({
      Tiltfile: "k8s_yaml('all.yml')\n",
      'all.yml': deploymentYAML('web', 'nginx') + '---\n' + job,
    });
    expect(json(r).manifests.map((m) => m.name)).toEqual(['web:deployment', 'web:job']);
  });
});

describe('resource dependencies', () => {
  it('fails on a cycle, naming it', () => {
    const r = loadProject({
      Tiltfile: `
local_resource('a', 'true', resource_deps=['b'])
local_resource('b', 'true', resource_deps=['a'])
`,
    });
    expect(r.error).toContain('cycle detected in resource dependency graph: a -> b -> a');
  });

  it('drops an unknown dependency with a warning', () => {
    const r = loadProject({ Tiltfile: "local_resource('a', 'true', resource_deps=['ghost'])\n" });
    expect(r.error).toBeNull();
    expect(r.warnings).toContain(
      'resource a specified a dependency on unknown resource ghost - dependency ignored',
    );
    expect(json(r).manifests[0].resourceDeps).toEqual([]);
  });
});

describe('local resources', () => {
  it('records cmd, serve_cmd, deps and trigger mode', () => {
    const r = loadProject({
      Tiltfile: `
local_resource('build', cmd='make', deps=['src'], trigger_mode=TRIGGER_MODE_MANUAL, auto_init=False)
local_resource('serve', serve_cmd=['node', 'server.js'], resource_deps=['build'])
`,
    });
    expect(r.error).toBeNull();
    const [b, s] = json(r).manifests;
    expect(b).toMatchObject({
      name: 'build',
      type: 'local',
      local: { cmd: ['sh', '-c', 'make'], deps: [join(r.dir, 'src')] },
      triggerMode: 'TRIGGER_MODE_MANUAL',
      autoInit: false,
    });
    expect(s).toMatchObject({ name: 'serve', local: { cmd: [], serveCmd: ['node', 'server.js'] } });
  });

  it('refuses a local_resource with neither cmd nor serve_cmd', () => {
    const r = loadProject({ Tiltfile: "local_resource('x')\n" });
    expect(r.error).toContain(
      'local_resource must have a cmd and/or a serve_cmd, but both were empty',
    );
  });
});

describe('loading files', () => {
  it('loads a relative file once and shares its values', () => {
    const r = loadProject({
      Tiltfile: "load('lib/helpers.star', 'make')\nmake('a')\nmake('b')\n",
      'lib/helpers.star': "def make(name):\n    local_resource(name, 'true')\n",
    });
    expect(r.error).toBeNull();
    expect(json(r).manifests.map((m) => m.name)).toEqual(['a', 'b']);
    expect(r.configFiles).toContain(join(r.dir, 'lib/helpers.star'));
  });

  it('runs an included file for its side effects, with paths relative to it', () => {
    const r = loadProject({
      Tiltfile: "include('svc/Tiltfile')\n",
      'svc/Tiltfile': "local_resource('svc', 'true', deps=['.'])\n",
    });
    expect(r.error).toBeNull();
    expect(json(r).manifests[0].local?.deps).toEqual([join(r.dir, 'svc')]);
  });

  it('reports a cycle of loads', () => {
    const r = loadProject({
      Tiltfile: "load('a.star', 'x')\n",
      'a.star': "load('Tiltfile', 'y')\nx = 1\n",
    });
    expect(r.error).toContain('Circular load');
  });

  it('points at the calling line of a failing builtin', () => {
    const r = loadProject({ Tiltfile: "\n\nk8s_yaml('missing.yml')\n" });
    expect(r.error).toMatch(
      /Tiltfile:3:9: in <toplevel>\nError in k8s_yaml: error reading yaml file: open .*missing\.yml: no such file or directory/,
    );
  });
});

describe('enabled resources', () => {
  const tiltfile = `
local_resource('db', 'true')
local_resource('api', 'true', resource_deps=['db'])
local_resource('web', 'true')
`;

  it('enables every resource by default', () => {
    const r = loadProject({ Tiltfile: tiltfile });
    expect(json(r).manifests.map((m) => [m.name, m.enabled])).toEqual([
      ['db', true],
      ['api', true],
      ['web', true],
    ]);
  });

  it('enables the resources named after -- and their dependencies', () => {
    const r = loadProject({ Tiltfile: tiltfile }, { args: ['api'] });
    expect(r.error).toBeNull();
    expect(json(r).manifests.map((m) => [m.name, m.enabled])).toEqual([
      ['db', true],
      ['api', true],
      ['web', false],
    ]);
  });

  it('lets config.parse take the args, and config.set_enabled_resources choose', () => {
    const r = loadProject(
      {
        Tiltfile:
          tiltfile +
          `
config.define_string_list('to-run', args=True)
cfg = config.parse()
config.set_enabled_resources(cfg.get('to-run', []))
`,
      },
      { args: ['web'] },
    );
    expect(r.error).toBeNull();
    expect(json(r).manifests.map((m) => [m.name, m.enabled])).toEqual([
      ['db', false],
      ['api', false],
      ['web', true],
    ]);
  });

  it('names unknown resources given after --', () => {
    const r = loadProject({ Tiltfile: tiltfile }, { args: ['nope'] });
    expect(r.error).toContain('You specified some resources that could not be found: "nope"');
  });
});

describe('assembly errors', () => {
  it('are shown as their message alone, as Tilt shows them', () => {
    const r = loadProject({ Tiltfile: "local_resource('a', 'true', resource_deps=['a'])\n" });
    expect(r.error).toBe('resource a specified a dependency on itself');
  });
});
