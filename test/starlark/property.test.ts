import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostBuiltins } from '../../src/starlark/conformance/host.js';
import { splitChunks } from '../../src/starlark/conformance/runner.js';
import { EvalError, StarlarkSyntaxError, StarlarkSyntaxErrors } from '../../src/starlark/errors.js';
import { Thread } from '../../src/starlark/eval/thread.js';
import { execFile, parseAndResolve, sourceText } from '../../src/starlark/interp.js';
import { moduleBuiltin, structBuiltin } from '../../src/starlark/lib/universe.js';
import {
  STANDARD_DIALECT,
  TILT_DIALECT,
  type DialectOptions,
} from '../../src/starlark/resolve/resolver.js';
import { parse } from '../../src/starlark/syntax/parser.js';
import { Builtin, None, str, type Value } from '../../src/starlark/values/value.js';
import { text } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
// The suite `npm test` runs (scripts/conformance.sh), with the same override.
const suiteDir =
  process.env.STARLARK_CONFORMANCE_DIR ?? join(repoRoot, '..', 'shared', 'conformance', 'starlark');

/** Why an exception is not one a Starlark program may raise, or undefined if it is. */
function notStarlarkError(e: unknown): string | undefined {
  if (e instanceof StarlarkSyntaxError || e instanceof StarlarkSyntaxErrors) return undefined;
  if (e instanceof EvalError) {
    return e.msg.startsWith('internal error') ? `leaked host error: ${e.msg}` : undefined;
  }
  return `non-Starlark exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}

/** Checks that a syntax error points inside (or just past the end of) the source. */
function positionIsInSource(e: StarlarkSyntaxError, src: string): boolean {
  const lines = src.split(/\r\n|\r|\n/).length;
  return e.pos.line >= 1 && e.pos.line <= lines + 1 && e.pos.col >= 1;
}

describe('the parser only ever reports syntax errors', () => {
  const TOKENS = [
    'x',
    'y',
    'print',
    'len',
    'None',
    '1',
    '0x1f',
    '0o7',
    '0b1',
    '09',
    '1.5e3',
    '.5',
    '1e',
    '"s"',
    "'t'",
    '"""u"""',
    "r'\\n'",
    'b"b"',
    '"\\x41"',
    '"\\u4e16"',
    '"',
    "'",
    '"""',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ',',
    ':',
    ';',
    '.',
    '=',
    '+=',
    '//=',
    '==',
    '!=',
    '<=',
    '+',
    '-',
    '*',
    '**',
    '/',
    '//',
    '%',
    '<<',
    '>>',
    '&',
    '|',
    '^',
    '~',
    '<',
    '>',
    '!',
    '@',
    '$',
    'and',
    'or',
    'not',
    'in',
    'if',
    'elif',
    'else',
    'for',
    'while',
    'def',
    'lambda',
    'return',
    'pass',
    'break',
    'continue',
    'load',
    'class',
    '\n',
    '\n  ',
    '\n    ',
    '\t',
    '\\\n',
    '\\',
    '# c\n',
    '世界',
    '\r\n',
  ];
  const soup = fc
    .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom('', ' ')), { maxLength: 40 })
    .map((parts) => parts.map(([t, sep]) => t + sep).join(''));

  function check(src: string, resolve: boolean): void {
    try {
      if (resolve) parseAndResolve('f.star', src);
      else parse('f.star', sourceText(src));
    } catch (e) {
      expect(notStarlarkError(e)).toBeUndefined();
      const errs = e instanceof StarlarkSyntaxErrors ? e.errors : [e as StarlarkSyntaxError];
      for (const err of errs) {
        expect(positionIsInSource(err, sourceText(src)), err.message).toBe(true);
        expect(err.message.startsWith(`f.star:${err.pos.line}:${err.pos.col}: `)).toBe(true);
      }
    }
  }

  it('on token soup', () => {
    fc.assert(
      fc.property(soup, (src) => check(src, false)),
      { numRuns: 4000 },
    );
  });

  it('on token soup, through the resolver too', () => {
    fc.assert(
      fc.property(soup, (src) => check(src, true)),
      { numRuns: 3000 },
    );
  });

  it('on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          parse('f.star', Buffer.from(bytes).toString('latin1'));
        } catch (e) {
          expect(notStarlarkError(e)).toBeUndefined();
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('on random printable ASCII', () => {
    const ascii = fc.string({
      unit: fc.constantFrom(...' \n\t()[]{}:,.=+-*/%<>"\'#\\x1_aif'),
      maxLength: 60,
    });
    fc.assert(
      fc.property(ascii, (src) => check(src, true)),
      { numRuns: 3000 },
    );
  });
});

// Programs from a small grammar. Values stay small (repetition only by a
// literal 0..2, no reassignment of the values after the first lines) so that
// every program is cheap however it is generated.
const INTS = ['0', '1', '2', '3', '7', '-1', '-3', '(1 << 70)', '-(1 << 64)', '0x7f'];
const OTHERS = [
  '2.5',
  '-0.5',
  '""',
  '"a"',
  '"xyz"',
  '"世界"',
  '"%s"',
  '"{}"',
  'True',
  'False',
  'None',
];
const NAMES = ['a', 'b', 'c', 'x', 'p', 'n'];
const BINOPS = [
  '+',
  '-',
  '//',
  '%',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'and',
  'or',
  'in',
  'not in',
  '|',
  '&',
  '^',
  '<<',
  '>>',
  '/',
];
const CALLS = [
  'len',
  'str',
  'repr',
  'sorted',
  'range',
  'list',
  'tuple',
  'type',
  'bool',
  'int',
  'reversed',
  'enumerate',
  'hash',
  'any',
  'all',
  'f',
  'dict',
  'min',
  'max',
];

function expressions(names: string[], maxDepth: number): fc.Arbitrary<string> {
  const depthIdentifier = fc.createDepthIdentifier();
  const leaves = [
    { weight: 3, arbitrary: fc.constantFrom(...INTS) },
    { weight: 2, arbitrary: fc.constantFrom(...OTHERS) },
  ];
  if (names.length > 0) leaves.push({ weight: 3, arbitrary: fc.constantFrom(...names) });
  const leaf = fc.oneof(...leaves);
  return fc.letrec<{ expr: string; seq: string; compound: string }>((tie) => ({
    expr: fc.oneof({ maxDepth, depthIdentifier }, leaf, tie('compound')),
    // Mostly iterable operands for loops and comprehensions.
    seq: fc.oneof(
      fc.constantFrom(...INTS).map((k) => `range(${k})`),
      fc.array(tie('expr'), { maxLength: 3 }).map((es) => `[${es.join(', ')}]`),
      tie('expr'),
    ),
    compound: fc.oneof(
      { depthIdentifier },
      fc
        .tuple(tie('expr'), fc.constantFrom(...BINOPS), tie('expr'))
        .map(([l, op, r]) => `(${l} ${op} ${r})`),
      fc.tuple(tie('expr'), fc.constantFrom('0', '1', '2')).map(([e, k]) => `(${e} * ${k})`),
      fc.tuple(fc.constantFrom('-', 'not ', '~'), tie('expr')).map(([op, e]) => `(${op}${e})`),
      fc.tuple(fc.constantFrom(...CALLS), tie('expr')).map(([fn, e]) => `${fn}(${e})`),
      fc.array(tie('expr'), { maxLength: 3 }).map((es) => `[${es.join(', ')}]`),
      fc.array(tie('expr'), { maxLength: 2 }).map((es) => `(${es.map((e) => e + ',').join(' ')})`),
      fc
        .array(fc.tuple(tie('expr'), tie('expr')), { maxLength: 2 })
        .map((kvs) => `{${kvs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
      fc
        .tuple(tie('expr'), tie('seq'), tie('expr'))
        .map(([v, seq, c]) => `[${v} for x in ${seq} if ${c}]`),
      fc
        .tuple(tie('expr'), tie('expr'), tie('expr'))
        .map(([t, c, e]) => `(${t} if ${c} else ${e})`),
      fc.tuple(tie('expr'), tie('expr')).map(([x, i]) => `${x}[${i}]`),
      fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([x, i, j]) => `${x}[${i}:${j}]`),
      fc.tuple(tie('expr'), tie('expr')).map(([s, y]) => `"{} %s".format(${s}) % (${y},)`),
    ),
  })).expr;
}

