import { describe, expect, it } from 'vitest';
import { EvalError } from '../../src/starlark/errors.js';
import { Thread } from '../../src/starlark/eval/thread.js';
import { execFile } from '../../src/starlark/interp.js';
import { TILT_DIALECT } from '../../src/starlark/resolve/resolver.js';
import { List } from '../../src/starlark/values/value.js';
import {
  attempt,
  backtrace,
  evalError,
  global,
  printed,
  run,
  strOf,
  type RunOptions,
} from './helpers.js';

/** The single line a program prints. */
function out(src: string, opts: RunOptions = {}): string {
  const lines = printed(src, opts);
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('int arithmetic', () => {
  it('grows past 64 bits without overflow', () => {
    expect(out('print(1 << 64, (1 << 64) - 1, -(1 << 63) - 1)')).toBe(
      '18446744073709551616 18446744073709551615 -9223372036854775809',
    );
    expect(out('print((1 << 63) * (1 << 63), type(1 << 64))')).toBe(
      '85070591730234615865843651857942052864 int',
    );
  });

  it('stays exact across 2**53', () => {
    expect(out('x = 1 << 53\nprint(x + 1, x + 2 - 1, (x + 1) * 3 // 3)')).toBe(
      '9007199254740993 9007199254740993 9007199254740993',
    );
  });

  it('rounds floor division toward negative infinity', () => {
    expect(out('print(7 // 2, -7 // 2, 7 // -2, -7 // -2)')).toBe('3 -4 -4 3');
    expect(out('print(-(1 << 64) // 3, (1 << 64) // -1)')).toBe(
      '-6148914691236517206 -18446744073709551616',
    );
  });

  it('gives the remainder the sign of the divisor', () => {
    expect(out('print(7 % 3, -7 % 3, 7 % -3, -7 % -3)')).toBe('1 2 -2 -1');
    expect(out('print((1 << 64) % -7, -(1 << 64) % 7)')).toBe('-5 5');
  });

  it('divides with / into a float', () => {
    expect(out('print(5 / 2, 4 / 2, type(4 / 2))')).toBe('2.5 2.0 float');
  });

  it.each([
    ['1 // 0', 'floored division by zero'],
    ['1 % 0', 'integer modulo by zero'],
    ['1 / 0', 'floating-point division by zero'],
    ['1.0 // 0.0', 'floored division by zero'],
    ['1 << -1', 'negative shift count: -1'],
    ['1 << 1024', 'shift count too large: 1024'],
  ])('%s fails with %j', (expr, msg) => {
    expect(evalError(`x = ${expr}`).msg).toBe(msg);
  });

  it('compares ints and floats by value', () => {
    expect(out('print(1 == 1.0, 1 < 1.5, (1 << 64) == float(1 << 64), 0.1 + 0.2 == 0.3)')).toBe(
      'True True True False',
    );
  });
});

describe('float printing', () => {
  it('prints the shortest text that reads back as the same float', () => {
    expect(out('print(str(0.1 + 0.2), 1 / 3)')).toBe('0.30000000000000004 0.3333333333333333');
  });

  it('switches to exponent form from 1e+06 and below 1e-04', () => {
    expect(out('print(str(1e20), 1e6, 123456.0, 1e-5, 0.0001, 1e100)')).toBe(
      '1e+20 1e+06 123456.0 1e-05 0.0001 1e+100',
    );
  });

  it('always shows a float as a float', () => {
    expect(out('print(1.0, 100.0, -0.0, float(7), 2 * 0.5)')).toBe('1.0 100.0 -0.0 7.0 1.0');
  });

  it('prints infinities and NaN', () => {
    expect(out('print(float("inf"), float("-inf"), float("nan"), 1e308 * 10)')).toBe(
      '+inf -inf nan +inf',
    );
  });
});

describe('strings are byte strings', () => {
  it('counts UTF-8 bytes in len', () => {
    expect(global('n = len("世界")', 'n')).toBe(6);
  });

  it('indexes one byte at a time', () => {
    expect(out('c = "世界"[0]\nprint(len(c), repr(c), "世界"[0:3])')).toBe('1 "\\xe4" 世');
  });

  it('iterates code points with codepoints() and bytes with elems()', () => {
    expect(out('print(list("世界".codepoints()), list("世界".codepoint_ords()))')).toBe(
      '["世", "界"] [19990, 30028]',
    );
    expect(out('print(list("世界".elems()))')).toBe(
      '["\\xe4", "\\xb8", "\\x96", "\\xe7", "\\x95", "\\x8c"]',
    );
  });

  it('converts between characters and code points', () => {
    expect(out('print(ord("世"), chr(19990), chr(65))')).toBe('19990 世 A');
  });
});

describe('dicts', () => {
  it('iterate in insertion order', () => {
    expect(out('d = {"b": 1, "a": 2}\nd["c"] = 3\nprint(list(d), d.keys())')).toBe(
      '["b", "a", "c"] ["b", "a", "c"]',
    );
  });

  it('keep the position of a key whose value is replaced', () => {
    expect(out('d = {"a": 1, "b": 2}\nd["a"] = 9\nprint(d)')).toBe('{"a": 9, "b": 2}');
  });

  it('move a deleted and re-inserted key to the end', () => {
    expect(out('d = {"b": 1, "a": 2, "c": 3}\nd.pop("b")\nd["b"] = 4\nprint(d)')).toBe(
      '{"a": 2, "c": 3, "b": 4}',
    );
  });

  it('reject unhashable keys', () => {
    expect(evalError('x = {}\nx[[1]] = 2').msg).toBe('unhashable type: list');
  });

  it('report a missing key with its repr', () => {
    expect(evalError('x = {"b": 1}\nx["a"]').msg).toBe('key "a" not in dict');
  });
});

describe('mutation during iteration', () => {
  it('fails when a list is appended to while it is iterated', () => {
    const e = evalError('def f():\n  l = [1, 2]\n  for x in l:\n    l.append(x)\nf()');
    expect(e.msg).toBe('append: cannot append to list during iteration');
    expect(e.backtrace()).toMatch(
      /\nError in append: append: cannot append to list during iteration$/,
    );
  });

  it('fails when a dict is inserted into while it is iterated', () => {
    const e = evalError('d = {1: 1}\nfor k in d:\n  d[2] = 2', { dialect: TILT_DIALECT });
    expect(e.msg).toBe('cannot insert into hash table during iteration');
  });

  it('allows mutation again once the loop is over', () => {
    expect(
      out('def f():\n  l = [1]\n  for x in l:\n    pass\n  l.append(2)\n  return l\nprint(f())'),
    ).toBe('[1, 2]');
  });
});

describe('frozen values', () => {
  it('freezes the globals of an executed file', () => {
    const x = run('x = [1, 2]').globals.get('x');
    expect(x).toBeInstanceOf(List);
    expect((x as List).frozen).toBe(true);
  });

  it('refuses to append to a list loaded from another module', () => {
    const e = evalError('load("m.star", "items")\nitems.append(3)', {
      modules: { 'm.star': 'items = [1, 2]' },
    });
    expect(e.msg).toBe('append: cannot append to frozen list');
  });

  it('refuses to insert into a dict loaded from another module', () => {
    const e = evalError('load("m.star", "d")\nd["b"] = 2', {
      modules: { 'm.star': 'd = {"a": 1}' },
    });
    expect(e.msg).toBe('cannot insert into frozen hash table');
  });

  it('freezes values reachable through a loaded function', () => {
    const modules = { 'm.star': 'items = [1]\ndef get():\n  return items' };
    const e = evalError('load("m.star", "get")\nget().append(2)', { modules });
    expect(e.msg).toBe('append: cannot append to frozen list');
  });

  it('lets a module mutate its own values while it runs', () => {
    expect(out('x = [1]\nx.append(2)\nprint(x)')).toBe('[1, 2]');
  });
});

describe('closures', () => {
  it('share a mutable cell between calls', () => {
    const src = [
      'def counter():',
      '  n = [0]',
      '  def inc():',
      '    n[0] += 1',
      '    return n[0]',
      '  return inc',
      'c = counter()',
      'c()',
      'c()',
      'print(c())',
    ].join('\n');
    expect(out(src)).toBe('3');
  });

  it('see the latest value of a captured variable', () => {
    expect(
      out('def outer():\n  x = 1\n  def get(): return x\n  x = 2\n  return get\nprint(outer()())'),
    ).toBe('2');
  });

  it('capture the loop variable itself, not its value at the time', () => {
    const src =
      'def mk():\n  fs = []\n  for i in range(3):\n    fs.append(lambda: i)\n  return [f() for f in fs]\nprint(mk())';
    expect(out(src)).toBe('[2, 2, 2]');
  });

  it('do not leak assignments into the enclosing scope', () => {
    expect(out('x = 1\ndef f():\n  x = 2\n  return x\nprint(f(), x)')).toBe('2 1');
  });

  it('report a local read before its assignment', () => {
    expect(evalError('def f():\n  print(y)\n  y = 1\nf()').msg).toBe(
      'local variable y referenced before assignment',
    );
  });
});

describe('argument binding', () => {
  it('binds positional, keyword, *args and **kwargs parameters', () => {
    const src = [
      'def f(a, b=2, *args, c, d=4, **kw):',
      '  return (a, b, args, c, d, kw)',
      'print(f(1, c=3))',
      'print(f(1, 2, 3, 4, c=5, e=6))',
      'print(f(*[1, 2, 3], **{"c": 7, "z": 8}))',
    ].join('\n');
    expect(printed(src)).toEqual([
      '(1, 2, (), 3, 4, {})',
      '(1, 2, (3, 4), 5, 4, {"e": 6})',
      '(1, 2, (3,), 7, 4, {"z": 8})',
    ]);
  });

  it('binds keyword arguments by name in any order', () => {
    expect(out('def f(a, b): return a - b\nprint(f(b=1, a=5))')).toBe('4');
  });

  it.each([
    ['def f(x): pass\nf()', 'function f missing 1 argument (x)'],
    ['def f(a, b): pass\nf()', 'function f missing 2 arguments (a, b)'],
    ['def f(*, a): pass\nf()', 'function f missing 1 argument (a)'],
    ['def f(x): pass\nf(1, z=2)', 'function f got an unexpected keyword argument "z"'],
    [
      'def f(x, y=1): pass\nf(1, 2, 3)',
      'function f accepts at most 2 positional arguments (3 given)',
    ],
    ['def f(x, y): pass\nf(1, 2, 3)', 'function f accepts 2 positional arguments (3 given)'],
    ['def f(x): pass\nf(1, 2)', 'function f accepts 1 positional argument (2 given)'],
    ['def f(): pass\nf(1)', 'function f accepts no arguments (1 given)'],
    ['def f(x): pass\nf(1, x=2)', 'function f got multiple values for parameter "x"'],
    ['def f(a, *, b): pass\nf(1, 2)', 'function f accepts 1 positional argument (2 given)'],
  ])('%j fails with %j', (src, msg) => {
    expect(evalError(src).msg).toBe(msg);
  });

  it('names the call site and the callee in the backtrace of a binding error', () => {
    expect(backtrace('def f(x): pass\nf()')).toBe(
      'Traceback (most recent call last):\n  x.star:2:2: in <toplevel>\nError: function f missing 1 argument (x)',
    );
  });
});

describe('load', () => {
  it('runs each module once and records every request', () => {
    const modules = {
      'a.star': 'load("b.star", "b")\nprint("running a")\na = b + 1',
      'b.star': 'print("running b")\nb = 1',
    };
    const o = attempt('load("a.star", "a")\nload("b.star", "b")\nprint(a, b)', { modules });
    expect(o.error).toBeUndefined();
    expect(o.loaded).toEqual(['a.star', 'b.star', 'b.star']);
    expect(o.printed).toEqual(['running b', 'running a', '2 1']);
  });

  it('binds a loaded name under another name', () => {
    expect(
      out('load("m.star", y = "items")\nprint(y)', { modules: { 'm.star': 'items = [1]' } }),
    ).toBe('[1]');
  });

  it('fails when the module does not define the name', () => {
    const e = evalError('load("m.star", "x")', { modules: { 'm.star': 'y = 1' } });
    expect(e.msg).toBe('load: name x not found in module m.star');
    expect(e.backtrace()).toBe(
      'Traceback (most recent call last):\n  x.star:1:1: in <toplevel>\nError: load: name x not found in module m.star',
    );
  });

  it('suggests a similarly spelled name the module does define', () => {
    const e = evalError('load("m.star", "itemz")', { modules: { 'm.star': 'items = 1' } });
    expect(e.msg).toBe('load: name itemz not found in module m.star (did you mean items?)');
  });

  it('reports an error of the load hook as a failure to load', () => {
    expect(evalError('load("nope.star", "x")').msg).toBe(
      'cannot load nope.star: no module named nope.star',
    );
  });

  it('fails without a load hook', () => {
    const thread = new Thread({ print: () => {} });
    let err: unknown;
    try {
      execFile(thread, 'x.star', 'load("m.star", "x")');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).msg).toBe('load not implemented by this application');
  });

  it('reports a run-time error of a loaded module as a failure to load it', () => {
    const bt = backtrace('load("bad.star", "x")', { modules: { 'bad.star': 'x = 1 // 0' } });
    expect(bt).toBe(
      'Traceback (most recent call last):\n  x.star:1:1: in <toplevel>\nError: cannot load bad.star: floored division by zero',
    );
  });

  it('reports a resolve error of a loaded module as a failure to load it', () => {
    const e = evalError('load("syn.star", "x")', { modules: { 'syn.star': 'x = y' } });
    expect(e.msg).toBe('cannot load syn.star: syn.star:1:5: undefined: y');
  });
});

