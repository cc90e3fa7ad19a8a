import { describe, expect, it } from 'vitest';
import { EvalError, StarlarkSyntaxError, StarlarkSyntaxErrors } from '../../src/starlark/errors.js';
import { parseAndResolve } from '../../src/starlark/interp.js';
import {
  STANDARD_DIALECT,
  TILT_DIALECT,
  type DialectOptions,
} from '../../src/starlark/resolve/resolver.js';
import { evalError, printed, runError, staticErrors, syntaxError } from './helpers.js';

const dialect = (opts: Partial<DialectOptions>): DialectOptions => ({
  ...STANDARD_DIALECT,
  ...opts,
});

describe('undefined names', () => {
  it('suggests a global with a similar spelling', () => {
    expect(syntaxError('print(hollo)\nhello = 1').message).toBe(
      'x.star:1:7: undefined: hollo (did you mean hello?)',
    );
  });

  it('suggests a local of the enclosing function', () => {
    expect(syntaxError('def f():\n  value = 1\n  return valeu').message).toBe(
      'x.star:3:10: undefined: valeu (did you mean value?)',
    );
  });

  it('does not suggest built-in functions', () => {
    expect(syntaxError('print(lne("a"))').message).toBe('x.star:1:7: undefined: lne');
  });

  it('does not suggest names that differ in half their letters', () => {
    expect(syntaxError('def f():\n  return yy\nyx = 2').message).toBe('x.star:2:10: undefined: yy');
  });

  it('keeps comprehension variables inside the comprehension', () => {
    expect(syntaxError('def f():\n  return [x for x in range(3)] + [x]').message).toBe(
      'x.star:2:35: undefined: x',
    );
  });

  it('treats names the embedder predeclares as defined', () => {
    const file = parseAndResolve('x.star', 'y = tilt_version', new Map([['tilt_version', '0.1']]));
    expect(file.stmts).toHaveLength(1);
    expect(() => parseAndResolve('x.star', 'y = tilt_version')).toThrow(
      'x.star:1:5: undefined: tilt_version',
    );
  });
});

describe('all errors of a file are reported together', () => {
  it('collects every undefined name, in source order', () => {
    const e = runError('x = undefined1\ny = undefined2\ndef f():\n  return zzz');
    expect(e).toBeInstanceOf(StarlarkSyntaxErrors);
    const errs = (e as StarlarkSyntaxErrors).errors;
    expect(errs.every((x) => x instanceof StarlarkSyntaxError)).toBe(true);
    expect(errs.map((x) => x.message)).toEqual([
      'x.star:1:5: undefined: undefined1',
      'x.star:2:5: undefined: undefined2',
      'x.star:4:10: undefined: zzz',
    ]);
    expect((e as Error).message).toBe(errs.map((x) => x.message).join('\n'));
  });

  it('collects errors of different kinds', () => {
    expect(staticErrors('x = 1\nundefined_a\nx = 2\ndef f():\n  break\nfor i in []: pass')).toEqual(
      [
        'x.star:2:1: undefined: undefined_a',
        'x.star:3:1: cannot reassign global x declared at x.star:1:1',
        'x.star:5:3: break not in a loop',
        'x.star:6:1: for loop not within a function',
      ],
    );
  });

  it('reports a single error as a StarlarkSyntaxError', () => {
    expect(runError('x = y')).toBeInstanceOf(StarlarkSyntaxError);
  });
});

describe('statements in the wrong place', () => {
  it.each([
    ['return 1', 'x.star:1:1: return statement not within a function'],
    ['break', 'x.star:1:1: break not in a loop'],
    ['continue', 'x.star:1:1: continue not in a loop'],
    [
      'def f():\n  for x in [1]:\n    def g():\n      continue',
      'x.star:4:7: continue not in a loop',
    ],
    ['def f():\n  load("m.star", "x")', 'x.star:2:3: load statement within a function'],
    [
      'load("m.star", "_x")',
      'x.star:1:17: load: names with leading underscores are not exported: _x',
    ],
    ['def f(a, a): pass', 'x.star:1:10: duplicate parameter: a'],
    ['def f(a=1, b): pass', 'x.star:1:12: required parameter may not follow optional'],
    ['f(a=1, 2)\ndef f(): pass', 'x.star:1:8: positional argument may not follow named'],
  ])('%j is rejected with %j', (src, want) => {
    expect(staticErrors(src)).toEqual([want]);
  });

  it('reports an assignment to a call at the start of the call', () => {
    expect(staticErrors('f() = 0\ndef f(): pass')).toEqual([
      "x.star:1:1: can't assign to callexpr",
    ]);
  });

  it('reports an assignment to a binary expression at its start', () => {
    expect(staticErrors('1+2 = 0')).toEqual(["x.star:1:1: can't assign to binaryexpr"]);
  });
});

