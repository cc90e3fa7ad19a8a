import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLED_EXTENSIONS_DIR } from '../../src/tiltfile/builtins/extensions.js';
import {
  loadProject,
  podYAML,
  removeProjects,
  writeProject,
  type LoadedProject,
} from './helpers.js';

afterEach(removeProjects);

const BUNDLED = fileURLToPath(
  new URL('../../extensions/restart_process/Tiltfile', import.meta.url),
);
const LOAD =
  "load('ext://restart_process', 'docker_build_with_restart', 'custom_build_with_restart')";

/** A project whose Tiltfile loads the extension, runs `body` and deploys image `app`. */
function load(body: string, files: Record<string, string> = {}): LoadedProject {
  return loadProject({
    Tiltfile: `${LOAD}\n${body}\nk8s_yaml('pod.yaml')\n`,
    Dockerfile: 'FROM busybox\n',
    'pod.yaml': podYAML('app', 'app'),
    ...files,
  });
}

/** The one image target of a project loaded without error. */
function target(r: LoadedProject) {
  expect(r.error).toBeNull();
  expect(r.manifests.flatMap((m) => m.imageTargets.map((t) => t.ref))).toEqual(['app']);
  return r.manifests[0].imageTargets[0];
}

/** The wrapper's script and the command it wraps. */
function splitEntrypoint(entrypoint: string[] | null) {
  expect(entrypoint?.slice(0, 2)).toEqual(['sh', '-c']);
  expect(entrypoint?.[3]).toBe('tilt-restart-wrapper');
  return { script: entrypoint![2], command: entrypoint!.slice(4) };
}

describe("load('ext://restart_process')", () => {
  it('loads the copy bundled at the package root, without fetching anything', () => {
    expect(join(BUNDLED_EXTENSIONS_DIR, 'restart_process', 'Tiltfile')).toBe(BUNDLED);
    const r = load("docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app')])");
    target(r);
    expect(r.configFiles).toContain(BUNDLED);
  });

  it('prefers a file:// repository registered as default', () => {
    const repo = writeProject({
      'restart_process/Tiltfile': 'docker_build_with_restart = "local"\n',
    });
    const r = loadProject({
      Tiltfile: `v1alpha1.extension_repo(name='default', url='${pathToFileURL(repo).href}')
load('ext://restart_process', 'docker_build_with_restart')
print(docker_build_with_restart)
`,
    });
    expect(r.error).toBeNull();
    expect(r.logs).toContain('local');
    expect(r.configFiles).not.toContain(BUNDLED);
  });

  it('still explains that other extensions of the default repository cannot be fetched', () => {
    const r = loadProject({ Tiltfile: "load('ext://git_resource', 'git_checkout')\n" });
    expect(r.error).toContain(
      'Error: cannot load ext://git_resource: loading extension "git_resource": extension repo default (https://github.com/tilt-dev/tilt-extensions) cannot be fetched from here.',
    );
  });
});

