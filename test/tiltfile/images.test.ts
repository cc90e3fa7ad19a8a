// docker_build, custom_build and default_registry as a Tiltfile author sees
// them: what each parameter records, the defaults, and Tilt's messages.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageTarget } from '../../src/model/manifest.js';
import type { CustomImageSpec, DockerImageSpec } from '../../src/tiltfile/builtins/images.js';
import { imagesOf } from '../../src/tiltfile/builtins/images.js';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import {
  deploymentYAML,
  loadProject,
  removeProjects,
  runTiltfile,
  type LoadedProject,
} from './helpers.js';

afterEach(removeProjects);

/** A project with a Dockerfile in foo/ and a Deployment running gcr.io/foo. */
function fooProject(tiltfile: string, extra: Record<string, string> = {}): LoadedProject {
  return loadProject({
    Tiltfile: tiltfile,
    'foo/Dockerfile': 'FROM alpine\n',
    'foo.yaml': deploymentYAML('foo', 'gcr.io/foo'),
    ...extra,
  });
}

function onlyTarget(r: LoadedProject): ImageTarget {
  expect(r.error).toBeNull();
  const targets = r.manifests.flatMap((m) => m.imageTargets);
  expect(targets).toHaveLength(1);
  return targets[0];
}

const dockerSpec = (r: LoadedProject) => onlyTarget(r).build as DockerImageSpec;
const customSpec = (r: LoadedProject) => onlyTarget(r).build as CustomImageSpec;

