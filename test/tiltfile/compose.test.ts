import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TiltfileResult } from '../../src/tiltfile/index.js';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import type { Manifest } from '../../src/model/manifest.js';
import {
  interpolate,
  normalizeProjectName,
  parseDotEnv,
  parsePorts,
} from '../../src/tiltfile/builtins/compose.js';
import { loadProject, removeProjects, type LoadedProject } from './helpers.js';

afterEach(removeProjects);

/** Loads a project kept in <tmp>/myapp (or <tmp>/<project>), whose name docker_compose uses. */
const load = (
  files: Record<string, string>,
  opts: { env?: Record<string, string>; project?: string } = {},
): LoadedProject => loadProject(files, { env: opts.env, subdir: opts.project ?? 'myapp' });

const byName = (r: TiltfileResult, name: string): Manifest => {
  const m = r.manifests.find((x) => x.name === name);
  if (!m) throw new Error(`no manifest ${name} in ${r.manifests.map((x) => x.name).join(', ')}`);
  return m;
};

const simpleConfig = `version: '3'
services:
  foo:
    build: ./foo
    command: sleep 100
    ports:
      - "12312:80"
`;

const twoServiceConfig = `services:
  foo:
    build: ./foo
    ports:
      - "12312:80"
  bar:
    image: bar-image
    expose:
      - "3000"
    depends_on:
      - foo
`;

const threeServiceConfig = `services:
  db:
    image: db-image
  foo:
    image: foo-image
    depends_on:
      - db
  bar:
    image: bar-image
    depends_on:
      db:
        condition: service_healthy
      foo:
        condition: service_started
`;

const dockerfile = { 'foo/Dockerfile': 'FROM alpine\n' };