describe('docker_build_with_restart', () => {
  it('makes one image whose entrypoint wraps a string command in sh -c', () => {
    const t = target(
      load("docker_build_with_restart('app', '.', 'echo hi; ./server', [sync('.', '/app')])"),
    );
    expect(t.build.kind).toBe('docker');
    const { script, command } = splitEntrypoint(t.build.entrypoint);
    expect(command).toEqual(['sh', '-c', 'echo hi; ./server']);
    expect(script.startsWith("pidfile='/.restart-proc.pid'\npolicy=restart\n")).toBe(true);
    expect(script).toContain("trap 'hup=1' HUP");
  });

  it('keeps a list entrypoint as the argv after the wrapper', () => {
    const t = target(
      load(
        "docker_build_with_restart('app', '.', ['/app/server', '--port', '80'], [sync('.', '/app')])",
      ),
    );
    expect(splitEntrypoint(t.build.entrypoint).command).toEqual(['/app/server', '--port', '80']);
  });

  it('ends live update with the restart run step, after the given steps', () => {
    const r = load("docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app')])");
    const steps = target(r).liveUpdate;
    expect(steps.map((s) => s.type)).toEqual(['sync', 'run']);
    const run = steps[1];
    if (run.type !== 'run') throw new Error('not a run step');
    expect(run.triggers).toEqual([]);
    expect(run.cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(run.cmd[2]).toContain("p='/.restart-proc.pid';");
    expect(run.cmd[2]).toContain(
      'date > \'/.restart-proc\' && read -r pid < "$p" && kill -HUP "$pid"',
    );
  });

  it('gives the run step its trigger, relative to the main Tiltfile', () => {
    const r = load(
      "docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app')], trigger=['src/main.go'])",
    );
    const run = target(r).liveUpdate.at(-1)!;
    expect(run).toMatchObject({ type: 'run', triggers: [join(r.dir, 'src', 'main.go')] });
  });

  it('uses restart_file and exit_policy in the wrapper and the run step', () => {
    const t = target(
      load(`docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app')],
    restart_file="/tmp/it's", exit_policy='continue')`),
    );
    const { script } = splitEntrypoint(t.build.entrypoint);
    expect(script.startsWith("pidfile='/tmp/it'\\''s.pid'\npolicy=continue\n")).toBe(true);
    const run = t.liveUpdate.at(-1)!;
    expect(run.type === 'run' && run.cmd[2]).toContain("p='/tmp/it'\\''s.pid';");
  });

  it('passes the other arguments on to docker_build', () => {
    const t = target(
      load(
        "docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app')], dockerfile='other.Dockerfile', build_args={'A': 'b'}, base_suffix='-ignored')",
        { 'other.Dockerfile': 'FROM scratch\n' },
      ),
    );
    expect(t.build).toMatchObject({
      kind: 'docker',
      dockerfileContents: 'FROM scratch\n',
      buildArgs: { A: 'b' },
    });
  });

  it('requires at least one live_update step', () => {
    expect(load("docker_build_with_restart('app', '.', '/app/server', [])").error).toContain(
      '`docker_build_with_restart` requires at least one live_update step',
    );
  });

  it('refuses restart_container()', () => {
    const r = load(
      "docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app'), restart_container()])",
    );
    expect(r.error).toContain(
      '`docker_build_with_restart` is not compatible with live_update step: `restart_container()` (this extension is meant to REPLACE restart_container() )',
    );
  });

  it('refuses an entrypoint that is neither a string nor a list', () => {
    expect(load("docker_build_with_restart('app', '.', 42, [sync('.', '/app')])").error).toContain(
      '`entrypoint` must be a string or list of strings: got int',
    );
  });

  it('refuses an empty entrypoint', () => {
    expect(load("docker_build_with_restart('app', '.', [], [sync('.', '/app')])").error).toContain(
      '`entrypoint` must not be empty',
    );
  });

  it('refuses an unknown exit_policy', () => {
    const r = load(
      "docker_build_with_restart('app', '.', '/app/server', [sync('.', '/app')], exit_policy='stop')",
    );
    expect(r.error).toContain(
      "`docker_build_with_restart`: exit_policy must be 'restart' or 'continue': got \"stop\"",
    );
  });
});

describe('custom_build_with_restart', () => {
  it('makes one custom build with the wrapped entrypoint and the restart step', () => {
    const t = target(
      load(
        "custom_build_with_restart('app', 'docker build -t $EXPECTED_REF .', ['src'], ['/app/server'], [sync('src', '/app/src')], trigger='src/x', disable_push=True)",
      ),
    );
    expect(t.build).toMatchObject({
      kind: 'custom',
      command: ['sh', '-c', 'docker build -t $EXPECTED_REF .'],
      disablePush: true,
    });
    expect(splitEntrypoint(t.build.entrypoint).command).toEqual(['/app/server']);
    expect(t.liveUpdate.map((s) => s.type)).toEqual(['sync', 'run']);
    expect(t.liveUpdate[1]).toMatchObject({
      type: 'run',
      triggers: [expect.stringMatching(/src\/x$/)],
    });
  });

  it('validates like docker_build_with_restart, under its own name', () => {
    expect(load("custom_build_with_restart('app', 'true', [], '/app/server', [])").error).toContain(
      '`custom_build_with_restart` requires at least one live_update step',
    );
    expect(
      load(
        "custom_build_with_restart('app', 'true', [], '/app/server', [sync('.', '/app'), restart_container()])",
      ).error,
    ).toContain(
      '`custom_build_with_restart` is not compatible with live_update step: `restart_container()` (this extension is meant to REPLACE restart_container() )',
    );
    expect(
      load("custom_build_with_restart('app', 'true', [], {'a': 1}, [sync('.', '/app')])").error,
    ).toContain('`entrypoint` must be a string or list of strings: got dict');
  });
});
