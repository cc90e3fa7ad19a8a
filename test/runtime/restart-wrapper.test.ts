// The restart_process extension's wrapper in a real container: the busybox test
// image, whose sh is busybox ash. The command lines come from loading the bundled
// extension, so these tests check the script that ships.

import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameDemuxer } from '../../src/runtime/docker/logs.js';
import { BUSYBOX_BASE, dockerEngine, ensureBusyboxBase } from '../integration/fixtures.js';
import { loadProject, podYAML, removeProjects } from '../tiltfile/helpers.js';

const MAIN = 'echo start $$; sleep 1000';

let docker: Docker;
const containers: Docker.Container[] = [];

beforeAll(async () => {
  const engine = await dockerEngine();
  await ensureBusyboxBase(engine);
  docker = engine.docker;
}, 120_000);

afterEach(async () => {
  removeProjects();
  for (const c of containers.splice(0)) await c.remove({ force: true }).catch(() => undefined);
});

afterAll(async () => {
  for (const c of containers.splice(0)) await c.remove({ force: true }).catch(() => undefined);
});

interface Wrapped {
  /** The container command: the wrapper, then the entrypoint's argv. */
  argv: string[];
  /** The live update step that restarts the process. */
  restart: string[];
}

/** What docker_build_with_restart makes of `entrypoint` (a Starlark expression). */
function wrap(entrypoint: string, extra = ''): Wrapped {
  const r = loadProject({
    Tiltfile: `load('ext://restart_process', 'docker_build_with_restart')
docker_build_with_restart('app', '.', ${entrypoint}, [sync('.', '/app')]${extra})
k8s_yaml('pod.yaml')
`,
    Dockerfile: 'FROM busybox\n',
    'pod.yaml': podYAML('app', 'app'),
  });
  expect(r.error).toBeNull();
  const target = r.manifests[0].imageTargets[0];
  const last = target.liveUpdate.at(-1)!;
  if (last.type !== 'run') throw new Error(`last live update step is ${last.type}`);
  return { argv: target.build.entrypoint!, restart: last.cmd };
}

async function run(cmd: string[]): Promise<Docker.Container> {
  const c = await docker.createContainer({
    name: `tilt-restart-wrapper-${process.pid}-${randomBytes(4).toString('hex')}`,
    Image: BUSYBOX_BASE,
    Cmd: cmd,
  });
  containers.push(c);
  await c.start();
  return c;
}

/** Output of the container so far, stdout and stderr together. */
async function logs(c: Docker.Container): Promise<string> {
  const raw = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
  let text = '';
  new FrameDemuxer((_kind, data) => (text += data.toString())).push(raw);
  return text;
}

/** PIDs from the "start <pid>" lines of the container's output. */
async function starts(c: Docker.Container): Promise<string[]> {
  return [...(await logs(c)).matchAll(/^start (\d+)/gm)].map((m) => m[1]);
}

/** Polls `probe` until `ok` accepts its result; fails with the last result after `ms`. */
async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last seen: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `argv` in the container; its exit code and output. */
async function exec(
  c: Docker.Container,
  argv: string[],
): Promise<{ code: number; output: string }> {
  const e = await c.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({ hijack: true, stdin: false });
  let output = '';
  const demux = new FrameDemuxer((_kind, data) => (output += data.toString()));
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await until(
    () => e.inspect(),
    (i) => !i.Running,
  );
  return { code: ExitCode ?? -1, output };
}

/** Processes of the container running `cmd` exactly (zombies show differently). */
async function processes(c: Docker.Container, cmd: string): Promise<number> {
  const top = (await c.top()) as { Titles: string[]; Processes: string[][] };
  const col = top.Titles.indexOf('CMD');
  return top.Processes.filter((p) => p[col] === cmd).length;
}

