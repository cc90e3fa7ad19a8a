import { describe, expect, it } from 'vitest';
import { EvalError } from '../../src/starlark/errors.js';
import type { Thread } from '../../src/starlark/eval/thread.js';
import { TILT_DIALECT } from '../../src/starlark/resolve/resolver.js';
import { Builtin, None } from '../../src/starlark/values/value.js';
import { attempt, backtrace, evalError, type RunOptions } from './helpers.js';

const TB = 'Traceback (most recent call last):\n';

describe('backtraces', () => {
  it('show the call site of each frame and the operator that failed', () => {
    // The call frame points at the '(' of f() (3:2); the failing frame at
    // the '//' operator (2:14), as go.starlark.net reports them.
    expect(backtrace('def f():\n    return 1 // 0\nf()')).toBe(
      `${TB}  x.star:3:2: in <toplevel>\n  x.star:2:14: in f\nError: floored division by zero`,
    );
  });

  it('list nested calls outermost first', () => {
    const src = [
      'def inner(x):',
      '  return x + "s"',
      'def outer():',
      '  return inner(1)',
      'outer()',
    ];
    expect(backtrace(src.join('\n'))).toBe(
      `${TB}  x.star:5:6: in <toplevel>\n  x.star:4:15: in outer\n  x.star:2:12: in inner\nError: unknown binary op: int + string`,
    );
  });

  it('name a failing builtin after "Error in"', () => {
    expect(backtrace('len(1)')).toBe(
      `${TB}  x.star:1:4: in <toplevel>\nError in len: len: value of type int has no len`,
    );
  });

  it('name a failing builtin called from a function', () => {
    expect(backtrace('def f():\n  return len(1)\nf()')).toBe(
      `${TB}  x.star:3:2: in <toplevel>\n  x.star:2:13: in f\nError in len: len: value of type int has no len`,
    );
  });

  it('show a builtin in the middle of the stack as <builtin>', () => {
    expect(backtrace('x = sorted([3, 1, 2], key=lambda x: 1 // 0)')).toBe(
      `${TB}  x.star:1:11: in <toplevel>\n  <builtin>: in sorted\n  x.star:1:39: in lambda\nError: floored division by zero`,
    );
  });

  it('point at the dot of a missing attribute, with a suggestion', () => {
    expect(backtrace('"abc".uper()')).toBe(
      `${TB}  x.star:1:6: in <toplevel>\nError: string has no .uper field or method (did you mean .upper?)`,
    );
  });

  it('point at the bracket of a failing index', () => {
    expect(backtrace('x = [1]\ny = x[3]')).toBe(
      `${TB}  x.star:2:6: in <toplevel>\nError: list index 3 out of range [-1:0]`,
    );
  });

  it('give the innermost position and the frames of the error', () => {
    const e = evalError('def f():\n    return 1 // 0\nf()');
    expect(e.pos).toEqual({ file: 'x.star', line: 2, col: 14 });
    expect(e.stack_.map((f) => f.name)).toEqual(['<toplevel>', 'f']);
    expect(e.msg).toBe('floored division by zero');
  });

  it('name the file the program was run as', () => {
    expect(backtrace('x = 1 // 0', { file: 'dir/Tiltfile' })).toBe(
      `${TB}  dir/Tiltfile:1:7: in <toplevel>\nError: floored division by zero`,
    );
  });

  it('count columns in characters, not bytes, after non-ASCII text', () => {
    // "世界" is two characters: the '+' is the 10th character of the line.
    expect(backtrace('x = "世界" + 1')).toBe(
      `${TB}  x.star:1:10: in <toplevel>\nError: unknown binary op: string + int`,
    );
  });

  it('print every frame of a recursive call, repeated or not', () => {
    const src = [
      'def f(n):',
      '    if n == 0:',
      '        return 1 // 0',
      '    return f(n - 1)',
      'f(4)',
    ].join('\n');
    expect(backtrace(src, { dialect: TILT_DIALECT })).toBe(
      TB +
        '  x.star:5:2: in <toplevel>\n' +
        '  x.star:4:13: in f\n'.repeat(4) +
        '  x.star:3:18: in f\n' +
        'Error: floored division by zero',
    );
  });
});