describe('docker_build', () => {
  it('records the defaults', () => {
    const r = fooProject("docker_build('gcr.io/foo', 'foo')\nk8s_yaml('foo.yaml')\n");
    const spec = dockerSpec(r);
    expect(spec).toMatchObject({
      kind: 'docker',
      ref: 'gcr.io/foo',
      context: join(r.dir, 'foo'),
      dockerfile: join(r.dir, 'foo/Dockerfile'),
      dockerfileContents: 'FROM alpine\n',
      buildArgs: {},
      liveUpdate: [],
      matchInEnvVars: false,
      ignore: [],
      only: [],
      entrypoint: null,
      containerArgs: null,
      target: '',
      ssh: [],
      secret: [],
      network: '',
      extraTags: [],
      cacheFrom: [],
      pull: false,
      platform: '',
      extraHosts: [],
    });
    expect(spec.definedAt).toBe(`${join(r.dir, 'Tiltfile')}:1:13`);
    const [m] = resultJSON(r).manifests;
    expect(m.imageTargets[0]).toMatchObject({
      ref: 'gcr.io/foo',
      kind: 'docker',
      context: join(r.dir, 'foo'),
      dockerfile: join(r.dir, 'foo/Dockerfile'),
      buildArgs: {},
      target: '',
      entrypoint: null,
      containerArgs: null,
    });
  });

  it('records every build option', () => {
    const r = fooProject(`
docker_build('gcr.io/foo', 'foo',
  build_args={'GIT_REV': 'abc', 'EMPTY': ''},
  target='stage',
  ssh='default',
  secret=['id=shibboleth', 'id=other,src=x'],
  network='host',
  extra_tag=['foo:latest', 'foo:jenkins-1234'],
  cache_from='gcr.io/foo:cache',
  pull=True,
  platform='linux/arm64',
  extra_hosts=['somehost:162.242.195.82'],
  ignore=['*.md', 'tmp'],
  only=['src', 'package.json'],
  match_in_env_vars=True,
)
k8s_yaml('foo.yaml')
`);
    expect(dockerSpec(r)).toMatchObject({
      buildArgs: { GIT_REV: 'abc', EMPTY: '' },
      target: 'stage',
      ssh: ['default'],
      secret: ['id=shibboleth', 'id=other,src=x'],
      network: 'host',
      extraTags: ['foo:latest', 'foo:jenkins-1234'],
      cacheFrom: ['gcr.io/foo:cache'],
      pull: true,
      platform: 'linux/arm64',
      extraHosts: ['somehost:162.242.195.82'],
      ignore: ['*.md', 'tmp'],
      only: ['src', 'package.json'],
      matchInEnvVars: true,
    });
    expect(resultJSON(r).manifests[0].imageTargets[0]).toMatchObject({
      buildArgs: { GIT_REV: 'abc', EMPTY: '' },
      target: 'stage',
    });
  });

  it('takes a single extra_tag as a string', () => {
    const r = fooProject(
      "docker_build('gcr.io/foo', 'foo', extra_tag='foo:latest')\nk8s_yaml('foo.yaml')\n",
    );
    expect(dockerSpec(r).extraTags).toEqual(['foo:latest']);
  });

  it('refuses an extra_tag that is not an image reference', () => {
    const r = fooProject(
      "docker_build('gcr.io/foo', 'foo', extra_tag='cherry bomb')\nk8s_yaml('foo.yaml')\n",
    );
    expect(r.error).toContain(
      'Error in docker_build: Argument extra_tag="cherry bomb" not a valid image reference: invalid reference format',
    );
  });

  it('takes a local() blob as a build arg', () => {
    const r = fooProject(
      "docker_build('gcr.io/foo', 'foo', build_args={'REV': local('printf abc')})\nk8s_yaml('foo.yaml')\n",
    );
    expect(dockerSpec(r).buildArgs).toEqual({ REV: 'abc' });
  });

  it('names what is wrong with build_args', () => {
    const notDict = fooProject("docker_build('gcr.io/foo', 'foo', build_args=['A=1'])\n");
    expect(notDict.error).toContain(
      'Error in docker_build: docker_build: for parameter build_args: expected dict, got *starlark.List',
    );
    const notString = fooProject("docker_build('gcr.io/foo', 'foo', build_args={'A': 1})\n");
    expect(notString.error).toContain(
      'docker_build: for parameter build_args: value is not a string: starlark.Int (1)',
    );
  });

  it('names what is wrong with a string-or-list parameter', () => {
    const r = fooProject("docker_build('gcr.io/foo', 'foo', ssh=1)\n");
    expect(r.error).toContain(
      'docker_build: for parameter ssh: value should be a string or List or Tuple of strings, but is of type int',
    );
    const elem = fooProject("docker_build('gcr.io/foo', 'foo', cache_from=['a', 2])\n");
    expect(elem.error).toContain(
      'docker_build: for parameter cache_from: list should contain only strings, but element "2" was of type int',
    );
  });

  describe('the Dockerfile', () => {
    it('reads <context>/Dockerfile and watches it', () => {
      const r = fooProject("docker_build('gcr.io/foo', 'foo')\nk8s_yaml('foo.yaml')\n");
      expect(r.configFiles).toContain(join(r.dir, 'foo/Dockerfile'));
      expect(r.configFiles).toContain(join(r.dir, 'foo/.dockerignore'));
    });

    it('reads dockerfile= relative to the Tiltfile and watches it', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', dockerfile='other/Dockerfile')\nk8s_yaml('foo.yaml')\n",
        { 'other/Dockerfile': 'FROM busybox\n' },
      );
      expect(dockerSpec(r)).toMatchObject({
        dockerfile: join(r.dir, 'other/Dockerfile'),
        dockerfileContents: 'FROM busybox\n',
      });
      expect(r.configFiles).toContain(join(r.dir, 'other/Dockerfile'));
    });

    it('treats dockerfile=None as not given', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', dockerfile=None)\nk8s_yaml('foo.yaml')\n",
      );
      expect(dockerSpec(r).dockerfile).toBe(join(r.dir, 'foo/Dockerfile'));
    });

    it('takes dockerfile_contents as a string or a blob, reading no file', () => {
      const s = loadProject({
        Tiltfile:
          "docker_build('gcr.io/foo', 'foo', dockerfile_contents='FROM scratch')\nk8s_yaml('foo.yaml')\n",
        'foo.yaml': deploymentYAML('foo', 'gcr.io/foo'),
      });
      expect(dockerSpec(s)).toMatchObject({ dockerfile: null, dockerfileContents: 'FROM scratch' });
      expect(s.configFiles).not.toContain(join(s.dir, 'foo/Dockerfile'));

      const b = fooProject(
        "df = read_file('other.Dockerfile')\ndocker_build('gcr.io/foo', 'foo', dockerfile_contents=df)\nk8s_yaml('foo.yaml')\n",
        { 'other.Dockerfile': 'FROM busybox\n' },
      );
      expect(dockerSpec(b)).toMatchObject({
        dockerfile: null,
        dockerfileContents: 'FROM busybox\n',
      });
      expect(b.configFiles).toContain(join(b.dir, 'other.Dockerfile'));
    });

    it('refuses both dockerfile and dockerfile_contents', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', dockerfile='foo/Dockerfile', dockerfile_contents='FROM alpine')\n",
      );
      expect(r.error).toContain(
        'Error in docker_build: Cannot specify both dockerfile and dockerfile_contents keyword arguments',
      );
    });

    it('refuses dockerfile_contents that is not text', () => {
      const r = fooProject("docker_build('gcr.io/foo', 'foo', dockerfile_contents=1)\n");
      expect(r.error).toContain('Argument (dockerfile_contents): must be string or blob.');
    });

    it('names a missing Dockerfile', () => {
      const r = loadProject({ Tiltfile: "docker_build('gcr.io/foo', 'foo')\n" });
      expect(r.error).toBe(
        `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:1:13: in <toplevel>\n` +
          `Error in docker_build: error reading dockerfile: open ${join(r.dir, 'foo/Dockerfile')}: no such file or directory`,
      );
      expect(r.configFiles).toContain(join(r.dir, 'foo/Dockerfile'));
    });
  });

  it('warns that cache= is obsolete', () => {
    const r = fooProject(
      "docker_build('gcr.io/foo', 'foo', cache='/root/.cache')\nk8s_yaml('foo.yaml')\n",
    );
    const msg =
      'docker_build(cache=...) is obsolete, and currently a no-op.\nYou should switch to live_update to optimize your builds.';
    expect(r.error).toBeNull();
    expect(r.warnings).toEqual([msg]);
    expect(r.logs).toContain(`WARNING: ${msg}`);
  });

  describe('only and ignore', () => {
    it('refuses a glob in only', () => {
      const r = fooProject("docker_build('gcr.io/foo', 'foo', only=['**/common'])\n");
      expect(r.error).toContain(
        "Error in docker_build: 'only' does not support '*' file globs. Must be a real path: **/common",
      );
    });

    it('takes a single string', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', only='src', ignore='*.txt')\nk8s_yaml('foo.yaml')\n",
      );
      expect(dockerSpec(r)).toMatchObject({ only: ['src'], ignore: ['*.txt'] });
    });

    it('names values that are not strings', () => {
      const i = fooProject("docker_build('gcr.io/foo', 'foo', ignore=[127])\n");
      expect(i.error).toContain(
        'Error in docker_build: ignore must be a string or a sequence of strings; found a starlark.Int',
      );
      const o = fooProject("docker_build('gcr.io/foo', 'foo', only=[127])\n");
      expect(o.error).toContain(
        'only must be a string or a sequence of strings; found a starlark.Int',
      );
    });

    it('refuses newlines', () => {
      const r = fooProject("docker_build('gcr.io/foo', 'foo', ignore='\\nweirdfile.txt')\n");
      expect(r.error).toContain('ignore cannot contain newlines; found ignore: "\\nweirdfile.txt"');
    });

    it('turns only into "**" plus exceptions for watching', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', only=['src'], ignore=['*.md'])\nk8s_yaml('foo.yaml')\n",
      );
      expect(onlyTarget(r).watch.ignores).toEqual(['*.md', '**', '!src', '.git', 'Tiltfile']);
    });
  });

  describe('entrypoint and container_args', () => {
    it('runs a string entrypoint under sh -c', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', entrypoint='/bin/the_app --verbose')\nk8s_yaml('foo.yaml')\n",
      );
      expect(onlyTarget(r).entrypoint).toEqual(['sh', '-c', '/bin/the_app --verbose']);
    });

    it('takes a list entrypoint as argv', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', entrypoint=['/bin/the_app', 'a b'])\nk8s_yaml('foo.yaml')\n",
      );
      expect(onlyTarget(r).entrypoint).toEqual(['/bin/the_app', 'a b']);
    });

    it('does not override the command for an empty entrypoint', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', entrypoint='')\nk8s_yaml('foo.yaml')\n",
      );
      expect(onlyTarget(r).entrypoint).toBeNull();
    });

    it('names an entrypoint that is not a command', () => {
      const r = fooProject("docker_build('gcr.io/foo', 'foo', entrypoint=1)\n");
      expect(r.error).toContain(
        'Error in docker_build: a command must be a string or list of strings. found starlark.Int',
      );
      const l = fooProject("docker_build('gcr.io/foo', 'foo', entrypoint=['a', 1])\n");
      expect(l.error).toContain(
        "a command must be a string or a list of strings: '1' is a starlark.Int, not a string",
      );
    });

    it('records container_args', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo', container_args=['--port', '80'])\nk8s_yaml('foo.yaml')\n",
      );
      expect(onlyTarget(r).containerArgs).toEqual(['--port', '80']);
      expect(resultJSON(r).manifests[0].imageTargets[0].containerArgs).toEqual(['--port', '80']);
    });

    it('wants container_args as a sequence of strings', () => {
      const s = fooProject("docker_build('gcr.io/foo', 'foo', container_args='--port')\n");
      expect(s.error).toContain(
        'docker_build: for parameter container_args: got string, want sequence',
      );
      const e = fooProject("docker_build('gcr.io/foo', 'foo', container_args=['a', 2])\n");
      expect(e.error).toContain("Argument 'container_args': '2' is a starlark.Int, not a string");
    });
  });

  describe('platform', () => {
    it('defaults to $DOCKER_DEFAULT_PLATFORM', () => {
      const files = {
        Tiltfile: "docker_build('gcr.io/foo', 'foo')\nk8s_yaml('foo.yaml')\n",
        'foo/Dockerfile': 'FROM alpine\n',
        'foo.yaml': deploymentYAML('foo', 'gcr.io/foo'),
      };
      expect(
        dockerSpec(loadProject(files, { env: { DOCKER_DEFAULT_PLATFORM: 'linux/amd64' } }))
          .platform,
      ).toBe('linux/amd64');
    });

    it('prefers the platform given', () => {
      const files = {
        Tiltfile:
          "docker_build('gcr.io/foo', 'foo', platform='linux/arm64')\nk8s_yaml('foo.yaml')\n",
        'foo/Dockerfile': 'FROM alpine\n',
        'foo.yaml': deploymentYAML('foo', 'gcr.io/foo'),
      };
      expect(
        dockerSpec(loadProject(files, { env: { DOCKER_DEFAULT_PLATFORM: 'linux/amd64' } }))
          .platform,
      ).toBe('linux/arm64');
    });

    it('wants a string', () => {
      const r = fooProject("docker_build('gcr.io/foo', 'foo', platform=1)\n");
      expect(r.error).toContain(
        'docker_build: for parameter platform: Value should be convertible to string, but is type int',
      );
    });
  });

  describe('match_in_env_vars', () => {
    const files = (matchInEnvVars: boolean) => ({
      Tiltfile: `
docker_build('gcr.io/foo', 'foo')
docker_build('gcr.io/fetcher', 'fetcher', match_in_env_vars=${matchInEnvVars ? 'True' : 'False'})
k8s_yaml('foo.yaml')
`,
      'foo/Dockerfile': 'FROM alpine\n',
      'fetcher/Dockerfile': 'FROM alpine\n',
      'foo.yaml': deploymentYAML('foo', 'gcr.io/foo', { env: { FETCHER_IMAGE: 'gcr.io/fetcher' } }),
    });

    it('attaches an image named by an env var value to the workload', () => {
      const r = loadProject(files(true));
      expect(r.error).toBeNull();
      expect(r.warnings).toEqual([]);
      expect(r.manifests.map((m) => [m.name, m.imageTargets.map((t) => t.ref)])).toEqual([
        ['foo', ['gcr.io/foo', 'gcr.io/fetcher']],
      ]);
    });

    it('leaves env vars alone by default', () => {
      const r = loadProject(files(false));
      expect(r.manifests[0].imageTargets.map((t) => t.ref)).toEqual(['gcr.io/foo']);
      expect(r.warnings[0]).toContain(
        'Image not used in any Kubernetes config:\n    ✕ gcr.io/fetcher',
      );
    });
  });

  describe('refs', () => {
    it('refuses the same ref twice', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo', 'foo')\ndocker_build('gcr.io/foo', 'foo')\n",
      );
      expect(r.error).toBe(
        `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:2:13: in <toplevel>\n` +
          'Error in docker_build: Image for ref "gcr.io/foo" has already been defined',
      );
    });

    it('compares refs in normalized form', () => {
      const r = fooProject(
        "docker_build('foo', 'foo')\ndocker_build('docker.io/library/foo', 'foo')\n",
      );
      expect(r.error).toContain(
        'Error in docker_build: Image for ref "docker.io/library/foo" has already been defined',
      );
      const c = fooProject(
        "docker_build('gcr.io/foo', 'foo')\ncustom_build('gcr.io/foo', 'true', ['foo'])\n",
      );
      expect(c.error).toContain(
        'Error in custom_build: Image for ref "gcr.io/foo" has already been defined',
      );
    });

    it('allows one name with different tags', () => {
      const r = fooProject(
        "docker_build('gcr.io/foo:a', 'foo')\ndocker_build('gcr.io/foo:b', 'foo')\nk8s_yaml('foo.yaml')\n",
      );
      expect(r.error).toBeNull();
    });

    it('refuses a ref that does not parse', () => {
      const r = fooProject("docker_build(\"ceci n'est pas une ref\", 'foo')\n");
      expect(r.error).toContain(
        'Error in docker_build: Argument 1 (ref): can\'t parse "ceci n\'est pas une ref": invalid reference format',
      );
      const upper = fooProject("custom_build('Foo', 'true', ['foo'])\n");
      expect(upper.error).toContain(
        'Error in custom_build: Argument 1 (ref): can\'t parse "Foo": invalid reference format: repository name must be lowercase',
      );
    });

    it('wants the ref as a string', () => {
      const r = fooProject("docker_build(1, 'foo')\n");
      expect(r.error).toContain('docker_build: for parameter ref: got int, want string');
    });
  });

  it('requires a context', () => {
    const r = fooProject("docker_build('gcr.io/foo')\n");
    expect(r.error).toContain('Error in docker_build: docker_build: missing argument for context');
  });
});

