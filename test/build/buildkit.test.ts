import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BuildkitOutput,
  exitCodeIn,
  type JsonMessage,
} from '../../src/build/docker/build-output.js';
import { BuildkitPrinter, formatDuration } from '../../src/build/docker/buildkit-printer.js';
import {
  decodeBuildkitStatus,
  encodeBuildkitStatus,
  type BuildkitStatus,
  type BuildkitVertex,
} from '../../src/build/docker/buildkit-status.js';

const T0 = 1_795_000_000_000;

function vertex(digest: string, name: string, more: Partial<BuildkitVertex> = {}): BuildkitVertex {
  return { digest, name, cached: false, ...more };
}

function log(vertexDigest: string, text: string, stream = 1) {
  return { vertex: vertexDigest, stream, msg: Buffer.from(text) };
}

/** Feeds statuses through the wire encoding, as the engine sends them. */
function print(statuses: Partial<BuildkitStatus>[]): { lines: string[]; output: BuildkitOutput } {
  const lines: string[] = [];
  const output = new BuildkitOutput((l) => lines.push(l));
  for (const s of statuses) {
    const aux = encodeBuildkitStatus({ vertexes: s.vertexes ?? [], logs: s.logs ?? [] });
    output.message({ id: 'moby.buildkit.trace', aux });
  }
  output.end();
  return { lines, output };
}

describe('BuildKit progress from a real engine', () => {
  const messages = readFileSync(resolve('test/build/fixtures/buildkit-stream.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonMessage);

  it("prints the steps in Tilt's format and finds the image ID", () => {
    const lines: string[] = [];
    const output = new BuildkitOutput((l) => lines.push(l));
    for (const m of messages) output.message(m);
    output.end();
    expect(lines[0]).toBe('[background] read source files');
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[background\] read source files \[done: \d+ms\]$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\[1\/2\] FROM docker\.io\/library\/tilt-test-busybox:latest \[done: \d+ms\]$/,
      ),
    );
    const run = '[2/2] RUN echo captured-output && echo to-stderr >&2';
    const at = lines.indexOf(run);
    expect(at).toBeGreaterThan(0);
    // Output of the step comes after its name, stdout and stderr alike.
    expect(lines.slice(at + 1, at + 3).sort()).toEqual(['→ captured-output', '→ to-stderr']);
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[2\/2\] RUN .* \[done: \d+(ms|\.\ds)\]$/),
    );
    expect(lines[lines.length - 1]).toMatch(/^exporting to image \[done: \d+ms\]$/);
    // Internal bookkeeping is not shown.
    expect(lines.join('\n')).not.toContain('[internal]');
    expect(output.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(output.step()).toEqual({ step: undefined, stepOutput: [] });
  });
});

