import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchRecords } from '../../src/tiltfile/builtins/files.js';
import { removeProjects, runTiltfile, type RunOptions } from './helpers.js';

afterEach(removeProjects);

/** Runs a Tiltfile that must succeed; returns its print output. */
function ok(src: string, opts: RunOptions = {}): string {
  const r = runTiltfile(src, opts);
  expect(r.shown).toBeNull();
  return r.output;
}

/** Runs a Tiltfile that must fail; returns the error message. */
function fails(src: string, opts: RunOptions = {}): string {
  const r = runTiltfile(src, opts);
  expect(r.error).not.toBeNull();
  return r.message!;
}

describe('read_file', () => {
  it('returns the contents as a blob and watches the file', () => {
    const r = runTiltfile(
      `
b = read_file('hello.txt')
print(type(b))
print(b)
print(str(b) + '!')
print(b + '?')
`,
      { files: { 'hello.txt': 'hi there' } },
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe('blob\nhi there\nhi there!\nhi there?\n');
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'hello.txt'));
  });

  it('returns the default for a missing file, and still watches it', () => {
    const r = runTiltfile(
      `print(read_file('missing.txt', 'fallback'))\nprint(read_file('missing.txt', default=''))`,
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe('fallback\n\n');
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'missing.txt'));
  });

  it('fails for a missing file without a default', () => {
    const r = runTiltfile(`read_file('missing.txt')`);
    const path = join(r.dir, 'missing.txt');
    expect(r.message).toBe(`read_file: open ${path}: no such file or directory`);
    expect(r.shown).toContain('Error in read_file');
    expect([...r.ctx.configFiles]).toContain(path);
  });

  it('ignores the default when the file exists', () => {
    expect(ok(`print(read_file('a.txt', 'x'))`, { files: { 'a.txt': 'real' } })).toBe('real\n');
  });

  it('fails on a directory', () => {
    const r = runTiltfile(`read_file('sub')`, { files: { 'sub/x': '' } });
    expect(r.message).toBe(`read_file: read ${join(r.dir, 'sub')}: is a directory`);
    expect([...r.ctx.configFiles]).not.toContain(join(r.dir, 'sub'));
  });

  it('resolves paths against the directory of the executing Tiltfile', () => {
    const out = ok(`load('sub/Tiltfile', 'x')\nprint(x)`, {
      files: { 'sub/Tiltfile': `x = str(read_file('data.txt'))`, 'sub/data.txt': 'from sub' },
    });
    expect(out).toBe('from sub\n');
  });

  it('checks the type of default', () => {
    expect(fails(`read_file('a', default=1)`)).toBe(
      'read_file: for parameter default: got int, want string',
    );
  });

  it('reads UTF-8 text', () => {
    expect(
      ok(`s = str(read_file('u.txt'))\nprint(len(s), s)`, { files: { 'u.txt': 'héllo' } }),
    ).toBe('6 héllo\n');
  });
});

describe('watch_file', () => {
  it('records the path, recursively for directories', () => {
    const r = runTiltfile(
      `watch_file('conf')\nwatch_file('missing.txt')\nprint(watch_file('a.txt'))`,
      {
        files: { 'conf/x.yaml': '', 'a.txt': '' },
      },
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe('None\n');
    const w = watchRecords(r.ctx);
    expect(w.paths).toEqual(['conf', 'missing.txt', 'a.txt'].map((p) => join(r.dir, p)));
    expect(w.recursive.has(join(r.dir, 'conf'))).toBe(true);
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'conf'));
  });
});