describe('dialect options', () => {
  it('rejects while loops unless the while option is on', () => {
    const src = 'def f():\n  i = 0\n  while i < 3:\n    i += 1\n  return i\nprint(f())';
    expect(staticErrors(src)).toEqual(['x.star:3:3: dialect does not support while loops']);
    expect(printed(src, { dialect: dialect({ while: true }) })).toEqual(['3']);
  });

  it('rejects top-level if, for and while unless toplevelcontrol is on', () => {
    const src = 'if True:\n  pass\nfor i in []:\n  pass\nwhile False:\n  pass';
    expect(staticErrors(src, { dialect: dialect({ while: true }) })).toEqual([
      'x.star:1:1: if statement not within a function',
      'x.star:3:1: for loop not within a function',
      'x.star:5:1: while loop not within a function',
    ]);
    expect(printed(src, { dialect: dialect({ while: true, toplevelcontrol: true }) })).toEqual([]);
  });

  it('rejects a second assignment to a global unless globalreassign is on', () => {
    const src = 'x = 1\nx += 1\nprint(x)';
    expect(staticErrors(src)).toEqual([
      'x.star:2:1: cannot reassign global x declared at x.star:1:1',
    ]);
    expect(printed(src, { dialect: dialect({ globalreassign: true }) })).toEqual(['2']);
  });

  it('rejects a global assigned in both branches of a top-level if', () => {
    const src = 'x = 1\nif x:\n  y = 1\nelse:\n  y = 2';
    expect(staticErrors(src, { dialect: dialect({ toplevelcontrol: true }) })).toEqual([
      'x.star:5:3: cannot reassign global y declared at x.star:3:3',
    ]);
  });

  it('rejects the set builtin unless the set option is on', () => {
    const src = 'print(set([3, 1, 3]))';
    expect(staticErrors(src)).toEqual(['x.star:1:7: dialect does not support sets']);
    expect(printed(src, { dialect: dialect({ set: true }) })).toEqual(['set([3, 1])']);
  });

  it('stops a recursive call at run time unless the recursion option is on', () => {
    const src = 'def f(n):\n  return f(n - 1) if n > 0 else 0\nprint(f(3))';
    expect(evalError(src).msg).toBe('function f called recursively');
    expect(printed(src, { dialect: dialect({ recursion: true }) })).toEqual(['0']);
  });

  it('detects mutual recursion too', () => {
    const e = evalError('def f():\n  return g()\ndef g():\n  return f()\nf()');
    expect(e).toBeInstanceOf(EvalError);
    expect(e.msg).toBe('function f called recursively');
  });

  it('resolves a global used before its definition at run time in the standard dialect', () => {
    expect(evalError('print(f(1))\ndef f(x): return x').msg).toBe(
      'global variable f referenced before assignment',
    );
  });

  it('rejects a top-level use before the definition when globals may be reassigned', () => {
    expect(
      staticErrors('print(f(1))\ndef f(x): return x', {
        dialect: dialect({ globalreassign: true }),
      }),
    ).toEqual(['x.star:1:7: undefined: f']);
  });

  it('rejects loading the same name twice unless globals may be reassigned', () => {
    const src = 'load("m.star", "x")\nload("m.star", "x")\nprint(x)';
    const modules = { 'm.star': 'x = 1' };
    expect(staticErrors(src, { modules })).toEqual(['x.star:2:17: cannot reassign top-level x']);
    expect(printed(src, { modules, dialect: dialect({ globalreassign: true }) })).toEqual(['1']);
  });
});

describe('the Tilt dialect', () => {
  it('allows top-level for, if and while', () => {
    const src = [
      'total = 0',
      'for i in range(4):',
      '  total += i',
      'if total > 5:',
      '  print("big", total)',
      'while total > 0:',
      '  total -= 4',
      'print(total)',
    ].join('\n');
    expect(printed(src, { dialect: TILT_DIALECT })).toEqual(['big 6', '-2']);
  });

  it('allows reassigning globals and loaded names', () => {
    const src = 'load("m.star", "x")\nx = x + 1\nx = x * 10\nprint(x)';
    expect(printed(src, { dialect: TILT_DIALECT, modules: { 'm.star': 'x = 1' } })).toEqual(['20']);
  });

  it('allows sets and recursion', () => {
    const src =
      'def fact(n):\n  return 1 if n < 2 else n * fact(n - 1)\nprint(fact(20), set([1, 1]))';
    expect(printed(src, { dialect: TILT_DIALECT })).toEqual(['2432902008176640000 set([1])']);
  });

  it('is the standard dialect with every option but loadbindsglobally switched on', () => {
    expect(TILT_DIALECT).toEqual({
      set: true,
      while: true,
      toplevelcontrol: true,
      globalreassign: true,
      loadbindsglobally: false,
      recursion: true,
    });
    expect(Object.values(STANDARD_DIALECT).every((v) => v === false)).toBe(true);
  });
});