describe('deep recursion', () => {
  const runaway = 'def f(n):\n  return f(n + 1)\nf(0)';

  it('fails with "Starlark stack overflow"', () => {
    const e = evalError(runaway, { dialect: TILT_DIALECT });
    expect(e.msg).toBe('Starlark stack overflow');
    expect(e.stack_[0].name).toBe('<toplevel>');
    expect(e.stack_.slice(1).every((f) => f.name === 'f')).toBe(true);
  });

  it('fails the same way when the JavaScript stack runs out first', () => {
    const o = attempt(runaway, { dialect: TILT_DIALECT, maxDepth: 10_000_000 });
    expect(o.error).toBeInstanceOf(EvalError);
    expect(o.error).not.toBeInstanceOf(RangeError);
    expect((o.error as EvalError).msg).toBe('Starlark stack overflow');
  });

  it('stops at the depth the thread allows', () => {
    const src = 'def f(n):\n  return f(n - 1) if n > 0 else "done"\nprint(f(40))';
    expect(attempt(src, { dialect: TILT_DIALECT, maxDepth: 100 }).printed).toEqual(['done']);
    expect(evalError(src, { dialect: TILT_DIALECT, maxDepth: 20 }).msg).toBe(
      'Starlark stack overflow',
    );
  });
});

describe('step limit', () => {
  const tilt: RunOptions = { dialect: TILT_DIALECT, maxSteps: 1000 };

  it('stops an endless top-level loop', () => {
    const e = evalError('while True:\n  pass', tilt);
    expect(e.msg).toBe('Starlark computation cancelled: too many steps');
  });

  it('stops an endless loop inside a function', () => {
    const e = evalError('def spin():\n  while True:\n    pass\nspin()', tilt);
    expect(e.msg).toBe('Starlark computation cancelled: too many steps');
  });

  it('stops a long for loop', () => {
    const o = attempt('n = 0\nfor i in range(1000000):\n  n += 1', tilt);
    expect((o.error as EvalError).msg).toBe('Starlark computation cancelled: too many steps');
  });

  it('stops endless recursion that stays under the depth limit', () => {
    const src = 'def f(n):\n  if n > 0:\n    f(n - 1)\n    f(n - 1)\nf(40)';
    expect(evalError(src, tilt).msg).toBe('Starlark computation cancelled: too many steps');
  });

  it('lets a program that stays under the limit finish', () => {
    const o = attempt('n = 0\nfor i in range(10):\n  n += i\nprint(n)', tilt);
    expect(o.error).toBeUndefined();
    expect(o.printed).toEqual(['45']);
  });

  it('reports where the top-level loop was stopped', () => {
    const bt = evalError('while True:\n  pass', tilt).backtrace();
    expect(bt).toMatch(
      /^Traceback \(most recent call last\):\n {2}x\.star:[12]:\d+: in <toplevel>\nError: Starlark computation cancelled: too many steps$/,
    );
  });

  it('reports the function that was running when the limit was reached', () => {
    const e = evalError('def spin():\n  while True:\n    pass\nspin()', tilt);
    expect(e.stack_.map((f) => f.name)).toEqual(['<toplevel>', 'spin']);
    const [top, spin] = e.stack_;
    expect(top.pos).toEqual({ file: 'x.star', line: 4, col: 5 });
    // The frame of spin is somewhere in its body (lines 1-3), not at its call site.
    expect(spin.pos?.file).toBe('x.star');
    expect(spin.pos?.line, 'line of the spin frame').toBeGreaterThanOrEqual(1);
    expect(spin.pos?.line, 'line of the spin frame').toBeLessThanOrEqual(3);
  });
});

describe('cancellation', () => {
  /** A builtin that cancels the thread that calls it, and returns None. */
  const stop = new Builtin('stop', (thread) => {
    (thread as Thread).cancel('user pressed stop');
    return None;
  });
  const predeclared = { stop };

  it('stops a loop once a builtin cancels the thread', () => {
    const o = attempt('for i in range(5):\n  print(i)\n  stop()', {
      dialect: TILT_DIALECT,
      predeclared,
    });
    expect(o.error).toBeInstanceOf(EvalError);
    expect((o.error as EvalError).msg).toBe('Starlark computation cancelled: user pressed stop');
    expect(o.printed).toEqual(['0']);
  });

  it('stops the program before the statement after the cancelling call', () => {
    const o = attempt('print("before")\nstop()\nprint("after")', { predeclared });
    expect(o.printed).toEqual(['before']);
    expect(o.error).toBeInstanceOf(EvalError);
    expect((o.error as EvalError).msg).toBe('Starlark computation cancelled: user pressed stop');
  });

  it('stops a function before it returns to its caller', () => {
    const src = 'def f():\n  stop()\n  return 1\nx = f()\nprint("after", x)';
    const o = attempt(src, { predeclared });
    expect(o.printed).toEqual([]);
    expect((o.error as EvalError).msg).toBe('Starlark computation cancelled: user pressed stop');
  });
});