describe('listdir', () => {
  const files = {
    'd/b.txt': '',
    'd/a.txt': '',
    'd/sub/c.txt': '',
    'd/sub/deeper/e.txt': '',
    'd/z/y.txt': '',
  };

  it('lists the files of a directory, not its subdirectories', () => {
    const r = runTiltfile(`print(listdir('d'))`, { files });
    expect(r.error).toBeNull();
    expect(r.output).toBe(
      `[${['a.txt', 'b.txt'].map((f) => JSON.stringify(join(r.dir, 'd', f))).join(', ')}]\n`,
    );
    expect([...r.ctx.configFiles]).not.toContain(join(r.dir, 'd'));
  });

  it('lists recursively and watches the directory', () => {
    const r = runTiltfile(`for f in listdir('d', recursive=True): print(f)`, { files });
    expect(r.error).toBeNull();
    const expected = ['a.txt', 'b.txt', 'sub/c.txt', 'sub/deeper/e.txt', 'z/y.txt'].map((f) =>
      join(r.dir, 'd', f),
    );
    expect(r.logs).toEqual(expected);
    expect(watchRecords(r.ctx).recursive.has(join(r.dir, 'd'))).toBe(true);
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'd'));
  });

  it('lists nothing for a missing directory or a file', () => {
    expect(ok(`print(listdir('nope'), listdir('f.txt'))`, { files: { 'f.txt': '' } })).toBe(
      '[] []\n',
    );
  });

  it('counts symlinks as files', () => {
    const r = runTiltfile(`print([f.split('/')[-1] for f in listdir('d')])`, {
      files: { 'd/a.txt': '', 'other/x': '' },
      symlinks: { 'd/link': '../other' },
    });
    expect(r.output).toBe('["a.txt", "link"]\n');
  });
});

describe('blob', () => {
  it('wraps a string', () => {
    expect(ok(`b = blob('abc')\nprint(type(b), b, len(str(b)), bool(blob('')))`)).toBe(
      'blob abc 3 False\n',
    );
  });

  it('wants a string', () => {
    expect(fails(`blob(1)`)).toBe('blob: for parameter input: got int, want string');
  });
});

describe('read_json and decode_json', () => {
  it('reads a JSON file', () => {
    const r = runTiltfile(
      `
result = read_json("options.json")
expected = {'key1': 'foo', 'key2': {'key3': 'bar', 'key4': True}, 'key5': 3}
print(result == expected)
print(result)
`,
      {
        files: {
          'options.json': `{\n  "key1": "foo",\n  "key2": {\n    "key3": "bar",\n    "key4": true\n  },\n  "key5": 3\n}\n`,
        },
      },
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe(
      'True\n{"key1": "foo", "key2": {"key3": "bar", "key4": True}, "key5": 3}\n',
    );
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'options.json'));
  });

  it('returns the default for a missing file', () => {
    const r = runTiltfile(`print(read_json('dne.json', {'a': 1}))`);
    expect(r.output).toBe('{"a": 1}\n');
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'dne.json'));
  });

  it('fails for a missing file without a default', () => {
    const r = runTiltfile(`read_json('dne.json')`);
    expect(r.message).toBe(`read_json: open ${join(r.dir, 'dne.json')}: no such file or directory`);
  });

  it('names the file in syntax errors', () => {
    const r = runTiltfile(`read_json("options.json")`, {
      files: { 'options.json': `["foo", {"baz":["bar", "", 1, 2]}` },
    });
    expect(r.message).toBe('error parsing JSON from options.json: unexpected end of JSON input');
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'options.json'));
  });

  it('decodes strings and blobs', () => {
    const src = `[\\"foo\\", {\\"baz\\": [\\"bar\\", \\"\\", 1, 2]}]`;
    expect(ok(`print(decode_json("${src}"))\nprint(decode_json(blob("${src}")))`)).toBe(
      '["foo", {"baz": ["bar", "", 1, 2]}]\n'.repeat(2),
    );
  });

  it('keeps ints apart from floats, and big ints exact', () => {
    expect(
      ok(
        `v = decode_json('[1, -0, 1.5, 1e3, 2.0, 12345678901234567890123, -9007199254740993]')\nprint(v)\nprint([type(x) for x in v])`,
      ),
    ).toBe(
      '[1, 0, 1.5, 1000.0, 2.0, 12345678901234567890123, -9007199254740993]\n' +
        '["int", "int", "float", "float", "float", "int", "int"]\n',
    );
  });

  it('keeps key order, and the last of duplicate keys', () => {
    expect(ok(`print(decode_json('{"b": 1, "a": 2, "c": {"z": 1, "y": 2}, "b": 3}'))`)).toBe(
      '{"b": 3, "a": 2, "c": {"z": 1, "y": 2}}\n',
    );
  });

  it('decodes escapes and unicode', () => {
    expect(ok(`s = decode_json('"a\\\\n\\\\u00e9\\\\ud83d\\\\ude00\\\\t"')\nprint(repr(s))`)).toBe(
      '"a\\né😀\\t"\n',
    );
    expect(ok(`print(decode_json('"h\\u00e9"'))`)).toBe('hé\n');
    expect(
      ok(`print(decode_json(' null '), decode_json('true'), decode_json('[]'), decode_json('{}'))`),
    ).toBe('None True [] {}\n');
  });

  it.each([
    ['', 'unexpected end of JSON input'],
    ['   ', 'unexpected end of JSON input'],
    ['{', 'unexpected end of JSON input'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a": 1 "b": 2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['{1: 2}', "invalid character '1' looking for beginning of object key string"],
    ['1 2', "invalid character '2' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['-', "invalid character ' ' in numeric literal"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['trUe', "invalid character 'U' in literal true (expecting 'u')"],
    ['nul', "invalid character ' ' in literal null (expecting 'l')"],
    ['[1', 'unexpected end of JSON input'],
    ['"abc', 'unexpected end of JSON input'],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
  ])('reports Go syntax errors: %j', (json, msg) => {
    const r = runTiltfile(`decode_json(${JSON.stringify(json)})`);
    expect(r.message).toBe(`error parsing JSON: ${msg}`);
  });

  it('wants a string or blob', () => {
    expect(fails(`decode_json(1)`)).toBe('decode_json: for parameter json: got int, want string');
  });
});

