import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { disposeAll } from '../../../src/runtime/local/process-group.js';
import { ServeProcess, type ServeStatus } from '../../../src/runtime/local/serve.js';
import { pidGone, waitFor } from './helpers.js';

/** The live (non-zombie) processes of a process group, with their command names. */
function groupMembers(pgid: number): { pid: number; comm: string }[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,comm='], { encoding: 'utf8' });
  const members: { pid: number; comm: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m || Number(m[2]) !== pgid || m[3].startsWith('Z')) continue;
    members.push({ pid: Number(m[1]), comm: m[4].trim() });
  }
  return members;
}

interface Recorder {
  statuses: ServeStatus[];
  states: () => string[];
  out: string[];
  err: string[];
  logs: string[];
}

function serve(
  cmd: string | string[],
  opts: { gracePeriodMs?: number; dir?: string; env?: Record<string, string> } = {},
) {
  const rec: Recorder = {
    statuses: [],
    states: () => rec.statuses.map((s) => s.state),
    out: [],
    err: [],
    logs: [],
  };
  const p = new ServeProcess(cmd, {
    ...opts,
    onStatus: (s) => rec.statuses.push(s),
    onOutput: (line, stream) => (stream === 'stdout' ? rec.out : rec.err).push(line),
    onLog: (msg) => rec.logs.push(msg),
  });
  made.push(p);
  return { p, rec };
}

const made: ServeProcess[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'tilt-serve-'));