describe('print', () => {
  it('joins its arguments with spaces and prints strings without quotes', () => {
    expect(out('print("x", [1, "y"], None, True, 1.0)')).toBe('x [1, "y"] None True 1.0');
  });

  it('takes a separator', () => {
    expect(out('print("a", "b", sep="-")')).toBe('a-b');
  });

  it('prints an empty line with no arguments', () => {
    expect(printed('print()')).toEqual(['']);
  });

  it('prints UTF-8 text as it was written', () => {
    expect(out('print("héllo, 世界")')).toBe('héllo, 世界');
  });
});

describe('fail', () => {
  it('stops the program with its arguments as the message', () => {
    const e = evalError('fail("boom", 1)');
    expect(e.msg).toBe('fail: boom 1');
    expect(e.backtrace()).toBe(
      'Traceback (most recent call last):\n  x.star:1:5: in <toplevel>\nError in fail: fail: boom 1',
    );
  });

  it('takes a separator', () => {
    expect(evalError('fail("a", "b", sep=",")').msg).toBe('fail: a,b');
  });

  it('does not run the statements after it', () => {
    const o = attempt('print("before")\nfail("stop")\nprint("after")');
    expect(o.printed).toEqual(['before']);
    expect(o.error).toBeInstanceOf(EvalError);
  });
});

