import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configState,
  enabledResources,
  selectResources,
} from '../../src/tiltfile/builtins/config.js';
import { usageText } from '../../src/tiltfile/builtins/config-settings.js';
import { removeProjects, runTiltfile, type RunOptions } from './helpers.js';

afterEach(removeProjects);

function ok(src: string, opts: RunOptions = {}) {
  const r = runTiltfile(src, opts);
  expect(r.shown).toBeNull();
  return r;
}

function fails(src: string, opts: RunOptions = {}): string {
  const r = runTiltfile(src, opts);
  expect(r.error).not.toBeNull();
  return r.message!;
}

const words = (s: string) => s.split(' ');

describe('config.parse', () => {
  it('gives positional args to the args=True setting', () => {
    const args = words('united states canada mexico panama haiti jamaica peru');
    const r = ok(
      `config.define_string_list('foo', args=True)\ncfg = config.parse()\nprint(cfg['foo'])`,
      {
        args,
      },
    );
    expect(r.output).toBe(`${JSON.stringify(args).replace(/,/g, ', ')}\n`);
  });

  it('collects repeated --flag values', () => {
    const foo = words('republic dominican cuba caribbean greenland el salvador too');
    const r = ok(`config.define_string_list('foo')\ncfg = config.parse()\nprint(cfg['foo'])`, {
      args: foo.flatMap((s) => ['--foo', s]),
    });
    expect(r.output).toBe(`${JSON.stringify(foo).replace(/,/g, ', ')}\n`);
  });

  it('mixes flags and positional args', () => {
    const r = ok(
      `
config.define_string_list('foo', args=True)
config.define_string_list('bar')
config.define_string_list('baz')
cfg = config.parse()
print("foo:", cfg['foo'])
print("bar:", cfg['bar'])
print("baz:", cfg['baz'])
`,
      {
        args: [
          '--bar',
          'puerto rico',
          '--baz',
          'colombia',
          '--bar',
          'venezuela',
          '--baz',
          'honduras',
          '--baz',
          'guyana',
          'and',
          'still',
        ],
      },
    );
    expect(r.output).toBe(
      'foo: ["and", "still"]\nbar: ["puerto rico", "venezuela"]\nbaz: ["colombia", "honduras", "guyana"]\n',
    );
  });

  it('takes flags before positional args', () => {
    const r = ok(
      `config.define_string_list('foo', args=True)\nconfig.define_string('bar')\ncfg = config.parse()\nprint("foo:", cfg['foo'])\nprint("bar:", cfg['bar'])`,
      { args: ['--bar', 'puerto rico', 'colombia'] },
    );
    expect(r.output).toBe('foo: ["colombia"]\nbar: puerto rico\n');
  });

  it('takes --name=value and treats everything after -- as positional', () => {
    const r = ok(
      `
config.define_string('s')
config.define_bool('b')
config.define_bool('c')
config.define_string_list('rest', args=True)
cfg = config.parse()
print(cfg)
`,
      { args: ['--s=a=b', '--b=false', '--c', '--', '--not-a-flag', 'x'] },
    );
    expect(r.output).toBe('{"s": "a=b", "b": False, "c": True, "rest": ["--not-a-flag", "x"]}\n');
  });

  it('returns only the settings that were given', () => {
    const r = ok(
      `config.define_string_list('foo')\ncfg = config.parse()\nprint(cfg, cfg.get('foo', ['d']))`,
    );
    expect(r.output).toBe('{} ["d"]\n');
    expect(
      fails(`config.define_string_list('foo', args=True)\ncfg = config.parse()\nprint(cfg['foo'])`),
    ).toBe('key "foo" not in dict');
  });

  it('refuses two positional settings and duplicate names', () => {
    expect(
      fails(
        `config.define_string_list('foo', args=True)\nconfig.define_string_list('bar', args=True)`,
      ),
    ).toBe('both bar and foo are defined as positional args');
    expect(fails(`config.define_string_list('foo')\nconfig.define_string('foo')`)).toBe(
      'foo defined multiple times',
    );
    expect(fails(`config.define_bool('')`)).toBe("'name' is required");
  });

  it('refuses unknown flags and prints usage', () => {
    const r = runTiltfile(
      `config.define_string_list('foo', usage='what can I foo for you today?')\nconfig.define_bool('verbose', usage='talk more')\nconfig.define_object('obj')\nconfig.define_string('pos', args=True)\nconfig.parse()`,
      { args: ['--bar', 'hello'] },
    );
    expect(r.message).toBe('unknown flag: --bar');
    expect(r.output).toBe(
      'Usage:\n' +
        '      --foo list[string]   what can I foo for you today?\n' +
        '      --obj object          (default None)\n' +
        '      --verbose            talk more\n',
    );
  });

  it.each([
    [['-bar'], "unknown shorthand flag: 'b' in -bar"],
    [['--foo'], 'flag needs an argument: --foo'],
    [['---foo'], 'bad flag syntax: ---foo'],
    [['--help'], 'pflag: help requested'],
    [
      ['--flag=maybe'],
      'invalid argument "maybe" for "--flag" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    ],
  ])('reports flag errors: %j', (args, msg) => {
    expect(
      fails(`config.define_string('foo')\nconfig.define_bool('flag')\nconfig.parse()`, { args }),
    ).toBe(msg);
  });

  it('refuses positional args when no setting takes them', () => {
    expect(fails(`cfg = config.parse()`, { args: ['do', 're', 'mi'] })).toBe(
      'positional args were specified, but none were expected (no setting defined with args=True)',
    );
  });

  it('records tilt_config.json as a config file, even when missing', () => {
    const r = ok(`cfg = config.parse()`);
    expect([...r.ctx.configFiles]).toContain(join(r.dir, 'tilt_config.json'));
  });

  it('refuses definitions after parse, and parse from another directory', () => {
    expect(fails(`cfg = config.parse()\nconfig.define_string_list('foo')`)).toBe(
      'config.define_string_list cannot be called after config.parse is called',
    );
    const r = runTiltfile(
      `config.define_string_list('foo')\ncfg = config.parse()\ninclude('inc/Tiltfile')`,
      {
        files: { 'inc/Tiltfile': 'cfg = config.parse()' },
      },
    );
    expect(r.message).toBe(
      `config.parse can only be called from one Tiltfile working directory per run. It was called from ${r.dir} and ${join(r.dir, 'inc')}`,
    );
  });

  it('may be called twice from the same directory', () => {
    const r = ok(`config.define_string('s')\nprint(config.parse() == config.parse())`, {
      args: ['--s', 'x'],
    });
    expect(r.output).toBe('True\n');
  });
});

describe('tilt_config.json', () => {
  const tiltfile = `
config.define_string_list('a')
config.define_string_list('b')
config.define_string_list('c', args=True)
cfg = config.parse()
print("a=", cfg.get('a', 'missing'))
print("b=", cfg.get('b', 'missing'))
print("c=", cfg.get('c', 'missing'))
`;

  it.each([
    [
      'args only',
      ['--a', '1', '--a', '2', '--b', '3', '--a', '4', '5', '6'],
      undefined,
      ['["1", "2", "4"]', '["3"]', '["5", "6"]'],
    ],
    ['config only', [], { b: ['7', '8'], c: ['9'] }, ['missing', '["7", "8"]', '["9"]']],
    [
      'args trump config',
      ['--a', '1', '--a', '2', '--a', '4', '5', '6'],
      { b: ['7', '8'], c: ['9'] },
      ['["1", "2", "4"]', '["7", "8"]', '["5", "6"]'],
    ],
  ])('merges %s', (_name, args, config, [a, b, c]) => {
    const files: Record<string, string> = config
      ? { 'tilt_config.json': JSON.stringify(config) }
      : {};
    const r = ok(tiltfile, { args, files });
    expect(r.output).toBe(`a= ${a}\nb= ${b}\nc= ${c}\n`);
  });

  it('refuses unknown settings and wrong types', () => {
    const r = runTiltfile(`config.define_string_list('foo')\ncfg = config.parse()`, {
      files: { 'tilt_config.json': '{"bar": "1"}' },
    });
    expect(r.message).toBe(
      `${join(r.dir, 'tilt_config.json')} specified unknown setting name 'bar'`,
    );
    const r2 = runTiltfile(`config.define_string_list('foo')\ncfg = config.parse()`, {
      files: { 'tilt_config.json': '{"foo": "1"}' },
    });
    expect(r2.message).toBe(
      `${join(r2.dir, 'tilt_config.json')} specified invalid value for setting foo: expected array`,
    );
  });

  it('reports JSON syntax errors', () => {
    const r = runTiltfile(`cfg = config.parse()`, { files: { 'tilt_config.json': '{"a": ' } });
    expect(r.message).toBe(
      `error parsing json from ${join(r.dir, 'tilt_config.json')}: unexpected end of JSON input`,
    );
  });

  it('is read from the directory of the Tiltfile that calls parse', () => {
    const r = ok(`load('sub/Tiltfile', 'cfg')\nprint(cfg)`, {
      files: {
        'sub/Tiltfile': `config.define_string('x')\ncfg = config.parse()`,
        'sub/tilt_config.json': '{"x": "from sub"}',
        'tilt_config.json': '{"y": "ignored"}',
      },
    });
    expect(r.output).toBe('{"x": "from sub"}\n');
  });

  it('treats null as the zero value', () => {
    const r = ok(
      `config.define_string('s')\nconfig.define_string_list('l')\nconfig.define_bool('b')\nconfig.define_object('o')\nprint(config.parse())`,
      { files: { 'tilt_config.json': '{"s": null, "l": null, "b": null, "o": null}' } },
    );
    expect(r.output).toBe('{"s": "", "l": [], "b": False, "o": None}\n');
  });
});

describe('setting types', () => {
  it.each([
    [
      'string_list from args',
      `config.define_string_list('foo')`,
      ['--foo', '1', '--foo', '2'],
      undefined,
      `['1', '2']`,
    ],
    [
      'string_list from config',
      `config.define_string_list('foo')`,
      [],
      '{"foo": ["1", "2"]}',
      `['1', '2']`,
    ],
    ['string from args', `config.define_string('foo')`, ['--foo', 'bar'], undefined, `'bar'`],
    ['string from config', `config.define_string('foo')`, [], '{"foo": "bar"}', `'bar'`],
    ['bool from args', `config.define_bool('foo')`, ['--foo'], undefined, 'True'],
    ['bool from args with value', `config.define_bool('foo')`, ['--foo=False'], undefined, 'False'],
    ['bool from config', `config.define_bool('foo')`, [], '{"foo": true}', 'True'],
    [
      'object from args',
      `config.define_object('foo')`,
      ['--foo', '{"a": [1, 2.5]}'],
      undefined,
      `{'a': [1, 2.5]}`,
    ],
    [
      'object from config',
      `config.define_object('foo')`,
      [],
      '{"foo": {"a": [1, "x"]}}',
      `{'a': [1, 'x']}`,
    ],
    ['positional string', `config.define_string('foo', args=True)`, ['bar'], undefined, `'bar'`],
  ])('%s', (_name, define, args, config, expected) => {
    const files: Record<string, string> = config ? { 'tilt_config.json': config } : {};
    const r = ok(
      `${define}\ncfg = config.parse()\nprint(cfg['foo'] == ${expected}, type(cfg['foo']))`,
      {
        args,
        files,
      },
    );
    expect(r.logs[0].startsWith('True ')).toBe(true);
  });

  it.each([
    [
      'invalid string_list from config',
      `config.define_string_list('foo')`,
      [],
      '{"foo": [1, 2]}',
      'expected string, got float64',
    ],
    [
      'string given twice',
      `config.define_string('foo')`,
      ['--foo', 'bar', '--foo', 'baz'],
      undefined,
      'invalid argument "baz" for "--foo" flag: string settings can only be specified once. multiple values found (last value: baz',
    ],
    [
      'invalid string from config',
      `config.define_string('foo')`,
      [],
      '{"foo": 5}',
      'expected string, found float64',
    ],
    [
      'bool given twice',
      `config.define_bool('foo')`,
      ['--foo', '--foo'],
      undefined,
      'invalid argument "true" for "--foo" flag: bool settings can only be specified once. multiple values found (last value: true)',
    ],
    [
      'invalid bool from config',
      `config.define_bool('foo')`,
      [],
      '{"foo": 5}',
      'expected bool, found float64',
    ],
    [
      'invalid object from args',
      `config.define_object('foo')`,
      ['--foo', '{'],
      undefined,
      'invalid argument "{" for "--foo" flag: decoding JSON, got "{": unexpected end of JSON input',
    ],
    [
      'object given twice',
      `config.define_object('foo')`,
      ['--foo', '1', '--foo', '2'],
      undefined,
      'invalid argument "2" for "--foo" flag: object settings can only be specified once. multiple values found (last value: 1)',
    ],
    [
      'positional string twice',
      `config.define_string('foo', args=True)`,
      ['a', 'b'],
      undefined,
      'error setting positional arg foo: string settings can only be specified once. multiple values found (last value: b',
    ],
  ])('%s fails', (_name, define, args, config, msg) => {
    const files: Record<string, string> = config ? { 'tilt_config.json': config } : {};
    const message = fails(`${define}\ncfg = config.parse()`, { args, files });
    expect(message).toContain(msg);
  });
});

describe('enabled resources', () => {
  const cases: [string, boolean, string[], string[] | undefined, string[] | undefined][] = [
    ['neither', false, [], undefined, undefined],
    ['neither, with config.parse', true, [], undefined, undefined],
    ['args only', false, ['a'], undefined, ['a']],
    ['args only, with config.parse', true, ['a'], undefined, undefined],
    ['tiltfile only', false, [], ['b'], ['b']],
    ['tiltfile only, with config.parse', true, [], ['b'], ['b']],
    ['both', false, ['a'], ['b'], ['b']],
    ['both, with config.parse', true, ['a'], ['b'], ['b']],
  ];
  it.each(cases)('%s', (_name, parse, args, set, expected) => {
    const setLine = set ? `config.set_enabled_resources(${JSON.stringify(set)})` : '';
    const parseLine = parse
      ? `config.define_string_list('resources', args=True)\nconfig.parse()`
      : '';
    const r = ok(`${setLine}\n${parseLine}\n`, { args });
    expect(enabledResources(r.ctx)).toEqual(expected);
    expect(configState(r.ctx).parseCalled).toBe(parse);
  });

  it('follows the default Tilt behavior with config.parse', () => {
    const r = ok(
      `config.define_string_list('resources', usage='which resources to load in Tilt', args=True)\nconfig.set_enabled_resources(config.parse()['resources'])`,
      { args: ['foo', 'bar'] },
    );
    expect(enabledResources(r.ctx)).toEqual(['foo', 'bar']);
  });

  it('treats an empty list as all resources, and clear as none', () => {
    expect(
      enabledResources(ok(`config.set_enabled_resources([])`, { args: ['a'] }).ctx),
    ).toBeUndefined();
    expect(enabledResources(ok(`config.clear_enabled_resources()`, { args: ['a'] }).ctx)).toEqual(
      [],
    );
    const r = ok(`config.clear_enabled_resources()\nconfig.set_enabled_resources(['x'])`);
    expect(enabledResources(r.ctx)).toEqual(['x']);
  });

  it('wants a list of strings', () => {
    expect(fails(`config.set_enabled_resources('a')`)).toBe(
      'config.set_enabled_resources: for parameter resources: got string, want list of strings',
    );
    expect(fails(`config.set_enabled_resources([1])`)).toBe(
      'config.set_enabled_resources: for parameter resources: got int in list, want string',
    );
  });

  it('selects resources with their dependencies', () => {
    const all = [
      { name: 'a', resourceDeps: ['c'] },
      { name: 'b', resourceDeps: [] },
      { name: 'c', resourceDeps: ['d'] },
      { name: 'd', resourceDeps: [] },
    ];
    expect(selectResources(undefined, all)).toEqual(['a', 'b', 'c', 'd']);
    expect(selectResources(['a'], all)).toEqual(['a', 'c', 'd']);
    expect(selectResources(['b', 'd'], all)).toEqual(['b', 'd']);
    expect(selectResources([], all)).toEqual([]);
    expect(() => selectResources(['x', 'a'], all)).toThrow(
      'You specified some resources that could not be found: "x"\nIs this a typo? Existing resources in Tiltfile: "b", "c", "d"',
    );
  });
});

describe('config values', () => {
  it('exposes the subcommand and the main Tiltfile', () => {
    const r = ok(`load('sub/Tiltfile', 'x')\nprint(config.tilt_subcommand)\nprint(x)`, {
      subcommand: 'alpha tiltfile-result',
      files: { 'sub/Tiltfile': 'x = [config.main_path, config.main_dir]' },
    });
    expect(r.output).toBe(
      `alpha tiltfile-result\n${JSON.stringify([join(r.dir, 'Tiltfile'), r.dir]).replace(',', ', ')}\n`,
    );
  });
});

describe('usage text', () => {
  it('aligns flags sorted by name, leaving out the positional setting', () => {
    const defs = new Map([
      ['zeta', { kind: 'string' as const, usage: 'z' }],
      ['a', { kind: 'bool' as const, usage: '' }],
      ['pos', { kind: 'string_list' as const, usage: 'p' }],
    ]);
    expect(usageText(defs, 'pos')).toBe('Usage:\n      --a             \n      --zeta string   z');
  });
});