describe('encode_json', () => {
  it('writes indented JSON with a final newline', () => {
    const out = ok(`
expected = '''[
  "foo",
  {
    "baz": [
      "bar",
      "",
      1,
      2
    ]
  }
]
'''
observed = encode_json(["foo", {"baz": ["bar", "", 1, 2]}])
print(type(observed))
print(expected == observed)
`);
    expect(out).toBe('string\nTrue\n');
  });

  it('writes scalars, empty containers, floats and escapes as Go does', () => {
    const r = runTiltfile(
      `print(encode_json({"b": [], "a": {}, "n": None, "t": True, "f": 3.0, "g": 1.5, "h": 1e21, "i": 1e-7, "j": -0.0, "big": 1180591620717411303424, "s": "<a&b>\\u2028\\x01\\"\\\\"}))`,
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe(
      '{\n  "b": [],\n  "a": {},\n  "n": null,\n  "t": true,\n  "f": 3,\n  "g": 1.5,\n  "h": 1e+21,\n  "i": 1e-7,\n  "j": -0,\n  "big": 1180591620717411303424,\n  "s": "\\u003ca\\u0026b\\u003e\\u2028\\u0001\\"\\\\"\n}\n\n',
    );
  });

  it('fails on non-string keys', () => {
    expect(fails(`encode_json({1: 'hello'})`)).toBe(
      "error converting object from starlark: only string keys are supported in maps. found key '1' of type int64",
    );
    expect(fails(`encode_json({"a": {None: 1}})`)).toBe(
      "error converting object from starlark: only string keys are supported in maps. found key 'None' of type <nil>",
    );
  });

  it('fails on values JSON cannot hold', () => {
    expect(fails(`encode_json(blob('hello'))`)).toBe(
      'error converting object from starlark: unable to convert from starlark value, unsupported type io.Blob',
    );
    expect(fails(`encode_json([(1, 2)])`)).toContain('unsupported type starlark.Tuple');
    expect(fails(`encode_json(struct(a=1))`)).toContain('unsupported type *starlarkstruct.Struct');
    expect(fails(`encode_json(float('nan'))`)).toBe(
      'error serializing object to json: json: unsupported value: NaN',
    );
    expect(fails(`x = []\nx.append(x)\nencode_json(x)`)).toContain('cycle');
  });

  it('round-trips through decode_json', () => {
    expect(
      ok(
        `v = {"a": [1, 2.5, "x", None, True, {"b": []}], "big": -1208925819614629174706176}\nprint(decode_json(encode_json(v)) == v)`,
      ),
    ).toBe('True\n');
  });
});

const yamlStream = `- foo
- baz:
  - bar
  - ""
  - 1
  - 2
---
quu:
- qux
- a:
  - 3
`;

const yamlStreamAsStarlark = `[["foo", {"baz": ["bar", "", 1, 2]}], {"quu": ["qux", {"a": [3]}]}]`;

describe('YAML decoding', () => {
  it('reads a YAML file and watches it', () => {
    const r = runTiltfile(
      `
observed = read_yaml("options.yaml")
expected = {'key1': 'foo', 'key2': {'key3': 'bar', 'key4': True}, 'key5': 3}
print(observed == expected, observed)
`,
      {
        files: { 'options.yaml': `\nkey1: foo\nkey2:\n    key3: "bar"\n    key4: true\nkey5: 3\n` },
      },
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe(
      'True {"key1": "foo", "key2": {"key3": "bar", "key4": True}, "key5": 3}\n',
    );
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'options.yaml'));
  });

  it('returns defaults for missing files', () => {
    const r = runTiltfile(
      `print(read_yaml("dne.yaml", "hello"))\nprint(read_yaml_stream("dne.yaml", ["hello", "goodbye"]))`,
    );
    expect(r.output).toBe('hello\n["hello", "goodbye"]\n');
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'dne.yaml'));
  });

  it('fails for missing files without a default', () => {
    const r = runTiltfile(`read_yaml("dne.yaml")`);
    expect(r.message).toBe(`read_yaml: open ${join(r.dir, 'dne.yaml')}: no such file or directory`);
    expect(fails(`read_yaml_stream("dne.yaml", "x")`)).toBe(
      'read_yaml_stream: for parameter default: got string, want list',
    );
  });

  it('names the file in syntax errors', () => {
    const r = runTiltfile(`read_yaml("options.yaml")`, {
      files: { 'options.yaml': `\nkey1: foo\nkey2:\n    key3: "bar\n    key4: true\nkey5: 3\n` },
    });
    expect(r.message).toBe(
      'error parsing YAML from options.yaml: error converting YAML to JSON: yaml: line 7: found unexpected end of stream',
    );
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'options.yaml'));
  });

  it('reports other syntax errors with their line', () => {
    expect(fails(`decode_yaml('a: b\\nkey: value: x\\n')`)).toBe(
      'error parsing YAML: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context',
    );
    expect(fails(`decode_yaml('a: *nope\\n')`)).toBe(
      "error parsing YAML: error converting YAML to JSON: yaml: unknown anchor 'nope' referenced",
    );
  });

  it('decodes documents from strings and blobs', () => {
    const d = `'- "foo"\\n- baz:\\n  - "bar"\\n  - ""\\n  - 1\\n  - 2'`;
    expect(ok(`print(decode_yaml(${d}))\nprint(decode_yaml(blob(${d})))`)).toBe(
      '["foo", {"baz": ["bar", "", 1, 2]}]\n'.repeat(2),
    );
  });

  it('decodes an empty document as None', () => {
    expect(
      ok(`print(decode_yaml(''), decode_yaml('# only a comment\\n'), decode_yaml('---\\n'))`),
    ).toBe('None None None\n');
  });

  it('reads and decodes streams, skipping empty documents', () => {
    const r = runTiltfile(
      `
expected = ${yamlStreamAsStarlark}
print(read_yaml_stream('test.yaml') == expected)
print(decode_yaml_stream('''${yamlStream}''') == expected)
print(decode_yaml_stream('---\\n---\\na: 1\\n---\\nnull\\n---\\n'))
print(decode_yaml_stream(''))
`,
      { files: { 'test.yaml': yamlStream } },
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe('True\nTrue\n[{"a": 1}]\n[]\n');
  });

  it('refuses a stream where one document is expected', () => {
    const msg =
      'expected a yaml document but found a yaml stream (documents separated by `---`). use decode_yaml_stream instead to decode a yaml stream';
    expect(fails(`decode_yaml('''${yamlStream}''')`)).toBe(msg);
    expect(fails(`read_yaml('test.yaml')`, { files: { 'test.yaml': yamlStream } })).toBe(msg);
  });

  it('resolves scalars as YAML 1.1 (as Kubernetes does)', () => {
    const out = ok(
      `
v = decode_yaml('''
bools: [yes, No, on, OFF, y, n, true, False]
nulls: [~, null, ]
ints: [0777, 0x1F, 0o17, 0b101, -12, +3, 1_000, 123456789012345678901234567890]
floats: [1.5, .5, -2.25e3, 1e400000000, 1.0, 1e3]
strings: ['yes', "1", 1.2.3, 2001-12-14, 0x1G, ".inf"]
''')
for k, xs in v.items():
    print(k, xs, [type(x) for x in xs])
`.replace('1e400000000, ', ''),
    );
    expect(out).toBe(
      'bools [True, False, True, False, True, False, True, False] ["bool", "bool", "bool", "bool", "bool", "bool", "bool", "bool"]\n' +
        'nulls [None, None] ["NoneType", "NoneType"]\n' +
        'ints [511, 31, 15, 5, -12, 3, 1000, 123456789012345678901234567890] ["int", "int", "int", "int", "int", "int", "int", "int"]\n' +
        'floats [1.5, 0.5, -2250, 1, 1000] ["float", "float", "int", "int", "int"]\n' +
        'strings ["yes", "1", "1.2.3", "2001-12-14", "0x1G", ".inf"] ["string", "string", "string", "string", "string", "string"]\n',
    );
  });

  it('writes map keys as strings and keeps their order', () => {
    expect(ok(`print(decode_yaml('z: 1\\n1: a\\ntrue: b\\n1.5: c\\nyes: d\\n"q": e\\n'))`)).toBe(
      '{"z": 1, "1": "a", "true": "d", "1.5": "c", "q": "e"}\n',
    );
    expect(fails(`decode_yaml('~: 1\\n')`)).toContain('Unsupported map key of type: <nil>');
  });

  it('reads the keys y and n as booleans, as Kubernetes does', () => {
    expect(ok(`print(decode_yaml('y: 1\\nn: 2\\n"y": 3\\n'))`)).toBe(
      '{"true": 1, "false": 2, "y": 3}\n',
    );
    expect(ok(`print(encode_yaml({'y': 'n'}))`)).toBe('"y": "n"\n\n');
  });

  it('follows anchors, aliases and merge keys', () => {
    const out = ok(`
v = decode_yaml('''
base: &b {x: 1, q: 2}
other: &o {z: 3}
ref: *b
merged:
  <<: *b
  q: 20
multi:
  <<: [*b, *o]
  w: 0
''')
print(v['ref'])
print(v['merged'])
print(v['multi'])
`);
    expect(out).toBe('{"x": 1, "q": 2}\n{"x": 1, "q": 20}\n{"x": 1, "q": 2, "z": 3, "w": 0}\n');
  });

  it('keeps block scalars and quoted strings as strings', () => {
    expect(
      ok(
        `v = decode_yaml('a: |\\n  one\\n  two\\nb: >-\\n  x\\n  y\\nc: !!str 12\\n')\nprint(repr(v))`,
      ),
    ).toBe('{"a": "one\\ntwo\\n", "b": "x y", "c": "12"}\n');
    expect(ok(`print(decode_yaml('a: !!int "3"\\nb: !custom 5\\nc: ! 7\\n'))`)).toBe(
      '{"a": 3, "b": "5", "c": "7"}\n',
    );
  });

  it('fails on NaN and infinities (they have no JSON form)', () => {
    expect(fails(`decode_yaml('a: .nan')`)).toBe(
      'error parsing YAML: error converting YAML to JSON: json: unsupported value: NaN',
    );
  });
});