describe('the restart_process wrapper in a busybox container', () => {
  it('runs the process again on the restart step, in the same container', async () => {
    const { argv, restart } = wrap(JSON.stringify(MAIN));
    const c = await run(argv);
    const [first] = await until(
      () => starts(c),
      (s) => s.length === 1,
    );
    const before = await c.inspect();

    const r = await exec(c, restart);
    expect(r).toEqual({ code: 0, output: '' });
    const after = await until(
      () => starts(c),
      (s) => s.length === 2,
    );
    expect(after[1]).not.toBe(first);

    const state = await c.inspect();
    expect(state.State.Running).toBe(true);
    expect(state.State.StartedAt).toBe(before.State.StartedAt);
    expect(state.RestartCount).toBe(0);

    expect((await exec(c, restart)).code).toBe(0);
    const third = await until(
      () => starts(c),
      (s) => s.length === 3,
    );
    expect(new Set(third).size).toBe(3);
  });

  it('takes down what the process started when restarting it', async () => {
    // busybox sh runs a last command in place; here sleep is its child.
    const { argv, restart } = wrap(JSON.stringify('echo start $$; sleep 1000; echo end'));
    const c = await run(argv);
    await until(
      () => starts(c),
      (s) => s.length === 1,
    );
    expect((await exec(c, restart)).code).toBe(0);
    await until(
      () => starts(c),
      (s) => s.length === 2,
    );
    await until(
      () => processes(c, 'sleep 1000'),
      (n) => n === 1,
    );
    expect(await logs(c)).not.toContain('end');
  });

  it('passes arguments after the command on to the process, at every start', async () => {
    const { argv, restart } = wrap(
      JSON.stringify(['sh', '-c', 'echo args "$@"; sleep 1000', 'app']),
    );
    const c = await run([...argv, 'one', 'two words']);
    await until(
      () => logs(c),
      (l) => l.includes('args one two words\n'),
    );
    expect((await exec(c, restart)).code).toBe(0);
    await until(
      () => logs(c),
      (l) => l === 'args one two words\nargs one two words\n',
    );
  });

  it('ends promptly on docker stop, the process getting TERM', async () => {
    const { argv } = wrap(JSON.stringify(MAIN));
    const c = await run(argv);
    await until(
      () => starts(c),
      (s) => s.length === 1,
    );
    const t0 = Date.now();
    await c.stop({ t: 30 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await c.inspect()).State.ExitCode).toBe(143);
  });

  it('ends on INT with 130, though the process started with INT ignored', async () => {
    const { argv } = wrap(JSON.stringify(MAIN));
    const c = await run(argv);
    await until(
      () => starts(c),
      (s) => s.length === 1,
    );
    await c.kill({ signal: 'SIGINT' });
    expect(await c.wait()).toMatchObject({ StatusCode: 130 });
  });

  it('exits with the code of a process that exits on its own', async () => {
    const { argv } = wrap(JSON.stringify('echo start $$; exit 3'));
    const c = await run(argv);
    expect(await c.wait()).toMatchObject({ StatusCode: 3 });
    expect(await starts(c)).toHaveLength(1);
  });

  it("with exit_policy='continue', waits for the next restart instead", async () => {
    const { argv, restart } = wrap(
      JSON.stringify('echo start $$; exit 3'),
      ", exit_policy='continue'",
    );
    const c = await run(argv);
    await until(
      () => logs(c),
      (l) => l.includes('process exited with code 3; waiting for a restart'),
    );
    expect((await c.inspect()).State.Running).toBe(true);
    expect((await exec(c, restart)).code).toBe(0);
    await until(
      () => starts(c),
      (s) => s.length === 2,
    );
    await c.stop({ t: 30 });
    expect((await c.inspect()).State.ExitCode).toBe(143);
  });

  it('fails the restart step clearly in a container not run by the wrapper', async () => {
    const { restart } = wrap(JSON.stringify(MAIN));
    const c = await run(['sleep', '1000']);
    const r = await exec(c, restart);
    expect(r.code).toBe(1);
    expect(r.output).toContain(
      'restart_process: no /.restart-proc.pid: the container was not started by the restart wrapper',
    );
    await c.kill();
  });
});