describe('% formatting', () => {
  it('formats every conversion', () => {
    expect(
      out(
        'print("%d items, %s, %r, %x, %o, %e, %f, %g, %%, %c" % (3, "s", "s", 255, 8, 1.5, 1.5, 1.5, 65))',
      ),
    ).toBe('3 items, s, "s", ff, 10, 1.500000e+00, 1.500000, 1.5, %, A');
  });

  it('formats named fields from a dict', () => {
    expect(out('print("%(name)s is %(age)d" % {"name": "Bob", "age": 30})')).toBe('Bob is 30');
  });

  it('formats a single non-tuple operand', () => {
    expect(out('print("%s!" % "hi")')).toBe('hi!');
  });

  it.each([
    ['"%s %s" % ("a",)', 'not enough arguments for format string'],
    ['"%s" % (1, 2)', 'too many arguments for format string'],
    ['"%d" % "x"', '%d format requires integer: cannot convert string to int'],
    ['"%5d" % 1', 'unknown conversion %5'],
  ])('%s fails with %j', (expr, msg) => {
    expect(evalError(`x = ${expr}`).msg).toBe(msg);
  });
});

describe('str.format', () => {
  it('fills automatic, numbered and named fields', () => {
    expect(
      out('print("{} and {}".format(1, "two"), "{0}{1}{0}".format("a", "b"), "{n}!".format(n=1))'),
    ).toBe('1 and two aba 1!');
  });

  it('escapes braces and applies !r', () => {
    expect(out('print("{{}} {!r} {!s}".format("x", "y"))')).toBe('{} "x" y');
  });

  it.each([
    [
      '"{} {0}".format(1)',
      'format: cannot switch from automatic field numbering to manual field specification',
    ],
    ['"{}".format()', 'format: tuple index out of range'],
    ['"{x}".format(y=1)', 'format: keyword x not found'],
  ])('%s fails with %j', (expr, msg) => {
    expect(evalError(`x = ${expr}`).msg).toBe(msg);
  });
});