describe('YAML encoding', () => {
  it('writes block style with unindented lists', () => {
    const out = ok(`
expected = '''key1: foo
key2:
  key3: bar
  key4: true
key5: 3
key6:
- foo
- 7
'''
observed = encode_yaml({'key1': 'foo', 'key2': {'key3': 'bar', 'key4': True}, 'key5': 3, 'key6': ['foo', 7]})
print(type(observed))
print(str(observed) == expected)
`);
    expect(out).toBe('blob\nTrue\n');
  });

  it('writes streams separated by ---', () => {
    const out = ok(`
expected = '''${yamlStream}'''
observed = encode_yaml_stream(${yamlStreamAsStarlark})
print(type(observed), str(observed) == expected)
print(repr(str(encode_yaml_stream([]))))
`);
    expect(out).toBe('blob True\n""\n');
  });

  it('nests maps and lists', () => {
    const r = runTiltfile(
      `print(encode_yaml([{'a': 1, 'b': [1, [2, 3], {}]}, [], [[{'x': {'w': 'z'}}]], None]))`,
    );
    expect(r.output).toBe(
      '- a: 1\n  b:\n  - 1\n  - - 2\n    - 3\n  - {}\n- []\n- - - x:\n        w: z\n- null\n\n',
    );
  });

  it('keeps key order', () => {
    expect(ok(`print(encode_yaml({'z': 1, 'a': 2, 'm': {'x': 1, 'b': 2}}))`)).toBe(
      'z: 1\na: 2\nm:\n  x: 1\n  b: 2\n\n',
    );
  });

  it('quotes strings only when they would read back differently', () => {
    const r = runTiltfile(
      `print(encode_yaml(["plain text", "", "yes", "No", "1", "1.5", "0x10", "1e3", "~", "null", "2001-12-14", "1:20", "<<",
        "a: b", "a:b", "-", "- a", "-a", "#x", "a #b", "a#b", "[x]", "x, y", "it's", "*ref", " lead", "trail ", "tab\\there",
        "http://example.com:8080/x", "émoji 😀", "quote\\"d", "back\\\\slash", "1.2.3"]))`,
    );
    expect(r.error).toBeNull();
    expect(r.output).toBe(
      [
        '- plain text',
        '- ""',
        '- "yes"',
        '- "No"',
        '- "1"',
        '- "1.5"',
        '- "0x10"',
        '- "1e3"',
        '- "~"',
        '- "null"',
        '- "2001-12-14"',
        '- "1:20"',
        '- "<<"',
        "- 'a: b'",
        '- a:b',
        "- '-'",
        "- '- a'",
        '- -a',
        "- '#x'",
        "- 'a #b'",
        '- a#b',
        "- '[x]'",
        '- x, y',
        "- it's",
        "- '*ref'",
        "- ' lead'",
        "- 'trail '",
        '- "tab\\there"',
        '- http://example.com:8080/x',
        '- "émoji \\U0001F600"',
        '- quote"d',
        '- back\\slash',
        '- 1.2.3',
        '',
        '',
      ].join('\n'),
    );
  });

  it('writes other strings as libyaml does', () => {
    expect(
      ok(
        `print(encode_yaml({' ': 'é', 'a\\nb': '\\x7f', 'k': '---', 'e': '?x', 'z': 'a:', 'w': '\\ufeff'}))`,
      ),
    ).toBe('\' \': é\n"a\\nb": "\\x7F"\nk: \'---\'\ne: ?x\nz: \'a:\'\nw: "\\uFEFF"\n\n');
  });

  it('writes multi-line strings as literal blocks', () => {
    const r = runTiltfile(
      `print(encode_yaml({'a': 'one\\ntwo\\n', 'b': 'x\\ny', 'c': ['l1\\n\\nl3\\n'], 'd': {'e': ' lead\\n'}, 'f': 'k\\n\\n', 'g': 'sp \\nx'}))`,
    );
    expect(r.output).toBe(
      'a: |\n  one\n  two\nb: |-\n  x\n  y\nc:\n- |\n  l1\n\n  l3\nd:\n  e: |2\n     lead\nf: |+\n  k\n\ng: "sp \\nx"\n\n',
    );
    expect(ok(`print(repr(str(encode_yaml('a\\nb'))))`)).toBe('"|-\\n  a\\n  b\\n"\n');
  });

  it('writes numbers as Tilt does (through JSON)', () => {
    expect(
      ok(
        `print(encode_yaml([1, -2, 3.0, 1.5, 1e21, 1e20, 1e-7, 1234567.5, 0.0001, 18446744073709551615, True, False, None]))`,
      ),
    ).toBe(
      '- 1\n- -2\n- 3\n- 1.5\n- 1e+21\n- 1e+20\n- 1e-07\n- 1.2345675e+06\n- 0.0001\n- 18446744073709551615\n- true\n- false\n- null\n\n',
    );
  });

  it('writes top-level scalars and empty collections', () => {
    expect(ok(`print(repr([str(encode_yaml(x)) for x in ['s', 1, None, {}, [], 'yes']]))`)).toBe(
      '["s\\n", "1\\n", "null\\n", "{}\\n", "[]\\n", "\\"yes\\"\\n"]\n',
    );
  });

  it('fails like encode_json on values it cannot convert', () => {
    expect(fails(`encode_yaml({1: 'hello'})`)).toBe(
      "error converting object from starlark: only string keys are supported in maps. found key '1' of type int64",
    );
    expect(fails(`encode_yaml(blob('hello'))`)).toContain('unsupported type io.Blob');
    expect(fails(`encode_yaml({'a': float('inf')})`)).toBe(
      'error serializing object to yaml: error marshaling into JSON: json: unsupported value: +Inf',
    );
    expect(fails(`encode_yaml_stream(({},))`)).toBe(
      'encode_yaml_stream: for parameter objs: got tuple, want list',
    );
  });

  it('round-trips through decode_yaml', () => {
    const out = ok(`
v = {"s": ["yes", "1", "", "a: b", "x\\ny", " lead", "é", "tab\\t", "0777"], "n": [1, -1, 2.5, None, True], "m": {"k k": {"z": []}}, "keys": {"1": 1, "true": 2, "": 3}}
print(decode_yaml(encode_yaml(v)) == v)
print(decode_yaml_stream(encode_yaml_stream([v, [1], "x"])) == [v, [1], "x"])
`);
    expect(out).toBe('True\nTrue\n');
  });
});