describe('BuildkitPrinter', () => {
  it('prints a step when it starts, its output, and its duration when done', () => {
    const { lines } = print([
      { vertexes: [vertex('a', '[1/2] RUN make', { started: T0 })] },
      { logs: [log('a', 'compiling\nlinking\n')] },
      { vertexes: [vertex('a', '[1/2] RUN make', { started: T0, completed: T0 + 1234 })] },
    ]);
    expect(lines).toEqual([
      '[1/2] RUN make',
      '→ compiling',
      '→ linking',
      '[1/2] RUN make [done: 1.2s]',
    ]);
  });

  it('prints each transition once although BuildKit resends vertexes', () => {
    const cached = vertex('c', '[1/3] COPY . /app', { cached: true, started: T0, completed: T0 });
    const running = vertex('r', '[2/3] RUN true', { started: T0 });
    const { lines } = print([
      { vertexes: [cached, running] },
      { vertexes: [cached, running] },
      { vertexes: [cached, { ...running, completed: T0 + 44 }] },
      { vertexes: [cached, { ...running, completed: T0 + 44 }] },
    ]);
    expect(lines).toEqual([
      '[1/3] COPY . /app [cached]',
      '[2/3] RUN true',
      '[2/3] RUN true [done: 44ms]',
    ]);
  });

  it('joins output lines split across updates, including split UTF-8 characters', () => {
    const bytes = Buffer.from('héllo wörld\nlast line without newline');
    const { lines } = print([
      { vertexes: [vertex('a', '[1/1] RUN x', { started: T0 })] },
      { logs: [{ vertex: 'a', stream: 1, msg: bytes.subarray(0, 2) }] },
      { logs: [{ vertex: 'a', stream: 1, msg: bytes.subarray(2, 9) }] },
      { logs: [{ vertex: 'a', stream: 1, msg: bytes.subarray(9) }] },
    ]);
    expect(lines).toEqual(['[1/1] RUN x', '→ héllo wörld', '→ last line without newline']);
  });

  it('names the failing step and keeps its output', () => {
    const failing = vertex('f', '[2/2] RUN ./test.sh', { started: T0 });
    const { lines, output } = print([
      { vertexes: [vertex('a', '[1/2] FROM base', { cached: true })] },
      { vertexes: [failing], logs: [log('f', 'running tests\n1 failed\n', 2)] },
      {
        vertexes: [
          { ...failing, completed: T0 + 5, error: 'executor failed running [...]: exit code: 3' },
        ],
      },
    ]);
    expect(lines).toEqual([
      '[1/2] FROM base [cached]',
      '[2/2] RUN ./test.sh',
      '→ running tests',
      '→ 1 failed',
      'ERROR IN: [2/2] RUN ./test.sh',
    ]);
    expect(output.step()).toEqual({
      step: '[2/2] RUN ./test.sh',
      stepOutput: ['running tests', '1 failed'],
    });
  });

  it('shows an internal step only when it fails', () => {
    const meta = vertex('m', '[internal] load metadata for docker.io/library/nope:1', {
      started: T0,
    });
    const { lines, output } = print([
      { vertexes: [meta, vertex('d', '[internal] load build definition from Dockerfile')] },
      { vertexes: [{ ...meta, completed: T0 + 1, error: 'pull access denied' }] },
    ]);
    expect(lines).toEqual(['ERROR IN: [internal] load metadata for docker.io/library/nope:1']);
    expect(output.step().step).toBe('[internal] load metadata for docker.io/library/nope:1');
  });

  it('keeps only the last lines of a step for the failure report', () => {
    const lines: string[] = [];
    const printer = new BuildkitPrinter((l) => lines.push(l), 3);
    printer.update({ vertexes: [vertex('a', 'step', { started: T0 })], logs: [] });
    printer.update({ vertexes: [], logs: [log('a', '1\n2\n3\n4\n5\n')] });
    printer.update({ vertexes: [vertex('a', 'step', { error: 'boom' })], logs: [] });
    expect(printer.failed).toEqual({ step: 'step', output: ['3', '4', '5'], error: 'boom' });
    expect(lines).toHaveLength(7);
  });

  it('ignores output of vertexes it has not seen', () => {
    const { lines } = print([{ logs: [log('unknown', 'stray\n')] }]);
    expect(lines).toEqual([]);
  });
});

describe('BuildKit status encoding', () => {
  it('decodes what it encodes', () => {
    const arb = fc.record({
      vertexes: fc.array(
        fc.record({
          digest: fc.string(),
          name: fc.string(),
          cached: fc.boolean(),
          started: fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: undefined }),
          completed: fc.option(fc.integer({ min: 0, max: 4e12 }), { nil: undefined }),
          error: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        }),
      ),
      logs: fc.array(
        fc.record({
          vertex: fc.string(),
          stream: fc.constantFrom(1, 2),
          msg: fc.uint8Array().map((a) => Buffer.from(a)),
        }),
      ),
    });
    fc.assert(
      fc.property(arb, (status) => {
        const back = decodeBuildkitStatus(encodeBuildkitStatus(status));
        expect(back.vertexes).toEqual(status.vertexes);
        expect(back.logs.map((l) => ({ ...l, msg: Buffer.from(l.msg) }))).toEqual(status.logs);
      }),
    );
  });

  it('reads exit codes from error messages and formats durations', () => {
    expect(exitCodeIn('executor failed running [/bin/sh -c false]: exit code: 1')).toBe(1);
    expect(
      exitCodeIn('process "/bin/sh -c exit 7" did not complete successfully: exit code: 7'),
    ).toBe(7);
    expect(exitCodeIn('dockerfile parse error line 2')).toBeUndefined();
    expect(formatDuration(44)).toBe('44ms');
    expect(formatDuration(999)).toBe('999ms');
    expect(formatDuration(8100)).toBe('8.1s');
  });
});