const indent = (block: string) =>
  block
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');

function statements(expr: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const seq = fc.oneof(
    fc.constantFrom(...INTS).map((k) => `range(${k})`),
    fc.array(expr, { maxLength: 3 }).map((es) => `[${es.join(', ')}]`),
    expr,
  );
  const depthIdentifier = fc.createDepthIdentifier();
  const simple = fc.oneof(
    expr.map((e) => `print(${e})`),
    expr.map((e) => `L.append(${e})`),
    fc.constant('n += 1'),
    fc.constant('pass'),
  );
  return fc.letrec<{ stmt: string; compound: string; block: string }>((tie) => ({
    stmt: fc.oneof({ maxDepth: 2, depthIdentifier }, simple, tie('compound')),
    block: fc.array(tie('stmt'), { minLength: 1, maxLength: 3 }).map((ss) => indent(ss.join('\n'))),
    compound: fc.oneof(
      { depthIdentifier },
      fc.tuple(expr, tie('block'), tie('block')).map(([c, t, e]) => `if ${c}:\n${t}\nelse:\n${e}`),
      fc.tuple(seq, tie('block')).map(([s, b]) => `for x in ${s}:\n${b}`),
      fc.tuple(expr, tie('block')).map(([c, b]) => `while ${c}:\n${b}`),
      fc
        .tuple(seq, tie('block'), fc.constantFrom('break', 'continue'))
        .map(([s, b, jump]) => `for x in ${s}:\n${b}\n  ${jump}`),
    ),
  })).stmt;
}