describe('local_git_repo', () => {
  it('makes paths under the repository', () => {
    const r = runTiltfile(
      `repo = local_git_repo('.')\nprint(repo.paths('.git/index'))\nprint(repo.paths('a/../b'))\nprint(type(repo), repo)`,
      { files: { '.git/index': 'HEAD' } },
    );
    expect(r.error).toBeNull();
    expect(r.logs).toEqual([
      join(r.dir, '.git/index'),
      join(r.dir, 'b'),
      `git.Repo [git.Repo] '${r.dir}'`,
    ]);
  });

  it('fails without a .git directory', () => {
    const r = runTiltfile(`local_git_repo('.')`);
    expect(r.message).toBe(`${r.dir} isn't a valid git repo: it doesn't have a .git/ directory`);
    const r2 = runTiltfile(`local_git_repo('nope')`);
    expect(r2.message).toBe(
      `Reading paths ${join(r2.dir, 'nope')}: stat ${join(r2.dir, 'nope')}: no such file or directory`,
    );
  });

  it('has only .paths', () => {
    const r = runTiltfile(`local_git_repo('.').asdf()`, { files: { '.git/index': 'HEAD' } });
    expect(r.shown).toContain('Tiltfile:1:20: in <toplevel>');
    expect(r.shown).toContain('Error: git.Repo has no .asdf field or method');
  });
});