describe('docker_compose', () => {
  it('makes a dc resource per service', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toBeNull();
    expect(r.manifests).toHaveLength(1);
    const m = r.manifests[0];
    expect(m.name).toBe('foo');
    expect(m.type).toBe('dc');
    expect(m.enabled).toBe(true);
    expect(m.imageTargets).toEqual([]);
    expect(m.dc).toEqual({
      project: 'myapp',
      service: 'foo',
      configPaths: [join(r.dir, 'docker-compose.yml')],
      projectPath: r.dir,
      envFile: '',
      profiles: [],
      wait: false,
      image: 'myapp_foo',
      build: {
        context: join(r.dir, 'foo'),
        dockerfile: join(r.dir, 'foo/Dockerfile'),
        args: {},
        target: '',
      },
      ports: [{ host: '', published: 12312, target: 80 }],
    });
    expect(m.links).toEqual([{ url: 'http://localhost:12312/', name: '' }]);
    expect(m.triggerMode).toBe('TRIGGER_MODE_AUTO');
    expect(m.autoInit).toBe(true);
    expect(r.configFiles).toContain(join(r.dir, 'docker-compose.yml'));
    expect(r.configFiles).toContain(join(r.dir, 'foo/.dockerignore'));
  });

  it('shows the service in the JSON result', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    const [m] = resultJSON(r).manifests;
    expect(m.type).toBe('dc');
    expect(m).toMatchObject({
      dc: {
        project: 'myapp',
        service: 'foo',
        configPaths: [join(r.dir, 'docker-compose.yml')],
        image: 'myapp_foo',
        ports: [{ host: '', published: 12312, target: 80 }],
      },
    });
  });

  it('turns depends_on into resource deps, dependencies first', () => {
    const r = load({
      'docker-compose.yml': threeServiceConfig,
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toBeNull();
    expect(r.manifests.map((m) => [m.name, m.resourceDeps])).toEqual([
      ['db', []],
      ['foo', ['db']],
      ['bar', ['db', 'foo']],
    ]);
  });

  it('renames with new_name, following dependencies', () => {
    const r = load({
      'docker-compose.yml': threeServiceConfig,
      Tiltfile: `docker_compose('docker-compose.yml')
dc_resource('db', new_name='db2')
dc_resource('foo', new_name='foo2')
`,
    });
    expect(r.error).toBeNull();
    expect(r.manifests.map((m) => [m.name, m.resourceDeps])).toEqual([
      ['db2', []],
      ['foo2', ['db2']],
      ['bar', ['db2', 'foo2']],
    ]);
    expect(byName(r, 'db2').dc!.service).toBe('db');
  });

  it('merges several files as Compose does', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': `services:
  web:
    image: web:base
    build:
      context: ./foo
      args:
        A: "1"
    environment:
      - MODE=dev
      - KEEP=yes
    ports:
      - "8000:80"
  db:
    image: postgres
`,
      'docker-compose.override.yml': `services:
  web:
    image: web:override
    build:
      dockerfile: Dockerfile.dev
      target: dev
      args: ["B=2"]
    environment:
      MODE: prod
    ports:
      - "127.0.0.1:9000:90/udp"
    depends_on:
      db:
        condition: service_healthy
`,
      Tiltfile: "docker_compose(['docker-compose.yml', 'docker-compose.override.yml'])\n",
    });
    expect(r.error).toBeNull();
    const web = byName(r, 'web');
    expect(web.dc!.image).toBe('web:override');
    expect(web.dc!.build).toEqual({
      context: join(r.dir, 'foo'),
      dockerfile: join(r.dir, 'foo/Dockerfile.dev'),
      args: { A: '1', B: '2' },
      target: 'dev',
    });
    expect(web.dc!.ports).toEqual([
      { host: '', published: 8000, target: 80 },
      { host: '127.0.0.1', published: 9000, target: 90 },
    ]);
    expect(web.resourceDeps).toEqual(['db']);
    expect(web.dc!.configPaths).toEqual([
      join(r.dir, 'docker-compose.yml'),
      join(r.dir, 'docker-compose.override.yml'),
    ]);
    for (const f of ['docker-compose.yml', 'docker-compose.override.yml']) {
      expect(r.configFiles).toContain(join(r.dir, f));
    }
  });

  it('interpolates from env_file, with the environment winning', () => {
    const r = load(
      {
        'docker-compose.yml': `services:
  bar:
    image: "\${IMAGE:-bar-image}:\${TAG}"
    ports:
      - "$BAR_PORT:$BAR_PORT"
      - "\${OTHER_PORT-5000}:5000"
    environment:
      COST: "$$5"
`,
        'local.env': 'BAR_PORT=4000\nTAG="v1" # the tag\nexport OTHER_PORT=6000\n',
        Tiltfile: "docker_compose('docker-compose.yml', env_file='local.env')\n",
      },
      { env: { OTHER_PORT: '7000' } },
    );
    expect(r.error).toBeNull();
    const bar = byName(r, 'bar');
    expect(bar.dc!.image).toBe('bar-image:v1');
    expect(bar.dc!.ports.map((p) => p.published)).toEqual([4000, 7000]);
    expect(bar.dc!.envFile).toBe(join(r.dir, 'local.env'));
    expect(bar.links.map((l) => l.url)).toEqual([
      'http://localhost:4000/',
      'http://localhost:7000/',
    ]);
    expect(r.configFiles).toContain(join(r.dir, 'local.env'));
  });

  it('reads .env beside the first compose file by default', () => {
    const r = load({
      'compose/docker-compose.yml': 'services:\n  app:\n    image: "app:${TAG}"\n',
      'compose/.env': 'TAG=from-dotenv\n',
      Tiltfile: "docker_compose('compose/docker-compose.yml')\n",
    });
    expect(r.error).toBeNull();
    expect(byName(r, 'app').dc!.image).toBe('app:from-dotenv');
    expect(byName(r, 'app').dc!.project).toBe('compose');
  });

  it('fails on a required variable that is missing', () => {
    const r = load({
      'docker-compose.yml': 'services:\n  app:\n    image: "${IMAGE:?set IMAGE}"\n',
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toContain(
      'Error in docker_compose: required variable IMAGE is missing a value: set IMAGE',
    );
  });

  it('names the project after the first file directory, or project_name', () => {
    let r = load(
      {
        'docker-compose.yml': 'services:\n  app:\n    image: app\n',
        Tiltfile: "docker_compose('docker-compose.yml')\n",
      },
      { project: 'My.App_Dir' },
    );
    expect(r.error).toBeNull();
    expect(r.manifests[0].dc!.project).toBe('myapp_dir');
    r = load({
      'docker-compose.yml': 'services:\n  app:\n    build: .\n',
      Tiltfile: "docker_compose('docker-compose.yml', project_name='hello')\n",
    });
    expect(r.manifests[0].dc!.project).toBe('hello');
    expect(r.manifests[0].dc!.image).toBe('hello_app');
    r = load({
      'docker-compose.yml': 'services:\n  app:\n    image: app\n',
      Tiltfile: "docker_compose('docker-compose.yml', project_name='Hello')\n",
    });
    expect(r.error).toContain('invalid project name "Hello"');
  });

  it('includes services by profile', () => {
    const config = `services:
  foo:
    image: foo
  bar:
    image: bar
    profiles: [barprofile]
`;
    let r = load({
      'docker-compose.yml': config,
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    expect(r.manifests.map((m) => m.name)).toEqual(['foo']);
    r = load({
      'docker-compose.yml': config,
      Tiltfile: "docker_compose('docker-compose.yml', profiles=['barprofile'])\n",
    });
    expect(r.manifests.map((m) => m.name)).toEqual(['bar', 'foo']);
    expect(r.manifests[0].dc!.profiles).toEqual(['barprofile']);
    r = load(
      { 'docker-compose.yml': config, Tiltfile: "docker_compose('docker-compose.yml')\n" },
      { env: { COMPOSE_PROFILES: 'barprofile' } },
    );
    expect(r.manifests.map((m) => m.name)).toEqual(['bar', 'foo']);
    expect(r.logs).toContain(
      'Compose project "myapp" loading profiles from environment: barprofile',
    );
    r = load({
      'docker-compose.yml': config,
      Tiltfile: "docker_compose('docker-compose.yml')\ndc_resource('bar')\n",
    });
    expect(r.error).toContain(
      'Error in dc_resource: no Docker Compose service found with name "bar". Found these instead:\n\tfoo',
    );
  });

  it('accepts a blob as a compose file', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: `docker_compose([blob("""services:
  bar:
    image: bar-image
"""), 'docker-compose.yml'])
`,
    });
    expect(r.error).toBeNull();
    expect(r.manifests.map((m) => m.name).sort()).toEqual(['bar', 'foo']);
    expect(byName(r, 'foo').dc!.build!.context).toBe(join(r.dir, 'foo'));
  });

  it('watches the services env files', () => {
    const r = load({
      'docker-compose.yml': 'services:\n  bar:\n    image: bar\n    env_file:\n      - bar.env\n',
      'bar.env': 'X=1\n',
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toBeNull();
    expect(r.configFiles).toContain(join(r.dir, 'bar.env'));
  });

  it('fails with nothing to compose, or a value that is not a path', () => {
    expect(load({ Tiltfile: 'docker_compose(None)\n' }).error).toContain('Nothing to compose');
    expect(load({ Tiltfile: 'docker_compose(True)\n' }).error).toContain(
      'expected blob | path (string). Actual type: starlark.Bool',
    );
  });

  it('fails on a service with neither image nor build', () => {
    const r = load({
      'docker-compose.yml': 'services:\n  app:\n    command: sleep 1\n',
      Tiltfile: "docker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toContain(
      'service "app" has neither an image nor a build context specified: invalid compose project',
    );
  });
});

describe('dc_resource', () => {
  it('sets trigger mode, auto_init, labels, links and deps', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': twoServiceConfig,
      Tiltfile: `docker_compose('docker-compose.yml')
dc_resource('foo', trigger_mode=TRIGGER_MODE_MANUAL, auto_init=False, labels=['backend'],
    links=[link('http://localhost:9999/admin', 'admin')], infer_links=False)
dc_resource('bar', resource_deps=['foo'], labels='frontend')
`,
    });
    expect(r.error).toBeNull();
    expect(r.manifests.map((m) => m.name)).toEqual(['foo', 'bar']);
    const foo = byName(r, 'foo');
    expect(foo.triggerMode).toBe('TRIGGER_MODE_MANUAL');
    expect(foo.autoInit).toBe(false);
    expect(foo.labels).toEqual(['backend']);
    expect(foo.links).toEqual([{ url: 'http://localhost:9999/admin', name: 'admin' }]);
    const bar = byName(r, 'bar');
    expect(bar.resourceDeps).toEqual(['foo']);
    expect(bar.labels).toEqual(['frontend']);
    expect(bar.triggerMode).toBe('TRIGGER_MODE_AUTO');
  });

  it('follows the Tiltfile trigger mode when it sets none', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: "trigger_mode(TRIGGER_MODE_MANUAL)\ndocker_compose('docker-compose.yml')\n",
    });
    expect(r.manifests[0].triggerMode).toBe('TRIGGER_MODE_MANUAL');
    expect(r.manifests[0].autoInit).toBe(true);
  });

  it('fails on an unknown service', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: "docker_compose('docker-compose.yml')\ndc_resource('no-svc-with-this-name-eek')\n",
    });
    expect(r.error).toContain(
      'no Docker Compose service found with name "no-svc-with-this-name-eek". Found these instead:\n\tfoo',
    );
  });

  it('asks for project_name when two projects have the service', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      'sub/foo/Dockerfile': 'FROM alpine\n',
      'sub/docker-compose.yml': simpleConfig,
      'sub/Tiltfile': "docker_compose('docker-compose.yml')\n",
      Tiltfile: `include('./sub/Tiltfile')
dc_resource('foo', project_name='sub', new_name='foo2')
docker_compose('docker-compose.yml')
dc_resource('foo', labels=['main'])
`,
    });
    expect(r.error).toBeNull();
    expect(r.manifests.map((m) => [m.name, m.dc!.project])).toEqual([
      ['foo2', 'sub'],
      ['foo', 'myapp'],
    ]);
    expect(byName(r, 'foo').labels).toEqual(['main']);
  });
});

describe('compose resources and images', () => {
  it('uses the docker_build whose ref the compose file names', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': `services:
  foo:
    image: gcr.io/as_specified_in_config
    build: ./foo
`,
      Tiltfile:
        "docker_build('gcr.io/as_specified_in_config', './foo')\ndocker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([]);
    expect(r.manifests[0].imageTargets.map((t) => t.ref)).toEqual([
      'gcr.io/as_specified_in_config',
    ]);
  });

  it('uses the image given to dc_resource, matching local names', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': twoServiceConfig,
      Tiltfile: `docker_build('fooimage', './foo')
docker_compose('docker-compose.yml')
dc_resource('foo', 'fooimage')
`,
    });
    expect(r.error).toBeNull();
    expect(byName(r, 'foo').imageTargets.map((t) => t.ref)).toEqual(['fooimage']);
    expect(byName(r, 'foo').dc!.image).toBe('fooimage');
    expect(byName(r, 'bar').imageTargets).toEqual([]);
  });

  it('warns about an unused image in Compose terms', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': 'services:\n  foo:\n    image: gcr.io/foo\n',
      Tiltfile: "docker_build('gcr.typo.io/foo', 'foo')\ndocker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([
      `Image not used in any Docker Compose config:
    ✕ gcr.typo.io/foo
Did you mean…
    - gcr.io/foo
Skipping this image build
If this is deliberate, suppress this warning with: update_settings(suppress_unused_image_warnings=["gcr.typo.io/foo"])`,
    ]);
  });

  it('rejects an entrypoint override', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: `docker_build('gcr.io/foo', './foo', entrypoint='./foo')
docker_compose('docker-compose.yml')
dc_resource('foo', 'gcr.io/foo')
`,
    });
    expect(r.error).toContain(
      'docker_build/custom_build.entrypoint not supported for Docker Compose resources',
    );
  });

  it('rejects default_registry', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      Tiltfile: "docker_compose('docker-compose.yml')\ndefault_registry('bar.com')\n",
    });
    expect(r.error).toContain('default_registry is not supported with docker compose');
  });

  it('puts compose resources after Kubernetes ones and before local ones', () => {
    const r = load({
      ...dockerfile,
      'docker-compose.yml': simpleConfig,
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n',
      Tiltfile: `local_resource('build', 'echo hi')
docker_compose('docker-compose.yml')
k8s_yaml('cm.yaml')
`,
    });
    expect(r.error).toBeNull();
    expect(r.manifests.map((m) => [m.name, m.type])).toEqual([
      ['uncategorized', 'k8s'],
      ['foo', 'dc'],
      ['build', 'local'],
    ]);
  });

  it('reports names taken by other resources', () => {
    const files = { ...dockerfile, 'docker-compose.yml': simpleConfig };
    let r = load({
      ...files,
      Tiltfile: "local_resource('foo', 'echo hi')\ndocker_compose('docker-compose.yml')\n",
    });
    expect(r.error).toContain('local_resource named "foo" already exists');
    r = load({
      ...files,
      Tiltfile: "docker_compose('docker-compose.yml')\nlocal_resource('foo', 'echo hi')\n",
    });
    expect(r.error).toContain('dc_resource named "foo" already exists');
  });
});

describe('compose file details', () => {
  it('interpolates as Compose does', () => {
    const env: Record<string, string> = { A: 'a', EMPTY: '' };
    const look = (k: string) => env[k];
    expect(interpolate('$A ${A} ${B:-b} ${EMPTY:-d} ${EMPTY-d} $$A ${A:+x} ${B+y}', look)).toBe(
      'a a b d  $A x ',
    );
    expect(interpolate('${B:-${A}-x}', look)).toBe('a-x');
    expect(() => interpolate('${A', look)).toThrow('Invalid template: "${A"');
    expect(() => interpolate('${B?}', look)).toThrow('required variable B is missing a value');
  });

  it('parses .env files', () => {
    expect(
      parseDotEnv(
        '# comment\nA=1\nexport B = two words # note\nC="x\\ny"\nD=\'$A\'\nE=${A}-e\nF\n',
        (k) => ({ F: 'from-env' })[k],
      ),
    ).toEqual({ A: '1', B: 'two words', C: 'x\ny', D: '$A', E: '1-e', F: 'from-env' });
  });

  it('parses port forms', () => {
    expect(
      parsePorts([
        '3000',
        '8000:80',
        '127.0.0.1:8001:81',
        '6060:6060/udp',
        '[::1]:6001:6001',
        '9090-9091:8080-8081',
        3001,
        { target: 80, published: '8080', host_ip: '0.0.0.0' },
      ]),
    ).toEqual([
      { host: '', published: 0, target: 3000 },
      { host: '', published: 8000, target: 80 },
      { host: '127.0.0.1', published: 8001, target: 81 },
      { host: '', published: 6060, target: 6060 },
      { host: '::1', published: 6001, target: 6001 },
      { host: '', published: 9090, target: 8080 },
      { host: '', published: 9091, target: 8081 },
      { host: '', published: 0, target: 3001 },
      { host: '0.0.0.0', published: 8080, target: 80 },
    ]);
  });

  it('normalizes project names', () => {
    expect(normalizeProjectName('My.App_Dir')).toBe('myapp_dir');
    expect(normalizeProjectName('-_x')).toBe('x');
  });
});