const initExpr = expressions([], 2);
const expr = expressions(NAMES, 2);
const stmt = statements(expr);
const program = fc
  .record({
    a: initExpr,
    b: initExpr,
    c: initExpr,
    body: fc.array(stmt, { minLength: 1, maxLength: 3 }),
    result: expr,
    stmts: fc.array(stmt, { minLength: 1, maxLength: 6 }),
  })
  .map(({ a, b, c, body, result, stmts }) =>
    [
      `a = ${a}`,
      `b = ${b}`,
      `c = ${c}`,
      'x = 0',
      'p = 0',
      'n = 0',
      'L = []',
      'def f(p):',
      indent(body.join('\n')),
      `  return ${result}`,
      ...stmts,
      'print(len(L), n)',
    ].join('\n'),
  );

describe('generated programs', () => {
  it('end normally or with a Starlark error, within the step limit', () => {
    const outcomes = { ok: 0, evalError: 0, syntaxError: 0 };
    fc.assert(
      fc.property(program, (src) => {
        let lines = 0;
        const thread = new Thread({ print: () => lines++, maxSteps: 10_000 });
        try {
          execFile(thread, 'gen.star', src, { dialect: TILT_DIALECT });
          outcomes.ok++;
          expect(lines).toBeGreaterThan(0);
        } catch (e) {
          expect(notStarlarkError(e)).toBeUndefined();
          if (e instanceof EvalError) outcomes.evalError++;
          else outcomes.syntaxError++;
        }
        expect(thread.steps).toBeLessThanOrEqual(10_000);
      }),
      { numRuns: 3000 },
    );
    // The generator reaches both ends: programs that finish and programs that fail.
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.evalError).toBeGreaterThan(0);
  });
});