describe('custom_build', () => {
  it('records the command, deps and defaults', () => {
    const r = fooProject(
      "custom_build('gcr.io/foo', 'docker build -t $EXPECTED_REF foo', ['foo'])\nk8s_yaml('foo.yaml')\n",
    );
    expect(customSpec(r)).toMatchObject({
      kind: 'custom',
      ref: 'gcr.io/foo',
      command: ['sh', '-c', 'docker build -t $EXPECTED_REF foo'],
      deps: [join(r.dir, 'foo')],
      tag: '',
      disablePush: false,
      skipsLocalDocker: false,
      outputsImageRefTo: '',
      imageDeps: [],
      env: {},
      dir: r.dir,
      liveUpdate: [],
      matchInEnvVars: false,
      ignore: [],
      entrypoint: null,
      containerArgs: null,
    });
    expect(resultJSON(r).manifests[0].imageTargets[0]).toMatchObject({
      kind: 'custom',
      command: ['sh', '-c', 'docker build -t $EXPECTED_REF foo'],
      deps: [join(r.dir, 'foo')],
      context: null,
      dockerfile: null,
    });
  });

  it('records every option', () => {
    const r = fooProject(
      `
custom_build('gcr.io/foo', ['build.sh', '--tag', 'x'], 'foo',
  disable_push=True,
  skips_local_docker=True,
  outputs_image_ref_to='ref.txt',
  image_deps=['gcr.io/base'],
  env={'FOO': 'bar'},
  dir='foo',
  ignore='*.tmp',
  match_in_env_vars=True,
  entrypoint=['/app'],
  container_args=['--x'],
)
k8s_yaml('foo.yaml')
`,
    );
    expect(customSpec(r)).toMatchObject({
      command: ['build.sh', '--tag', 'x'],
      deps: [join(r.dir, 'foo')],
      disablePush: true,
      skipsLocalDocker: true,
      outputsImageRefTo: join(r.dir, 'ref.txt'),
      imageDeps: ['gcr.io/base'],
      env: { FOO: 'bar' },
      dir: join(r.dir, 'foo'),
      ignore: ['*.tmp'],
      matchInEnvVars: true,
      entrypoint: ['/app'],
      containerArgs: ['--x'],
    });
  });

  it('records a tag', () => {
    const r = fooProject(
      "custom_build('gcr.io/foo', 'docker build -t gcr.io/foo:my-tag foo', ['foo'], tag='my-tag')\nk8s_yaml('foo.yaml')\n",
    );
    expect(customSpec(r).tag).toBe('my-tag');
  });

  it('refuses tag together with outputs_image_ref_to', () => {
    const r = fooProject(
      "custom_build('gcr.io/foo', 'true', ['foo'], tag='t', outputs_image_ref_to='ref.txt')\n",
    );
    expect(r.error).toContain(
      'Error in custom_build: Cannot specify both tag= and outputs_image_ref_to=',
    );
  });

  it('refuses an empty command', () => {
    for (const cmd of ["''", '[]']) {
      const r = fooProject(`custom_build('gcr.io/foo', ${cmd}, ['foo'])\n`);
      expect(r.error).toContain("Error in custom_build: Argument 2 (command) can't be empty");
    }
  });

  it('runs command, not command_bat, on this platform', () => {
    const r = fooProject(
      "custom_build('gcr.io/foo', command='', command_bat='build.bat', deps=['foo'])\n",
    );
    expect(r.error).toContain("Argument 2 (command) can't be empty");
  });

  it('names a command that is not a command', () => {
    const r = fooProject("custom_build('gcr.io/foo', 1, ['foo'])\n");
    expect(r.error).toContain(
      'Error in custom_build: Argument 2 (command): a command must be a string or list of strings. found starlark.Int',
    );
  });

  it('requires deps, which may be empty', () => {
    const missing = fooProject("custom_build('gcr.io/foo', 'true')\n");
    expect(missing.error).toContain('custom_build: missing argument for deps');
    const empty = fooProject("custom_build('gcr.io/foo', 'true', [])\nk8s_yaml('foo.yaml')\n");
    expect(customSpec(empty).deps).toEqual([]);
  });

  it('names deps that are not paths', () => {
    const r = fooProject("custom_build('gcr.io/foo', 'true', [1])\n");
    expect(r.error).toContain(
      'custom_build: for parameter deps: unpacking list item at index 0: expected path | string. Actual type: starlark.Int',
    );
  });

  it('checks image_deps are image references', () => {
    const r = fooProject("custom_build('gcr.io/foo', 'true', ['foo'], image_deps=['Bad Ref'])\n");
    expect(r.error).toContain(
      'custom_build: for parameter image_deps: must be a valid image reference: invalid reference format',
    );
  });

  it('resolves paths relative to the Tiltfile that calls it', () => {
    const r = loadProject({
      Tiltfile: "include('proj/Tiltfile')\nk8s_yaml('foo.yaml')\n",
      'proj/Tiltfile': "custom_build('gcr.io/foo', 'build.sh', ['foo'])\n",
      'foo.yaml': deploymentYAML('foo', 'gcr.io/foo'),
    });
    expect(customSpec(r)).toMatchObject({
      deps: [join(r.dir, 'proj/foo')],
      dir: join(r.dir, 'proj'),
    });
  });
});

