import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CmdError, LineSplitter, tiltCommandEnv } from '../../../src/runtime/local/command.js';
import { disposeAll } from '../../../src/runtime/local/process-group.js';
import { runCmd } from '../../../src/runtime/local/run-cmd.js';
import { pidGone, waitFor } from './helpers.js';

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    onOutput: (line: string, stream: 'stdout' | 'stderr') =>
      (stream === 'stdout' ? out : err).push(line),
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'tilt-runcmd-'));
afterAll(async () => {
  await disposeAll({ gracePeriodMs: 1000 });
  rmSync(tmp, { recursive: true, force: true });
});

describe('runCmd', () => {
  it('resolves with the exit code', async () => {
    expect(await runCmd('exit 0')).toEqual({ exitCode: 0, signal: null, aborted: false });
    expect(await runCmd('exit 3')).toEqual({ exitCode: 3, signal: null, aborted: false });
    expect((await runCmd(['false'])).exitCode).toBe(1);
  });

  it('reports a process killed by a signal', async () => {
    const r = await runCmd('kill -TERM $$');
    expect(r).toEqual({ exitCode: null, signal: 'SIGTERM', aborted: false });
  });

  it('streams stdout and stderr line by line, in order per stream', async () => {
    const c = collect();
    const script = "printf 'a\\nb\\n'; printf 'x\\ny\\n' >&2; printf 'c\\n'; printf 'z\\n' >&2";
    const r = await runCmd(script, { onOutput: c.onOutput });
    expect(r.exitCode).toBe(0);
    expect(c.out).toEqual(['a', 'b', 'c']);
    expect(c.err).toEqual(['x', 'y', 'z']);
  });

  it('flushes a last line without a line break, on both streams', async () => {
    const c = collect();
    await runCmd("printf 'one\\ntwo'; printf 'err-partial' >&2", { onOutput: c.onOutput });
    expect(c.out).toEqual(['one', 'two']);
    expect(c.err).toEqual(['err-partial']);
  });

  it('streams many lines without losing any', async () => {
    const c = collect();
    await runCmd('i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done', {
      onOutput: c.onOutput,
    });
    expect(c.out.length).toBe(2000);
    expect(c.out[0]).toBe('line 0');
    expect(c.out[1999]).toBe('line 1999');
  });

  it('merges env over the environment of tilt and runs in dir', async () => {
    process.env.TILT_TS_RUNCMD_INHERITED = 'from-parent';
    process.env.TILT_TS_RUNCMD_OVERRIDDEN = 'parent';
    try {
      const c = collect();
      const r = await runCmd(
        'echo "$TILT_TS_RUNCMD_INHERITED"; echo "$TILT_TS_RUNCMD_OVERRIDDEN"; echo "$FOO"; pwd',
        {
          env: { FOO: 'bar baz', TILT_TS_RUNCMD_OVERRIDDEN: 'cmd' },
          dir: tmp,
          onOutput: c.onOutput,
        },
      );
      expect(r.exitCode).toBe(0);
      expect(c.out).toEqual(['from-parent', 'cmd', 'bar baz', realpathSync(tmp)]);
    } finally {
      delete process.env.TILT_TS_RUNCMD_INHERITED;
      delete process.env.TILT_TS_RUNCMD_OVERRIDDEN;
    }
  });

  it('runs a string through sh (pipes work)', async () => {
    const c = collect();
    await runCmd('echo hello world | tr a-z A-Z', { onOutput: c.onOutput });
    expect(c.out).toEqual(['HELLO WORLD']);
  });

  it('runs a list as argv, without shell expansion', async () => {
    const c = collect();
    await runCmd(['echo', '$HOME', '*', 'a|b', '$(id)'], { onOutput: c.onOutput });
    expect(c.out).toEqual(['$HOME * a|b $(id)']);
  });

  it('gives sh its own "not found" for a missing program in a string command', async () => {
    const c = collect();
    const r = await runCmd('no-such-program-tilt-ts', { onOutput: c.onOutput });
    expect(r.exitCode).toBe(127);
    expect(c.err.join('\n')).toMatch(/no-such-program-tilt-ts.*not found/);
  });

  it('rejects with an error naming the command and a missing dir', async () => {
    const missing = join(tmp, 'nope');
    const err = await runCmd('echo hi', { dir: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmdError);
    expect((err as CmdError).message).toBe(`echo hi: chdir ${missing}: no such file or directory`);
    expect((err as CmdError).code).toBe('ENOENT');
  });

  it('rejects with an error naming a missing executable of an argv', async () => {
    const err = await runCmd(['no-such-program-tilt-ts', '-x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmdError);
    expect((err as CmdError).message).toBe(
      'no-such-program-tilt-ts -x: exec: "no-such-program-tilt-ts": executable file not found in $PATH',
    );
  });

  it('rejects for a file that is not executable, and for a dir that is a file', async () => {
    const file = join(tmp, 'plain-file');
    writeFileSync(file, 'echo hi\n', { mode: 0o644 });
    const notExec = await runCmd([file]).catch((e: unknown) => e);
    expect(notExec).toBeInstanceOf(CmdError);
    expect((notExec as CmdError).message).toBe(`${file}: fork/exec ${file}: permission denied`);
    const fileDir = await runCmd('true', { dir: file }).catch((e: unknown) => e);
    expect((fileDir as CmdError).message).toBe(`true: chdir ${file}: not a directory`);
  });

  it('kills the whole process group when aborted', async () => {
    const ac = new AbortController();
    const c = collect();
    const running = runCmd('sleep 1000 & echo "$!"; sleep 1000', {
      onOutput: c.onOutput,
      signal: ac.signal,
    });
    await waitFor(() => c.out.length > 0, 'the background pid');
    const child = Number(c.out[0]);
    expect(pidGone(child)).toBe(false);
    ac.abort();
    const r = await running;
    expect(r.aborted).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    await waitFor(() => pidGone(child), 'the background child to die');
  });

  it('does not start when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const c = collect();
    const r = await runCmd('echo should-not-run', { signal: ac.signal, onOutput: c.onOutput });
    expect(r).toEqual({ exitCode: null, signal: null, aborted: true });
    expect(c.out).toEqual([]);
  });

  it('is killed by disposeAll', async () => {
    const c = collect();
    const running = runCmd('echo "$$"; sleep 1000', { onOutput: c.onOutput });
    await waitFor(() => c.out.length > 0, 'the pid');
    const pid = Number(c.out[0]);
    await disposeAll();
    const r = await running;
    expect(r.aborted).toBe(true);
    await waitFor(() => pidGone(pid), 'the command to die');
  });
});

describe('LineSplitter', () => {
  it('joins UTF-8 sequences and lines split across chunks, and strips \\r\\n', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('héllo wörld\r\nsecond\n\nthird', 'utf8');
    for (let i = 0; i < bytes.length; i++) s.write(bytes.subarray(i, i + 1));
    s.end();
    expect(lines).toEqual(['héllo wörld', 'second', '', 'third']);
  });

  it('emits nothing at the end when the output ends with a line break', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.write(Buffer.from('a\nb\n'));
    s.end();
    expect(lines).toEqual(['a', 'b']);
  });
});

describe('tiltCommandEnv', () => {
  it('adds what Tilt adds, keeping TILT_* and FORCE_COLOR that are set', () => {
    expect(
      tiltCommandEnv({ port: 10350, host: 'localhost', color: true }, { LINES: '50' }),
    ).toEqual({
      LINES: '24',
      COLUMNS: '80',
      FORCE_COLOR: '1',
      TILT_PORT: '10350',
      TILT_HOST: 'localhost',
      TILT_DISABLE_ANALYTICS: '1',
    });
    expect(
      tiltCommandEnv(
        { port: 1, host: 'h', color: true },
        { FORCE_COLOR: '0', TILT_PORT: '9', TILT_HOST: 'x', TILT_DISABLE_ANALYTICS: '0' },
      ),
    ).toEqual({ LINES: '24', COLUMNS: '80' });
    expect(tiltCommandEnv({ port: 1, host: 'h', color: false }, {})).not.toHaveProperty(
      'FORCE_COLOR',
    );
  });
});