describe('mutated conformance programs', () => {
  const FILES = [
    'string.star',
    'list.star',
    'dict.star',
    'control.star',
    'function.star',
    'assign.star',
  ];
  // Lines that deliberately compute a repeat count of 10**12 are left out: a
  // mutation of them may ask for a legal but enormous value.
  const chunks = FILES.flatMap((f) =>
    splitChunks(readFileSync(join(suiteDir, f), 'latin1')).map((c) =>
      c.text
        .split('\n')
        .filter((l) => !l.includes('1000000'))
        .join('\n'),
    ),
  );
  const REPLACEMENTS = [
    '(',
    ')',
    '[',
    ']',
    ':',
    ',',
    '=',
    '+',
    '*',
    '%',
    'not',
    'None',
    '0',
    '-1',
    '"',
    'x',
    'lambda',
    'def',
    'for',
    'in',
    'if',
    '\n',
    '  ',
    'assert',
    '.',
    '{}',
    '""',
    'len',
  ];
  const mutation = fc.record({
    kind: fc.constantFrom(
      'delete',
      'duplicate',
      'swap',
      'deleteLine',
      'duplicateLine',
      'swapLines',
      'token',
    ),
    at: fc.nat(),
    other: fc.nat(),
    len: fc.integer({ min: 1, max: 8 }),
  });
  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function mutate(src: string, m: Mutation): string {
    const n = Math.max(src.length, 1);
    const i = m.at % n;
    const lines = src.split('\n');
    const li = m.at % lines.length;
    const lj = m.other % lines.length;
    switch (m.kind) {
      case 'delete':
        return src.slice(0, i) + src.slice(i + m.len);
      case 'duplicate':
        return src.slice(0, i + m.len) + src.slice(i, i + m.len) + src.slice(i + m.len);
      case 'swap':
        return src.slice(0, i) + src.slice(i + 1, i + 2) + src.slice(i, i + 1) + src.slice(i + 2);
      case 'deleteLine':
        lines.splice(li, 1);
        return lines.join('\n');
      case 'duplicateLine':
        lines.splice(li, 0, lines[lj]);
        return lines.join('\n');
      case 'swapLines':
        [lines[li], lines[lj]] = [lines[lj], lines[li]];
        return lines.join('\n');
      case 'token': {
        const tokens = [...src.matchAll(/[A-Za-z_][A-Za-z0-9_]*|\d+|\S/g)];
        if (tokens.length === 0) return src;
        const t = tokens[m.at % tokens.length];
        const start = t.index;
        return (
          src.slice(0, start) +
          REPLACEMENTS[m.other % REPLACEMENTS.length] +
          src.slice(start + t[0].length)
        );
      }
    }
  }

  // Host errors that escape through catch() would otherwise be turned into messages.
  const leaks: string[] = [];
  const predeclared = new Map<string, Value>(hostBuiltins(() => {}));
  predeclared.set('struct', structBuiltin);
  predeclared.set('module', moduleBuiltin);
  predeclared.set(
    'catch',
    new Builtin('catch', (thread, args) => {
      if (args.length !== 1) throw new EvalError('catch: want one argument');
      try {
        thread.call(args[0], [], []);
        return None;
      } catch (e) {
        const why = notStarlarkError(e);
        if (why) leaks.push(why);
        return e instanceof EvalError ? e.msg : String(e);
      }
    }),
  );
  predeclared.set(
    'matches',
    new Builtin('matches', (_t, args) => {
      if (args.length !== 2) throw new EvalError('matches: want two arguments');
      let re: RegExp;
      try {
        re = new RegExp(text(str(args[0])));
      } catch {
        throw new EvalError('matches: invalid regular expression');
      }
      return re.test(text(str(args[1])));
    }),
  );
  let assertModule: Map<string, Value> | undefined;
  const load = (_t: Thread, module: string): Map<string, Value> => {
    if (module !== 'assert.star') throw new EvalError(`no module ${module}`);
    assertModule ??= execFile(
      new Thread(),
      'assert.star',
      readFileSync(join(suiteDir, 'assert.star')),
      {
        predeclared,
      },
    );
    return assertModule;
  };

  it('end normally or with a Starlark error', () => {
    expect(chunks.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (which, mutations, tilt) => {
          const src = mutations.reduce(mutate, chunks[which % chunks.length]);
          const dialect: DialectOptions = tilt ? TILT_DIALECT : STANDARD_DIALECT;
          const thread = new Thread({ print: () => {}, load, maxSteps: 100_000 });
          leaks.length = 0;
          try {
            execFile(thread, 'chunk.star', Buffer.from(src, 'latin1'), { predeclared, dialect });
          } catch (e) {
            expect(notStarlarkError(e)).toBeUndefined();
          }
          expect(leaks).toEqual([]);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('int arithmetic agrees with exact integer arithmetic', () => {
  const near = (base: bigint) => fc.bigInt({ min: -3n, max: 3n }).map((d) => base + d);
  const int = fc.oneof(
    fc.bigInt({ min: -100n, max: 100n }),
    fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
    fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
    near(2n ** 53n),
    near(-(2n ** 53n)),
    near(2n ** 63n),
    near(-(2n ** 63n)),
    near(2n ** 64n),
  );
  const floorDiv = (a: bigint, b: bigint) => {
    const q = a / b;
    return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
  };
  const floorMod = (a: bigint, b: bigint) => a - floorDiv(a, b) * b;

  it('for + - * // % and comparisons, printed with str()', () => {
    fc.assert(
      fc.property(int, int, (a, b) => {
        const lines: string[] = [];
        const thread = new Thread({ print: (_t, m) => lines.push(m) });
        const ops = ['a + b', 'a - b', 'a * b', 'a < b', 'a == b', '-a', 'str(a)'];
        if (b !== 0n) ops.push('a // b', 'a % b');
        const src = `a = ${a}\nb = ${b}\n${ops.map((o) => `print(${o})`).join('\n')}`;
        execFile(thread, 'int.star', src);
        const want = [
          a + b,
          a - b,
          a * b,
          a < b ? 'True' : 'False',
          a === b ? 'True' : 'False',
          -a,
          a,
        ];
        if (b !== 0n) want.push(floorDiv(a, b), floorMod(a, b));
        expect(lines).toEqual(want.map(String));
      }),
      { numRuns: 1500 },
    );
  });

  it('for int() of a decimal string and hex formatting', () => {
    fc.assert(
      fc.property(int, (a) => {
        const lines: string[] = [];
        const thread = new Thread({ print: (_t, m) => lines.push(m) });
        execFile(
          thread,
          'int.star',
          `print(int("${a}"), "%x" % ${a}, int("${a.toString(16)}", 16))`,
        );
        const hex = a < 0n ? '-' + (-a).toString(16) : a.toString(16);
        expect(lines).toEqual([`${a} ${hex} ${a}`]);
      }),
      { numRuns: 1000 },
    );
  });
});
