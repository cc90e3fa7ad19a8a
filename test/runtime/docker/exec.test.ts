// Live update's two operations on a running container: exec (exit codes,
// output, stdin for `tar -x`, refusals) and restarting it in place.

import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  ExecFailedError,
  type ContainerRef,
  type ContainerState,
  type PodStatus,
} from '../../../src/runtime/workload.js';
import {
  allReady,
  busyboxDeployment,
  live,
  RecordingEvents,
  yaml,
  runtimeHarness,
} from './helpers.js';

const SLEEP = 'exec sleep 3600';

function refOf(pod: PodStatus): ContainerRef {
  const c = pod.containers[0]!;
  return { pod: pod.name, namespace: pod.namespace, container: c.name, id: c.id };
}

describe('Docker runtime: exec and restart', () => {
  const h = runtimeHarness();
  const setUp = async (prefix: string) => (await h.start(prefix)).events;

  /** Applies a one-pod Deployment named `resource` and waits until it is ready. */
  async function runPod(
    events: RecordingEvents,
    resource: string,
    command = SLEEP,
    extra?: string,
  ): Promise<ContainerRef> {
    await h.runtime.apply(resource, yaml(busyboxDeployment(resource, { command, extra })));
    const pods = await events.untilPods(resource, allReady(1), 'one ready pod');
    return refOf(live(pods)[0]!);
  }

  /** Runs argv in the container; its exit code and output. */
  async function run(
    resource: string,
    c: ContainerRef,
    argv: string[],
    stdin?: Readable,
  ): Promise<{ code: number; output: string }> {
    let output = '';
    const code = await h.runtime.exec(resource, c, argv, { stdin, output: (t) => (output += t) });
    return { code, output };
  }

  it('returns the exit code and passes the output on', async () => {
    const events = await setUp('exec');
    const c = await runPod(events, 'app');

    expect(await run('app', c, ['true'])).toEqual({ code: 0, output: '' });
    const failed = await run('app', c, ['sh', '-c', 'echo to stdout; echo to stderr >&2; exit 3']);
    expect(failed.code).toBe(3);
    expect(failed.output).toContain('to stdout\n');
    expect(failed.output).toContain('to stderr\n');
  });

  it('feeds stdin to tar -x; the files can then be read', async () => {
    const events = await setUp('tar');
    const c = await runPod(events, 'app');

    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    const tar = pack();
    tar.entry({ name: 'srv/app', type: 'directory', mode: 0o755 });
    tar.entry({ name: 'srv/app/hello.txt', mode: 0o644 }, 'hello from tar\n');
    tar.entry({ name: 'srv/app/big.bin', mode: 0o644 }, big);
    tar.finalize();

    const extracted = await run('app', c, ['tar', '-C', '/', '-x', '-f', '-'], Readable.from(tar));
    expect(extracted).toEqual({ code: 0, output: '' });
    expect(await run('app', c, ['cat', '/srv/app/hello.txt'])).toEqual({
      code: 0,
      output: 'hello from tar\n',
    });
    const size = await run('app', c, ['wc', '-c', '/srv/app/big.bin']);
    expect(size.output).toContain(String(big.length));
  });

  it('a missing command exits 126 or 127 with the engine message in the output', async () => {
    const events = await setUp('missing');
    const c = await runPod(events, 'app');

    const { code, output } = await run('app', c, ['no-such-command', '--flag']);
    expect([126, 127]).toContain(code);
    expect(output).toMatch(/OCI runtime exec failed/);
    expect(output).toContain('no-such-command');
  });

  it('stops waiting when aborted', async () => {
    const events = await setUp('abort');
    const c = await runPod(events, 'app');

    const abort = new AbortController();
    const started = Date.now();
    const pending = h.runtime.exec('app', c, ['sleep', '30'], { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses containers of other resources and removed containers', async () => {
    const events = await setUp('refuse');
    const a = await runPod(events, 'a');
    const b = await runPod(events, 'b');

    const other = h.runtime.exec('a', b, ['true']);
    await expect(other).rejects.toBeInstanceOf(ExecFailedError);
    await expect(other).rejects.toThrow(`container main of pod ${b.pod}`);
    await expect(other).rejects.toThrow(/belongs to resource "b"/);
    await expect(h.runtime.restartContainer('a', b)).rejects.toThrow(/belongs to resource "b"/);

    await h.runtime.delete('b', yaml(busyboxDeployment('b', { command: SLEEP })));
    const gone = h.runtime.exec('b', b, ['true']);
    await expect(gone).rejects.toBeInstanceOf(ExecFailedError);
    await expect(gone).rejects.toThrow(`container main of pod ${b.pod}`);

    // A container Docker no longer has, though the pod still names it.
    await h.docker.getContainer(a.id).remove({ force: true });
    await expect(h.runtime.exec('a', a, ['true'])).rejects.toBeInstanceOf(ExecFailedError);
  });

  it('restarts a container in place: same files, logs followed, no crash counted', async () => {
    const events = await setUp('restart');
    await h.runtime.apply(
      'app',
      yaml(
        busyboxDeployment('app', {
          // busybox's date has no %N: a random ID tells the runs apart.
          command: 'echo started $(cat /proc/sys/kernel/random/uuid); exec sleep 3600',
          extra: `        readinessProbe:
          exec: {command: ["cat", "/tmp/kept"]}
          periodSeconds: 1
`,
        }),
      ),
    );
    const [pod] = await events.untilPods(
      'app',
      (pods) => pods[0]?.containers[0]?.state.state === 'running',
      'the container running',
    );
    // Not ready until the file the probe reads exists.
    expect(pod!.ready).toBe(false);
    const ref = refOf(pod!);
    expect((await run('app', ref, ['sh', '-c', 'echo kept > /tmp/kept'])).code).toBe(0);
    const [before] = await events.untilPods('app', allReady(1), 'ready once the file exists');
    const startedBefore = runningSince(before!.containers[0]!.state);

    const seen: { state: string; ready: boolean }[] = [];
    const t0 = performance.now();
    await h.runtime.restartContainer('app', ref);
    const restartMs = performance.now() - t0;

    const [after] = await events.untilPods(
      'app',
      (pods) => {
        const cs = pods[0]?.containers[0];
        if (cs) seen.push({ state: cs.state.state, ready: cs.ready });
        return (
          pods.length === 1 &&
          pods[0]!.ready &&
          runningSince(cs!.state) > startedBefore &&
          events.text('app').match(/started [0-9a-f-]+/g)?.length === 2
        );
      },
      'running again and ready',
    );
    const cs = after!.containers[0]!;
    expect(after!.name).toBe(ref.pod);
    expect(after!.phase).toBe('Running');
    expect(cs.id).toBe(ref.id);
    expect(cs.restarts).toBe(0);
    // Not ready again until its probe passed; never shown as crashed.
    expect(seen.some((s) => s.state === 'running' && !s.ready)).toBe(true);
    expect(seen.every((s) => s.state === 'running')).toBe(true);

    expect((await run('app', ref, ['cat', '/tmp/kept'])).output).toBe('kept\n');
    // The 'die' and 'start' events of the restart have been handled by now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const text = events.text('app');
    const starts = text.match(/started [0-9a-f-]+/g) ?? [];
    expect(starts).toHaveLength(2);
    expect(new Set(starts).size).toBe(2);
    expect(text).not.toMatch(/Back-off/);
    expect(live(events.podsOf('app'))[0]!.containers[0]!.restarts).toBe(0);
    expect(live(events.podsOf('app'))[0]!.containers[0]!.state.state).toBe('running');
    expect(restartMs).toBeLessThan(5000);
  });
});

function runningSince(state: ContainerState): number {
  return state.state === 'running' ? state.startedAt : 0;
}