afterEach(async () => {
  await Promise.all(made.splice(0).map((p) => p.stop({ gracePeriodMs: 500 })));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ServeProcess', () => {
  it('starts, streams output, and stops', async () => {
    const { p, rec } = serve('echo started; echo on-stderr >&2; exec sleep 1000');
    const st = await p.start();
    expect(st.state).toBe('running');
    const pid = p.pid!;
    expect(pid).toBeGreaterThan(0);
    expect(rec.logs[0]).toBe(
      'Running serve cmd: echo started; echo on-stderr >&2; exec sleep 1000',
    );
    await waitFor(() => rec.out.includes('started') && rec.err.includes('on-stderr'), 'output');
    await p.stop();
    expect(rec.states()).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(rec.statuses[1]).toEqual({ state: 'running', pid });
    expect(p.status).toEqual({ state: 'stopped', pid });
    expect(p.pid).toBeUndefined();
    expect(pidGone(pid)).toBe(true);
  });

  it('runs in its dir with its env', async () => {
    const { p, rec } = serve('echo "$SERVE_FOO"; pwd; sleep 1000', {
      dir: tmp,
      env: { SERVE_FOO: 'serve-bar' },
    });
    await p.start();
    await waitFor(() => rec.out.length >= 2, 'output');
    expect(rec.out.slice(0, 2)).toEqual(['serve-bar', realpathSync(tmp)]);
  });

  it('runs an argv without a shell', async () => {
    const { p, rec } = serve(['sh', '-c', 'echo "$0 $1"; sleep 1000', 'a*', '$HOME']);
    await p.start();
    await waitFor(() => rec.out.length >= 1, 'output');
    expect(rec.out[0]).toBe('a* $HOME');
  });

  it('restarts with a new process, the old group gone', async () => {
    const { p, rec } = serve('sleep 1000 & sleep 1000');
    await p.start();
    const first = p.pid!;
    await waitFor(() => groupMembers(first).length >= 3, 'the shell and both sleeps');
    const oldMembers = groupMembers(first).map((m) => m.pid);
    const st = await p.restart();
    expect(st.state).toBe('running');
    const second = p.pid!;
    expect(second).not.toBe(first);
    for (const pid of oldMembers) expect(pidGone(pid)).toBe(true);
    expect(groupMembers(first)).toEqual([]);
    expect(pidGone(second)).toBe(false);
    expect(rec.states()).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
      'starting',
      'running',
    ]);
  });

  it('stop kills the children of the shell too', async () => {
    const { p } = serve('sleep 1000 & sleep 1000');
    await p.start();
    const pgid = p.pid!;
    await waitFor(
      () => groupMembers(pgid).filter((m) => m.comm === 'sleep').length === 2,
      'both sleeps',
    );
    const pids = groupMembers(pgid).map((m) => m.pid);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await p.stop();
    for (const pid of pids) expect(pidGone(pid)).toBe(true);
    expect(groupMembers(pgid)).toEqual([]);
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is up', async () => {
    const { p, rec } = serve('trap "" TERM; echo trapped; sleep 1000 & sleep 1000', {
      gracePeriodMs: 600,
    });
    await p.start();
    const pgid = p.pid!;
    await waitFor(() => rec.out.includes('trapped'), 'the trap');
    await waitFor(
      () => groupMembers(pgid).filter((m) => m.comm === 'sleep').length === 2,
      'both sleeps',
    );
    const pids = groupMembers(pgid).map((m) => m.pid);
    await p.stop();
    for (const pid of pids) expect(pidGone(pid)).toBe(true);
    expect(rec.logs).toContain(`Waiting 600ms for process to exit... (pid: ${pgid})`);
    expect(rec.logs).toContain(`Still waiting on exit... (pid: ${pgid})`);
    expect(rec.logs).toContain(`Time is up! Sending ${pgid} a kill signal`);
    expect(rec.states().slice(-2)).toEqual(['stopping', 'stopped']);
  });

  it('waits for a child that exits slowly on SIGTERM after the shell is gone', async () => {
    // The shell dies at once; its child takes a moment to clean up.
    const script = `sh -c 'trap "sleep 0.3; exit 0" TERM; echo "child $$"; while :; do sleep 0.05; done' & wait`;
    const { p, rec } = serve(script, { gracePeriodMs: 10000 });
    await p.start();
    await waitFor(() => rec.out.some((l) => l.startsWith('child ')), 'the child');
    const child = Number(rec.out.find((l) => l.startsWith('child '))!.slice(6));
    await p.stop();
    expect(pidGone(child)).toBe(true);
    expect(rec.logs.some((l) => l.startsWith('Time is up!'))).toBe(false);
  });

  it('reports an unexpected exit with its code, and does not restart', async () => {
    const { p, rec } = serve('echo bye; exit 3');
    await p.start();
    await waitFor(() => p.status.state === 'exited', 'the exit');
    const pid = rec.statuses[1].state === 'running' ? rec.statuses[1].pid : -1;
    expect(p.status).toEqual({ state: 'exited', pid, exitCode: 3, signal: null });
    expect(rec.logs).toContain('echo bye; exit 3 exited with exit code 3');
    expect(rec.out).toContain('bye');
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.states()).toEqual(['starting', 'running', 'exited']);
    await p.stop();
    expect(rec.states()).toEqual(['starting', 'running', 'exited', 'stopped']);
  });

  it('reports an exit with code 0 as an exit too', async () => {
    const { p, rec } = serve(['true']);
    await p.start();
    await waitFor(() => p.status.state === 'exited', 'the exit');
    expect(p.status).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(rec.logs).toContain('true exited with exit code 0');
  });

  it('reports a process killed from outside', async () => {
    const { p, rec } = serve('exec sleep 1000');
    await p.start();
    process.kill(p.pid!, 'SIGKILL');
    await waitFor(() => p.status.state === 'exited', 'the exit');
    expect(p.status).toMatchObject({ state: 'exited', exitCode: null, signal: 'SIGKILL' });
    expect(rec.logs).toContain('exec sleep 1000 exited with signal SIGKILL');
  });

  it('kills what is left of an exited process on stop and on restart', async () => {
    const { p, rec } = serve('sleep 1000 & echo "$!"; exit 1');
    await p.start();
    await waitFor(() => p.status.state === 'exited' && rec.out.length > 0, 'the exit');
    const orphan = Number(rec.out[0]);
    // Like Tilt, an exit leaves the rest of the group alone ...
    expect(pidGone(orphan)).toBe(false);
    // ... until the process is started again (or stopped).
    await p.restart();
    await waitFor(() => rec.out.length > 1, 'the second run');
    expect(pidGone(orphan)).toBe(true);
    const orphan2 = Number(rec.out[1]);
    await waitFor(() => p.status.state === 'exited', 'the second exit');
    await p.stop();
    expect(pidGone(orphan2)).toBe(true);
  });

  it('reports a command that cannot start', async () => {
    const missing = join(tmp, 'missing-dir');
    const { p, rec } = serve('echo hi', { dir: missing });
    const st = await p.start();
    expect(st).toEqual({
      state: 'exited',
      pid: undefined,
      exitCode: null,
      signal: null,
      error: `chdir ${missing}: no such file or directory`,
    });
    expect(rec.logs).toContain(
      `echo hi failed to start: chdir ${missing}: no such file or directory`,
    );
    const { p: p2 } = serve(['no-such-program-tilt-ts']);
    expect(await p2.start()).toMatchObject({
      state: 'exited',
      error: 'exec: "no-such-program-tilt-ts": executable file not found in $PATH',
    });
  });

  it('start on a running process is a no-op; stop on a stopped one too', async () => {
    const { p, rec } = serve('exec sleep 1000');
    await p.start();
    const pid = p.pid;
    await p.start();
    expect(p.pid).toBe(pid);
    await p.stop();
    await p.stop();
    expect(rec.states()).toEqual(['starting', 'running', 'stopping', 'stopped']);
  });

  it('serializes concurrent calls', async () => {
    const { p, rec } = serve('exec sleep 1000');
    const calls = [p.start(), p.restart(), p.restart(), p.stop()];
    await Promise.all(calls);
    expect(rec.states()).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
      'starting',
      'running',
      'stopping',
      'stopped',
      'starting',
      'running',
      'stopping',
      'stopped',
    ]);
    const pids = rec.statuses.flatMap((s) => (s.state === 'running' ? [s.pid] : []));
    expect(new Set(pids).size).toBe(3);
    for (const pid of pids) expect(pidGone(pid)).toBe(true);
  });

  it('disposeAll stops every serve process and its children', async () => {
    const a = serve('sleep 1000 & sleep 1000');
    const b = serve('trap "" TERM; sleep 1000 & sleep 1000', { gracePeriodMs: 60000 });
    await a.p.start();
    await b.p.start();
    const groups = [a.p.pid!, b.p.pid!];
    await waitFor(() => groups.every((g) => groupMembers(g).length >= 3), 'all processes');
    const pids = groups.flatMap((g) => groupMembers(g).map((m) => m.pid));
    await disposeAll({ gracePeriodMs: 500 });
    for (const pid of pids) expect(pidGone(pid)).toBe(true);
    expect(a.p.status.state).toBe('stopped');
    expect(b.p.status.state).toBe('stopped');
  });
});