describe('json', () => {
  it('encodes values compactly', () => {
    expect(out('print(json.encode({"a": [1, "a", None, True, 1.5, (1, 2)]}))')).toBe(
      '{"a":[1,"a",null,true,1.5,[1,2]]}',
    );
  });

  it('decodes objects into dicts in document order', () => {
    expect(out('print(json.decode(\'{"b": [1, 2.5, "x", null, true, false], "a": {}}\'))')).toBe(
      '{"b": [1, 2.5, "x", None, True, False], "a": {}}',
    );
  });

  it('round-trips a value through encode and decode', () => {
    const src = [
      'x = {"a": [1, 2], "b": "\\u4e16", "c": 1.25, "d": {"e": None}, "f": 12345678901234567890}',
      'print(json.decode(json.encode(x)) == x, json.encode(x))',
    ].join('\n');
    expect(out(src)).toBe(
      'True {"a":[1,2],"b":"世","c":1.25,"d":{"e":null},"f":12345678901234567890}',
    );
  });

  it('indents encoded text', () => {
    expect(out('print(json.indent(json.encode({"a": [1]})))')).toBe('{\n\t"a": [\n\t\t1\n\t]\n}');
  });

  it.each([
    ['json.encode({1: 2})', 'json.encode: dict has int key, want string'],
    ['json.encode(float("nan"))', 'json.encode: cannot encode non-finite float nan'],
    ['json.decode("[1,")', 'json.decode: at offset 3, unexpected end of file'],
  ])('%s fails with %j', (expr, msg) => {
    expect(evalError(`x = ${expr}`).msg).toBe(msg);
  });
});

