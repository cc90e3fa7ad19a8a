import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runStarlarkCommand } from '../../src/starlark/runner.js';

let dir: string;
let stdout: string;
let stderr: string;

/** Records what is written to a stream (strings or UTF-8 bytes) instead of writing it. */
function capture(stream: NodeJS.WriteStream, append: (s: string) => void) {
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'starlark-cli-')));
  stdout = '';
  stderr = '';
  capture(process.stdout, (s) => (stdout += s));
  capture(process.stderr, (s) => (stderr += s));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const run = (files: string[]) => runStarlarkCommand({ files, conformance: false });

describe('tilt alpha starlark FILE', () => {
  it('prints the output of print() and exits with 0', async () => {
    const main = file('main.star', 'print("hello")\nprint(1 + 2, [1, "a"])\n');
    expect(await run([main])).toBe(0);
    expect(stdout).toBe('hello\n3 [1, "a"]\n');
    expect(stderr).toBe('');
  });

  it('writes UTF-8 text unchanged', async () => {
    const main = file('main.star', 'print("héllo, 世界", len("世界"))\n');
    expect(await run([main])).toBe(0);
    expect(stdout).toBe('héllo, 世界 6\n');
  });

  it('runs files in the Tilt dialect with json, math and struct predeclared', async () => {
    const src = [
      'total = 0',
      'for i in range(3):',
      '  total += i',
      's = struct(total=total)',
      'print(json.encode({"total": s.total}), math.floor(2.5))',
    ].join('\n');
    expect(await run([file('main.star', src)])).toBe(0);
    expect(stdout).toBe('{"total":3} 2\n');
  });

  it('predeclares __file__ as the absolute path of the running file', async () => {
    const main = file('main.star', 'print(__file__)\n');
    expect(await run([main])).toBe(0);
    expect(stdout).toBe(`${main}\n`);
  });

  it('loads modules relative to the loading file, once each', async () => {
    file('lib.star', 'print("loading lib")\ndef greet(name):\n  return "hi " + name\n');
    file('other.star', 'load("lib.star", "greet")\nmsg = greet("other")\n');
    const main = file(
      'main.star',
      'load("lib.star", "greet")\nload("other.star", "msg")\nprint(greet("main"), msg)\n',
    );
    expect(await run([main])).toBe(0);
    expect(stdout).toBe('loading lib\nhi main hi other\n');
  });

  it('exits with 1 and writes the backtrace of a failing file to stderr', async () => {
    const main = file('main.star', 'print("before")\ndef f():\n    return 1 // 0\nf()\n');
    expect(await run([main])).toBe(1);
    expect(stdout).toBe('before\n');
    expect(stderr).toBe(
      `Traceback (most recent call last):\n  ${main}:4:2: in <toplevel>\n  ${main}:3:14: in f\nError: floored division by zero\n`,
    );
  });

  it('exits with 1 and writes a syntax error to stderr', async () => {
    const main = file('main.star', 'x = 1 +\n');
    expect(await run([main])).toBe(1);
    expect(stderr).toBe(`${main}:1:8: got newline, want primary expression\n`);
    expect(stdout).toBe('');
  });

  it('writes every resolve error of a file', async () => {
    const main = file('main.star', 'x = a\ny = b\n');
    expect(await run([main])).toBe(1);
    expect(stderr).toBe(`${main}:1:5: undefined: a\n${main}:2:5: undefined: b\n`);
  });

  it('runs several files in order and stops at the first failure', async () => {
    const one = file('one.star', 'print("one")\n');
    const two = file('two.star', 'fail("two failed")\n');
    const three = file('three.star', 'print("three")\n');
    expect(await run([one, two, three])).toBe(1);
    expect(stdout).toBe('one\n');
    expect(stderr).toBe(
      `Traceback (most recent call last):\n  ${two}:1:5: in <toplevel>\nError in fail: fail: two failed\n`,
    );
  });

  it('reports a syntax error in a loaded file as a failure to load it', async () => {
    const lib = file('lib.star', 'x = y\n');
    const main = file('main.star', 'load("lib.star", "x")\n');
    expect(await run([main])).toBe(1);
    expect(stderr).toBe(
      `Traceback (most recent call last):\n  ${main}:1:1: in <toplevel>\nError: cannot load lib.star: ${lib}:1:5: undefined: y\n`,
    );
  });
});

describe('tilt alpha starlark --conformance', () => {
  const conformance = (files: string[]) => runStarlarkCommand({ files, conformance: true });

  it('prints one FAIL line for the failing chunk and the counts', async () => {
    const path = file('suite.star', 'x = 1\ny = x + 1\n---\nz = 1 // 0\n');
    expect(await conformance([path])).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${path}:4: FAIL: line 4: unexpected error: floored division by zero`);
    expect(lines[1]).toBe('1 passed, 1 failed');
  });

  it('passes a chunk whose error matches its ### expectation', async () => {
    const path = file('suite.star', 'x = 1\n---\nz = 1 // 0 ### "division by zero"\n');
    expect(await conformance([path])).toBe(0);
    expect(stdout).toBe('2 passed, 0 failed\n');
  });

  it('fails a chunk whose expected error does not happen', async () => {
    const path = file('suite.star', 'z = 1 // 1 ### "division by zero"\n');
    expect(await conformance([path])).toBe(1);
    expect(stdout).toBe(
      `${path}:1: FAIL: line 1: expected an error matching /division by zero/\n0 passed, 1 failed\n`,
    );
  });
});