describe('default_registry', () => {
  it('records the host, host_from_cluster and single_name', () => {
    const r = runTiltfile(
      "default_registry('localhost:5000', host_from_cluster='registry:5000', single_name='dev')\n",
    );
    expect(r.error).toBeNull();
    expect(imagesOf(r.ctx).registry).toEqual({
      host: 'localhost:5000',
      hostFromCluster: 'registry:5000',
      singleName: 'dev',
    });
  });

  it('defaults host_from_cluster and single_name to empty', () => {
    const r = runTiltfile("default_registry('gcr.io/me')\n");
    expect(imagesOf(r.ctx).registry).toEqual({
      host: 'gcr.io/me',
      hostFromCluster: '',
      singleName: '',
    });
  });

  it('may be called only once', () => {
    const r = runTiltfile("default_registry('gcr.io')\ndefault_registry('docker.io')\n");
    expect(r.shown).toBe(
      `Traceback (most recent call last):\n  ${join(r.dir, 'Tiltfile')}:2:17: in <toplevel>\n` +
        'Error in default_registry: default registry already defined',
    );
  });

  it('does not count an empty host as defined', () => {
    const r = runTiltfile("default_registry('')\ndefault_registry('gcr.io')\n");
    expect(r.error).toBeNull();
    expect(imagesOf(r.ctx).registry?.host).toBe('gcr.io');
  });

  it('checks the host', () => {
    const r = runTiltfile("default_registry('foo')\n");
    expect(r.message).toBe(
      'validating defaultRegistry: validating registry host "foo": repository name must be canonical',
    );
    const c = runTiltfile("default_registry('gcr.io', host_from_cluster='a b')\n");
    expect(c.message).toBe(
      'validating defaultRegistry: validating registry hostFromCluster "a b": invalid reference format',
    );
    const h = runTiltfile("default_registry('', host_from_cluster='registry:5000')\n");
    expect(h.message).toBe(
      'validating defaultRegistry: illegal registry: provided hostFromCluster "registry:5000" without providing Host',
    );
  });
});