describe('struct', () => {
  it('exposes its fields and prints them sorted by name', () => {
    const src = 's = struct(name="x", n=1)\nprint(s.name, s.n, dir(s), type(s))\nprint(s)';
    expect(printed(src)).toEqual(['x 1 ["n", "name"] struct', 'struct(n = 1, name = "x")']);
  });

  it('reports a missing field with a spelling suggestion', () => {
    expect(evalError('s = struct(name="x")\ns.nme').msg).toBe(
      'struct has no .nme attribute (did you mean .name?)',
    );
  });

  it('refuses to assign a field', () => {
    expect(evalError('s = struct(a=1)\ns.a = 2').msg).toBe("can't assign to .a field of struct");
  });

  it('compares by fields', () => {
    expect(out('print(struct(a=1) == struct(a=1), struct(a=1) == struct(a=2))')).toBe('True False');
  });

  it('rejects positional arguments', () => {
    expect(evalError('struct(1)').msg).toBe('struct: unexpected positional arguments');
  });

  it('lets its mutable fields be mutated', () => {
    expect(out('s = struct(a=[1])\ns.a.append(2)\nprint(s)')).toBe('struct(a = [1, 2])');
  });
});

describe('values as the host sees them', () => {
  it('returns ints, floats, strings, lists and dicts from globals', () => {
    const { globals } = run(
      'i = 1\nb = 1 << 70\nf = 2.5\ns = "é"\nl = [1, "a"]\nd = {"k": (1, None)}',
    );
    expect(strOf(globals.get('b')!)).toBe('1180591620717411303424');
    expect(global('x = [1, "é", 2.5, None, True, {"k": (1,)}]', 'x')).toEqual([
      1,
      'é',
      2.5,
      null,
      true,
      new Map([['k', [1]]]),
    ]);
    expect(globals.get('i')).toBe(1);
    expect(globals.get('b')).toBe(1n << 70n);
  });
});
