// The Kubernetes builtins as a Tiltfile author sees them: k8s_yaml,
// filter_yaml, k8s_resource, port_forward, k8s_kind, k8s_image_json_path,
// workload_to_resource_function, k8s_custom_deploy and the context builtins.

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/model/manifest.js';
import { k8sOf } from '../../src/tiltfile/builtins/k8s.js';
import { resultJSON } from '../../src/tiltfile/result-json.js';
import {
  deploymentYAML,
  loadProject,
  removeProjects,
  runTiltfile,
  serviceYAML,
  type LoadedProject,
} from './helpers.js';

afterEach(removeProjects);

function object(kind: string, name: string, apiVersion = 'v1', extra = ''): string {
  return `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}`;
}

const docs = (...ds: string[]) => ds.join('---\n');

const FOO = { 'foo.yaml': deploymentYAML('foo', 'gcr.io/foo') };

function byName(r: LoadedProject, name: string): Manifest {
  expect(r.error).toBeNull();
  const m = r.manifests.find((x) => x.name === name);
  if (!m) throw new Error(`no manifest ${name} in ${r.manifests.map((x) => x.name).join(', ')}`);
  return m;
}

const names = (r: LoadedProject) => r.manifests.map((m) => [m.name, m.k8s?.objectNames]);

/** The first line of a Tilt backtrace's frame for a call at line:col of the main Tiltfile. */
const at = (r: LoadedProject, line: number, col: number) =>
  `${join(r.dir, 'Tiltfile')}:${line}:${col}: in <toplevel>`;

describe('k8s_yaml', () => {
  it('takes a path, a blob, or a list of them, and watches the files', () => {
    const r = loadProject({
      Tiltfile: `
k8s_yaml('a.yaml')
k8s_yaml(blob(${JSON.stringify(object('ConfigMap', 'b'))}))
k8s_yaml(['c.yaml', read_file('d.yaml')])
`,
      'a.yaml': deploymentYAML('a', 'gcr.io/a'),
      'c.yaml': deploymentYAML('c', 'gcr.io/c'),
      'd.yaml': object('Secret', 'd'),
    });
    expect(names(r)).toEqual([
      ['a', ['a:deployment']],
      ['c', ['c:deployment']],
      ['uncategorized', ['b:configmap', 'd:secret']],
    ]);
    for (const f of ['a.yaml', 'c.yaml', 'd.yaml']) expect(r.configFiles).toContain(join(r.dir, f));
  });

  it('reads every document of a stream', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('all.yaml')\n",
      'all.yaml': docs(deploymentYAML('a', 'gcr.io/a'), deploymentYAML('b', 'gcr.io/b')),
    });
    expect(names(r).map(([n]) => n)).toEqual(['a', 'b']);
  });

  it('refuses empty YAML', () => {
    for (const arg of ["blob('')", 'None', '[]']) {
      const r = loadProject({ Tiltfile: `k8s_yaml(${arg})\n` });
      expect(r.error).toBe(
        `Traceback (most recent call last):\n  ${at(r, 1, 9)}\nError in k8s_yaml: Empty YAML passed to k8s_yaml`,
      );
    }
  });

  it('names a missing file', () => {
    const r = loadProject({ Tiltfile: "k8s_yaml('missing.yaml')\n" });
    expect(r.error).toContain(
      `Error in k8s_yaml: error reading yaml file: open ${join(r.dir, 'missing.yaml')}: no such file or directory`,
    );
    expect(r.configFiles).toContain(join(r.dir, 'missing.yaml'));
  });

  it('names the file and line of malformed YAML', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('bad.yaml')\n",
      'bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bad: [\n',
    });
    expect(r.error).toContain(
      `Error in k8s_yaml: Error reading yaml from ${join(r.dir, 'bad.yaml')}: error converting YAML to JSON: yaml: line 6: did not find expected ',' or ']'`,
    );
  });

  it('says a file of non-objects is not YAML', () => {
    const r = loadProject({ Tiltfile: "k8s_yaml('bar.yaml')\n", 'bar.yaml': 'im not yaml' });
    expect(r.error).toContain(
      `Error in k8s_yaml: ${join(r.dir, 'bar.yaml')} is not a valid YAML file: `,
    );
  });

  it('names the source of a malformed blob', () => {
    const b = loadProject({ Tiltfile: "k8s_yaml(blob('hi'))\n" });
    expect(b.error).toContain('Error reading yaml from Tiltfile blob() call: ');
    const f = loadProject({ Tiltfile: "k8s_yaml(read_file('foo.yaml'))\n", 'foo.yaml': 'hi' });
    expect(f.error).toContain(`Error reading yaml from file: ${join(f.dir, 'foo.yaml')}: `);
    const l = loadProject({ Tiltfile: "k8s_yaml(local('echo hi'))\n" });
    expect(l.error).toContain('Error reading yaml from local: echo hi: ');
  });

  it('names an argument that is not YAML', () => {
    const r = loadProject({ Tiltfile: 'k8s_yaml(1)\n' });
    expect(r.error).toContain(
      'Error in k8s_yaml: expected path | string. Actual type: starlark.Int',
    );
  });

  it('refuses the same object twice, saying where it was first registered', () => {
    const r = loadProject({ Tiltfile: "\nk8s_yaml('foo.yaml')\nk8s_yaml('foo.yaml')\n", ...FOO });
    expect(r.error).toBe(
      `Traceback (most recent call last):\n  ${at(r, 3, 9)}\n` +
        'Error in k8s_yaml: Duplicate YAML: Deployment foo\n' +
        'Ignore this error with k8s_yaml(..., allow_duplicates=True)\n' +
        'YAML originally registered at: Traceback (most recent call last):\n' +
        `    ${at(r, 2, 9)}\n    <builtin>: in k8s_yaml\n  `,
    );
  });

  it('names the namespace of a duplicate, also within one call', () => {
    const dup = deploymentYAML('foo', 'gcr.io/foo', { namespace: 'ns1' });
    const r = loadProject({ Tiltfile: "k8s_yaml('all.yaml')\n", 'all.yaml': docs(dup, dup) });
    expect(r.error).toContain('Duplicate YAML: Deployment foo (Namespace: ns1)\n');
  });

  it('keeps one copy of a duplicate when allowed', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('foo.yaml')\nk8s_yaml('foo.yaml', allow_duplicates=True)\n",
      ...FOO,
    });
    expect(names(r)).toEqual([['foo', ['foo:deployment']]]);
  });

  it('fails on an image that is not a reference', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml('pod.yaml')\n",
      'pod.yaml': object('Pod', 'test-pod', 'v1', 'spec:\n  containers:\n  - image: IMAGE_URL\n'),
    });
    expect(r.error).toContain(
      'finding images in test-pod: parsing IMAGE_URL: invalid reference format: repository name must be lowercase',
    );
  });
});

describe('filter_yaml', () => {
  const all = docs(
    deploymentYAML('doggos', 'gcr.io/doggos', {
      namespace: 'the-dog-zone',
      labels: { app: 'doggos', tier: 'web' },
    }).replace(
      'metadata:\n  name: doggos\n',
      'metadata:\n  name: doggos\n  labels:\n    app: doggos\n    tier: web\n',
    ),
    serviceYAML('doggos', { app: 'doggos' }, { app: 'doggos' }),
    deploymentYAML('snack', 'gcr.io/snack', { labels: { app: 'snack' } }),
  );

  function filter(args: string) {
    const r = runTiltfile(
      `match, rest = filter_yaml('k8s.yaml', ${args})\nprint(type(match), type(rest))\nprint(str(match))\nprint('---REST---')\nprint(str(rest))\n`,
      { files: { 'k8s.yaml': all } },
    );
    expect(r.message).toBeNull();
    const [types, ...text] = r.output.split('\n');
    const joined = text.join('\n');
    const [match, rest] = joined.split('---REST---\n');
    const kindsNames = (s: string) =>
      [...s.matchAll(/kind: (\w+)\nmetadata:\n(?:.*\n)*?\s{2}name: ([\w-]+)/g)].map(
        (m) => `${m[2]}:${m[1]}`,
      );
    return { types, match: kindsNames(match), rest: kindsNames(rest) };
  }

  it('returns (matching, rest) blobs', () => {
    expect(filter("name='doggos'")).toEqual({
      types: 'blob blob',
      match: ['doggos:Deployment', 'doggos:Service'],
      rest: ['snack:Deployment'],
    });
  });

  it('matches by name, namespace, kind and api_version as case-insensitive partial regexps', () => {
    expect(filter("name='DOG'").match).toEqual(['doggos:Deployment', 'doggos:Service']);
    expect(filter("name='^s'").match).toEqual(['snack:Deployment']);
    expect(filter("namespace='dog-zone'").match).toEqual(['doggos:Deployment']);
    expect(filter("namespace='default'").match).toEqual(['doggos:Service', 'snack:Deployment']);
    expect(filter("kind='deploy'").match).toEqual(['doggos:Deployment', 'snack:Deployment']);
    expect(filter("api_version='apps/v1'").match).toEqual([
      'doggos:Deployment',
      'snack:Deployment',
    ]);
    expect(filter("name='doggos', kind='service'").match).toEqual(['doggos:Service']);
  });

  it('matches objects carrying all the labels given', () => {
    expect(filter("labels={'app': 'doggos'}")).toMatchObject({
      match: ['doggos:Deployment', 'doggos:Service'],
      rest: ['snack:Deployment'],
    });
    // The Service lacks tier=web, so labels must be a subset of the object's.
    expect(filter("labels={'app': 'doggos', 'tier': 'web'}")).toMatchObject({
      match: ['doggos:Deployment'],
      rest: ['doggos:Service', 'snack:Deployment'],
    });
  });

  it('gives an empty match, which k8s_yaml refuses', () => {
    const r = loadProject({
      Tiltfile: "m, rest = filter_yaml('k8s.yaml', namespace='dne')\nk8s_yaml(m)\n",
      'k8s.yaml': all,
    });
    expect(r.error).toContain('Error in k8s_yaml: Empty YAML passed to k8s_yaml');
  });

  it('names labels that are not a dict of strings', () => {
    const r = runTiltfile("filter_yaml('k8s.yaml', labels='app')\n", {
      files: { 'k8s.yaml': all },
    });
    expect(r.message).toBe('kwarg `labels`: expected dict, got starlark.String');
    const v = runTiltfile("filter_yaml('k8s.yaml', labels={'app': 1})\n", {
      files: { 'k8s.yaml': all },
    });
    expect(v.message).toBe('kwarg `labels`: value is not a string: starlark.Int (1)');
  });

  it('keeps the blob source for messages', () => {
    const r = loadProject({
      Tiltfile: "m, rest = filter_yaml(blob('hi'))\n",
    });
    expect(r.error).toContain('Error reading yaml from Tiltfile blob() call: ');
  });
});

describe('k8s_resource', () => {
  describe('port_forwards', () => {
    const cases: [string, Partial<Record<string, unknown>>[]][] = [
      ['8000', [{ localPort: 8000, containerPort: 0, host: '' }]],
      ["'10000'", [{ localPort: 10000, containerPort: 0 }]],
      ["'10000:8000'", [{ localPort: 10000, containerPort: 8000 }]],
      ["'0.0.0.0:10000:8000'", [{ localPort: 10000, containerPort: 8000, host: '0.0.0.0' }]],
      ["'tilt.dev:10000:8000'", [{ localPort: 10000, containerPort: 8000, host: 'tilt.dev' }]],
      ['port_forward(8001)', [{ localPort: 8001, containerPort: 0, name: '', linkPath: '' }]],
      [
        "port_forward(8001, 443, 'foo', 'v1/ui', 'elastic.local')",
        [
          {
            localPort: 8001,
            containerPort: 443,
            name: 'foo',
            linkPath: 'v1/ui',
            host: 'elastic.local',
          },
        ],
      ],
      [
        "[8000, port_forward(8001, 443), '8002', '8003:444']",
        [
          { localPort: 8000, containerPort: 0 },
          { localPort: 8001, containerPort: 443 },
          { localPort: 8002, containerPort: 0 },
          { localPort: 8003, containerPort: 444 },
        ],
      ],
      ['None', []],
      ['[]', []],
    ];
    for (const [expr, want] of cases) {
      it(`takes ${expr}`, () => {
        const r = loadProject({
          Tiltfile: `k8s_yaml('foo.yaml')\nk8s_resource('foo', port_forwards=${expr})\n`,
          ...FOO,
        });
        const pfs = byName(r, 'foo').k8s!.portForwards;
        expect(pfs).toHaveLength(want.length);
        want.forEach((w, i) => expect(pfs[i]).toMatchObject(w));
      });
    }

    it('shows them in the result', () => {
      const r = loadProject({
        Tiltfile:
          "k8s_yaml('foo.yaml')\nk8s_resource('foo', port_forwards=['h.local:8000:80', port_forward(9000, name='ui', link_path='/x')])\n",
        ...FOO,
      });
      expect(resultJSON(r).manifests[0].portForwards).toEqual([
        { localPort: 8000, containerPort: 80, host: 'h.local' },
        { localPort: 9000, containerPort: 0, host: '', name: 'ui', linkPath: '/x' },
      ]);
    });

    const errors: [string, string][] = [
      ['-1', 'k8s_resource "foo": portForward port value -1 is not in the valid range [0-65535]'],
      [
        '8000000',
        'k8s_resource "foo": portForward port value 8000000 is not in the valid range [0-65535]',
      ],
      [
        "'garbage'",
        'k8s_resource "foo": portForward port value "garbage" is not in the valid range [0-65535]',
      ],
      ["''", 'k8s_resource "foo": portForward port value "" is not in the valid range [0-65535]'],
      [
        "'8000:99999'",
        'k8s_resource "foo": portForward port value "99999" is not in the valid range [0-65535]',
      ],
      [
        "'bad+host:10000:8000'",
        'k8s_resource "foo": portForward host value "bad+host" is not a valid hostname or IP address',
      ],
      [
        '1.5',
        'k8s_resource "foo": port_forwards must be an int, a port_forward, or a sequence of those; is a starlark.Float',
      ],
      [
        '[8000, 1.5]',
        'k8s_resource "foo": port_forwards arg [8000, 1.5] includes element 1.5 which must be an int or a port_forward; is a starlark.Float',
      ],
    ];
    for (const [expr, msg] of errors) {
      it(`refuses ${expr}`, () => {
        const r = loadProject({
          Tiltfile: `k8s_yaml('foo.yaml')\nk8s_resource('foo', port_forwards=${expr})\n`,
          ...FOO,
        });
        expect(r.error).toContain(`Error in k8s_resource: ${msg}`);
      });
    }

    it('appends across calls', () => {
      const r = loadProject({
        Tiltfile:
          "k8s_yaml('foo.yaml')\nk8s_resource('foo', port_forwards=8001)\nk8s_resource('foo', port_forwards=8000)\n",
        ...FOO,
      });
      expect(byName(r, 'foo').k8s!.portForwards.map((p) => p.localPort)).toEqual([8001, 8000]);
    });
  });

  describe('port_forward()', () => {
    it('is a value with defaults', () => {
      const r = runTiltfile('pf = port_forward(8000)\nprint(type(pf))\nprint(pf)\n');
      expect(r.output).toBe(
        'port_forward\nport_forward(local_port=8000, container_port=0, name="")\n',
      );
    });

    it('names bad arguments', () => {
      expect(runTiltfile('port_forward(container_port=443)\n').message).toBe(
        'port_forward: missing argument for local_port',
      );
      expect(runTiltfile("port_forward('8001')\n").message).toBe(
        'port_forward: for parameter local_port: got string, want int',
      );
      expect(runTiltfile('port_forward(8001, 443, 54321)\n').message).toBe(
        'port_forward: for parameter name: got int, want string',
      );
      expect(runTiltfile('port_forward(8001, 443, host=54321)\n').message).toBe(
        'port_forward: for parameter "host": got int, want string',
      );
      expect(runTiltfile("port_forward(8001, link_path='invalid_escape%')\n").message).toBe(
        'parse "invalid_escape%": invalid URL escape "%"',
      );
    });
  });

  describe('extra_pod_selectors', () => {
    const run = (expr: string) =>
      loadProject({
        Tiltfile: `k8s_yaml('foo.yaml')\nk8s_resource('foo', extra_pod_selectors=${expr})\n`,
        ...FOO,
      });

    it('takes a dict or a list of dicts, dropping empty ones', () => {
      expect(byName(run("{'foo': 'bar'}"), 'foo').k8s!.extraPodSelectors).toEqual([{ foo: 'bar' }]);
      expect(
        byName(run("[{'foo': 'bar', 'baz': 'qux'}, {}, {'quux': 'corge'}]"), 'foo').k8s!
          .extraPodSelectors,
      ).toEqual([{ foo: 'bar', baz: 'qux' }, { quux: 'corge' }]);
    });

    it('names what is wrong', () => {
      expect(run("'hello'").error).toContain(
        'Error in k8s_resource: pod labels must be a dict or a list; got starlark.String',
      );
      expect(run("['hello']").error).toContain(
        'pod labels elements must be dicts; got starlark.String',
      );
      expect(run("[{54321: 'hello'}]").error).toContain(
        "pod label keys must be strings; got '54321' of type starlark.Int",
      );
      expect(run("[{'hello': 54321}]").error).toContain(
        "pod label values must be strings; got '54321' of type starlark.Int",
      );
    });
  });

  describe('trigger_mode and auto_init', () => {
    const cases: [string, string, string, boolean][] = [
      ['', '', 'TRIGGER_MODE_AUTO', true],
      ['', ', trigger_mode=TRIGGER_MODE_MANUAL', 'TRIGGER_MODE_MANUAL', true],
      ['', ', trigger_mode=TRIGGER_MODE_MANUAL, auto_init=False', 'TRIGGER_MODE_MANUAL', false],
      ['', ', trigger_mode=TRIGGER_MODE_AUTO, auto_init=False', 'TRIGGER_MODE_AUTO', false],
      ['', ', auto_init=False', 'TRIGGER_MODE_AUTO', false],
      ['trigger_mode(TRIGGER_MODE_MANUAL)', '', 'TRIGGER_MODE_MANUAL', true],
      [
        'trigger_mode(TRIGGER_MODE_MANUAL)',
        ', trigger_mode=TRIGGER_MODE_AUTO',
        'TRIGGER_MODE_AUTO',
        true,
      ],
      [
        'trigger_mode(TRIGGER_MODE_AUTO)',
        ', trigger_mode=TRIGGER_MODE_MANUAL',
        'TRIGGER_MODE_MANUAL',
        true,
      ],
    ];
    for (const [global, args, mode, autoInit] of cases) {
      it(`gives ${mode}, auto_init=${autoInit} for "${global}" + k8s_resource('foo'${args})`, () => {
        const r = loadProject({
          Tiltfile: `${global}\nk8s_yaml('foo.yaml')\nk8s_resource('foo'${args})\n`,
          ...FOO,
        });
        expect(resultJSON(r).manifests[0]).toMatchObject({ triggerMode: mode, autoInit });
      });
    }

    it('wants a trigger mode', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', trigger_mode=1)\n",
        ...FOO,
      });
      expect(r.error).toContain(
        'k8s_resource: for parameter trigger_mode: got int, want TriggerMode',
      );
    });
  });

  describe('pod_readiness', () => {
    const config = object('ConfigMap', 'config', 'v1', 'data:\n  foo: bar\n');

    it('defaults from the objects: none for a Deployment, succeeded for a Job', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml(['foo.yaml', 'job.yaml'])\n",
        ...FOO,
        'job.yaml': object('Job', 'myjob', 'batch/v1'),
      });
      expect(byName(r, 'foo').k8s!.podReadiness).toBe('');
      expect(byName(r, 'myjob').k8s!.podReadiness).toBe('succeeded');
    });

    it('ignores pods for a resource grouped by hand from objects without images', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('config.yaml')\nk8s_resource(new_name='config', objects=['config'])\n",
        'config.yaml': config,
      });
      expect(byName(r, 'config').k8s!.podReadiness).toBe('ignore');
    });

    it('waits when a hand-grouped resource selects pods', () => {
      const r = loadProject({
        Tiltfile:
          "k8s_yaml('config.yaml')\nk8s_resource(new_name='config', objects=['config'], extra_pod_selectors={'app': 'x'})\n",
        'config.yaml': config,
      });
      expect(byName(r, 'config').k8s!.podReadiness).toBe('');
    });

    it('takes each allowed value', () => {
      for (const v of ['wait', 'ignore', 'succeeded']) {
        const r = loadProject({
          Tiltfile: `k8s_yaml('config.yaml')\nk8s_resource(new_name='config', objects=['config'], pod_readiness='${v}')\n`,
          'config.yaml': config,
        });
        expect(byName(r, 'config').k8s!.podReadiness).toBe(v);
      }
    });

    it('refuses other values', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', pod_readiness='w')\n",
        ...FOO,
      });
      expect(r.error).toContain(
        'Error in k8s_resource: k8s_resource: for parameter pod_readiness: Invalid value. Allowed: {ignore, wait}. Got: w',
      );
      const t = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', pod_readiness=1)\n",
        ...FOO,
      });
      expect(t.error).toContain(
        'k8s_resource: for parameter pod_readiness: Must be a string. Got: int',
      );
    });
  });

  describe('discovery_strategy', () => {
    it('records the strategy', () => {
      for (const v of ['default', 'selectors-only']) {
        const r = loadProject({
          Tiltfile: `k8s_yaml('foo.yaml')\nk8s_resource('foo', discovery_strategy='${v}')\n`,
          ...FOO,
        });
        expect(byName(r, 'foo').k8s!.discoveryStrategy).toBe(v);
      }
      const d = loadProject({ Tiltfile: "k8s_yaml('foo.yaml')\n", ...FOO });
      expect(byName(d, 'foo').k8s!.discoveryStrategy).toBe('');
    });

    it('refuses other values', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', discovery_strategy='typo')\n",
        ...FOO,
      });
      expect(r.error).toContain(
        'k8s_resource: for parameter discovery_strategy: Invalid. Must be one of: "default", "selectors-only"',
      );
    });
  });

  describe('links and labels', () => {
    it('appends links across calls', () => {
      const r = loadProject({
        Tiltfile: `
k8s_yaml('foo.yaml')
k8s_resource('foo', links=['http://demo.localhost/', link('www.zombo.com', 'zombo')])
k8s_resource('foo')
k8s_resource('foo', links='demo.localhost/docs')
`,
        ...FOO,
      });
      expect(resultJSON(r).manifests[0].links).toEqual([
        { url: 'http://demo.localhost/', name: '' },
        { url: 'http://www.zombo.com', name: 'zombo' },
        { url: 'http://demo.localhost/docs', name: '' },
      ]);
    });

    it('names a bad link', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', links=123)\n",
        ...FOO,
      });
      expect(r.error).toContain('Want a string, a link, or a sequence of these; found 123');
    });

    it('takes a label or a list of them, merging across calls', () => {
      const r = loadProject({
        Tiltfile: `
k8s_yaml('foo.yaml')
k8s_resource('foo', labels='backend')
k8s_resource('foo', labels=['core', 'backend'])
`,
        ...FOO,
      });
      expect(resultJSON(r).manifests[0].labels).toEqual(['backend', 'core']);
    });

    it('refuses labels that are not valid Kubernetes labels', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', labels='a b')\n",
        ...FOO,
      });
      expect(r.error).toContain(
        'k8s_resource: for parameter labels: Invalid label "a b": name part must consist of alphanumeric characters, ' +
          "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " +
          "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      );
      const p = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', labels='tilt.dev/x')\n",
        ...FOO,
      });
      expect(p.error).toContain(
        'Invalid label "tilt.dev/x": a valid label must be an empty string',
      );
      const t = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', labels=1)\n",
        ...FOO,
      });
      expect(t.error).toContain(
        'k8s_resource: for parameter labels: value should be a label or List or Tuple of labels, but is of type int',
      );
    });
  });

  it('records resource_deps', () => {
    const r = loadProject({
      Tiltfile: "k8s_yaml(['a.yaml', 'b.yaml'])\nk8s_resource('b', resource_deps=['a'])\n",
      'a.yaml': deploymentYAML('a', 'gcr.io/a'),
      'b.yaml': deploymentYAML('b', 'gcr.io/b'),
    });
    expect(resultJSON(r).manifests.map((m) => [m.name, m.resourceDeps])).toEqual([
      ['a', []],
      ['b', ['a']],
    ]);
  });

  it('wants resource_deps as a sequence of strings', () => {
    const s = loadProject({
      Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', resource_deps='a')\n",
      ...FOO,
    });
    expect(s.error).toContain(
      'k8s_resource: for parameter resource_deps: got string, want sequence',
    );
    const e = loadProject({
      Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('foo', resource_deps=[1])\n",
      ...FOO,
    });
    expect(e.error).toContain("k8s_resource: resource_deps: '1' is a starlark.Int, not a string");
  });

  describe('naming', () => {
    it('renames with new_name, and later calls use the new name', () => {
      const r = loadProject({
        Tiltfile:
          "k8s_yaml('foo.yaml')\nk8s_resource('foo', new_name='bar')\nk8s_resource('bar', new_name='baz')\n",
        ...FOO,
      });
      expect(names(r)).toEqual([['baz', ['foo:deployment']]]);
    });

    it('names the unknown workload and the known ones', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml('foo.yaml')\nk8s_resource('bar', new_name='baz')\n",
        ...FOO,
      });
      expect(r.error).toContain(
        'k8s_resource specified unknown resource "bar". known k8s resources: foo',
      );
    });

    it('refuses to rename onto an existing resource', () => {
      const r = loadProject({
        Tiltfile: "k8s_yaml(['foo.yaml', 'bar.yaml'])\nk8s_resource('foo', new_name='bar')\n",
        ...FOO,
        'bar.yaml': deploymentYAML('bar', 'gcr.io/bar'),
      });
      expect(r.error).toContain(
        `k8s_resource at ${join(r.dir, 'Tiltfile')}:2:13 specified to rename "foo" to "bar", but there already exists a resource with that name`,
      );
    });

    it('refuses a new resource named like an existing one', () => {
      const r = loadProject({
        Tiltfile:
          "k8s_yaml(['ns1.yaml', 'ns2.yaml'])\nk8s_resource(new_name='foo', objects=['ns1:namespace'])\nk8s_resource(new_name='foo', objects=['ns2:namespace'])\n",
        'ns1.yaml': object('Namespace', 'ns1'),
        'ns2.yaml': object('Namespace', 'ns2'),
      });
      expect(r.error).toContain('k8s_resource named "foo" already exists');
    });

    it('needs a workload or a new_name', () => {
      for (const args of ["'', port_forwards=8000", "objects=['bar']"]) {
        const r = loadProject({
          Tiltfile: `k8s_yaml('foo.yaml')\nk8s_resource(${args})\n`,
          ...FOO,
        });
        expect(r.error).toContain(
          'Error in k8s_resource: Resource name missing. Must give a name for an existing resource or a new_name to create a new resource.',
        );
      }
    });

    it('needs objects for a resource without a workload', () => {
      const r = loadProject({ Tiltfile: "k8s_resource(new_name='foo')\n" });
      expect(r.error).toContain(
        "Error in k8s_resource: k8s_resource doesn't specify a workload or any objects. All non-workload resources must specify 1 or more objects",
      );
    });
  });

  describe('objects', () => {
    const project = (objects: string, extra: Record<string, string> = {}) =>
      loadProject({
        Tiltfile: `k8s_yaml(['foo.yaml', 'secret.yaml', 'namespace.yaml'])\nk8s_resource('foo', objects=${objects})\n`,
        ...FOO,
        'secret.yaml': object('Secret', 'bar'),
        'namespace.yaml': object('Namespace', 'baz'),
        ...extra,
      });

    it('attaches objects named by name, name:kind or name:kind:namespace', () => {
      const r = project("['bar', 'baz:namespace:default']");
      expect(names(r)).toEqual([['foo', ['foo:deployment', 'bar:secret', 'baz:namespace']]]);
      expect(byName(r, 'foo').k8s!.podReadiness).toBe('');
    });

    it('matches fragments without regard to case', () => {
      const r = project("['BAR:Secret']");
      expect(names(r)[0][1]).toEqual(['foo:deployment', 'bar:secret']);
    });

    it('names a fragment that matches nothing, listing every object', () => {
      const r = project("['baz:secret:default']");
      expect(r.error).toContain(
        'No object identified by the fragment "baz:secret:default" could be found. Possible objects are: ' +
          '"foo:Deployment:default", "bar:Secret:default", "baz:Namespace:default"',
      );
    });

    it('does not match prefixes', () => {
      expect(project("['ba']").error).toContain(
        'No object identified by the fragment "ba" could be found.',
      );
    });

    it('names a fragment that matches several objects', () => {
      const r = project("['bar']", { 'namespace.yaml': object('Namespace', 'bar') });
      expect(r.error).toContain(
        '"bar" is not a unique fragment. Objects that match "bar" are "bar:Secret:default", "bar:Namespace:default"',
      );
    });

    it('counts the workloads among the objects a fragment may match', () => {
      const r = project("['foo']", { 'secret.yaml': object('Secret', 'foo') });
      expect(r.error).toContain(
        '"foo" is not a unique fragment. Objects that match "foo" are "foo:Deployment:default", "foo:Secret:default"',
      );
    });

    it('names an object already taken, listing what remains', () => {
      const r = project("['bar', 'bar:secret:default']");
      expect(r.error).toContain(
        'No object identified by the fragment "bar:secret:default" could be found in remaining YAML. ' +
          'Valid remaining fragments are: "baz:Namespace:default"',
      );
    });

    it('refuses fragments that are not selectors', () => {
      expect(project("['']").error).toContain(
        'Error making selector from string "": selector can\'t be empty',
      );
      expect(project("['baz:namespace:default:core']").error).toContain(
        'Error making selector from string "baz:namespace:default:core": Too many parts in selector. ' +
          'Selectors must contain between 1 and 3 parts (colon separated), found 4 parts in baz:namespace:default:core',
      );
      expect(project("['qu\\\\u:bar']").error).toContain(
        "Error making selector from string \"qu\\\\u:bar\": invalid escape sequence '\\u' in 'qu\\u:b'",
      );
    });

    it('takes escaped colons in names', () => {
      const r = project("['quu\\\\:bar']", { 'secret.yaml': object('Secret', 'quu:bar') });
      expect(names(r)[0][1]).toEqual(['foo:deployment', 'quu:bar:secret']);
      const unescaped = project("['quu:bar']", { 'secret.yaml': object('Secret', 'quu:bar') });
      expect(unescaped.error).toContain(
        'Possible objects are: "foo:Deployment:default", "quu\\\\:bar:Secret:default", "baz:Namespace:default"',
      );
    });

    it('makes a new resource from objects alone', () => {
      const r = loadProject({
        Tiltfile: `
k8s_yaml(['a.yaml', 'b.yaml'])
k8s_resource(new_name='namespaces', objects=['a'])
k8s_resource('namespaces', objects=['b'], labels=['infra'])
`,
        'a.yaml': object('Namespace', 'a'),
        'b.yaml': object('Namespace', 'b'),
      });
      expect(names(r)).toEqual([['namespaces', ['a:namespace', 'b:namespace']]]);
      expect(byName(r, 'namespaces').labels).toEqual(['infra']);
    });
  });

  it('leaves everything not taken in uncategorized', () => {
    const r = loadProject({
      Tiltfile:
        "k8s_yaml(['foo.yaml', 'secret.yaml', 'ns.yaml'])\nk8s_resource('foo', objects=['bar'])\n",
      ...FOO,
      'secret.yaml': object('Secret', 'bar'),
      'ns.yaml': object('Namespace', 'qux'),
    });
    expect(names(r)).toEqual([
      ['foo', ['foo:deployment', 'bar:secret']],
      ['uncategorized', ['qux:namespace']],
    ]);
  });

  it('may be called several times for one workload, each call adding to it', () => {
    const r = loadProject({
      Tiltfile: `
k8s_yaml(['foo.yaml', 'b.yaml', 'c.yaml'])
k8s_resource('foo', objects=['b'], port_forwards=8000, resource_deps=[])
k8s_resource('foo', objects=['c'], port_forwards=8001, trigger_mode=TRIGGER_MODE_MANUAL)
`,
      ...FOO,
      'b.yaml': object('Namespace', 'b'),
      'c.yaml': object('Namespace', 'c'),
    });
    const m = byName(r, 'foo');
    expect(m.k8s!.objectNames).toEqual(['foo:deployment', 'b:namespace', 'c:namespace']);
    expect(m.k8s!.portForwards.map((p) => p.localPort)).toEqual([8000, 8001]);
    expect(m.triggerMode).toBe('TRIGGER_MODE_MANUAL');
  });
});

describe('k8s_kind', () => {
  const crd = object(
    'Environment',
    'mycrd',
    'fission.io/v1',
    'spec:\n  runtime:\n    image: test/mycrd-env\n  builder:\n    image: test/mycrd-builder\n',
  );
  const project = (k8sKind: string, extra = '') =>
    loadProject({
      Tiltfile: `k8s_yaml('crd.yaml')\n${k8sKind}\n${extra}`,
      'crd.yaml': crd,
      'env/Dockerfile': 'FROM alpine\n',
      'builder/Dockerfile': 'FROM alpine\n',
    });
  const build = "docker_build('test/mycrd-env', 'env')\n";

  it('makes matching objects workloads, finding images by image_json_path', () => {
    const r = project("k8s_kind('Environment', image_json_path='{.spec.runtime.image}')", build);
    expect(byName(r, 'mycrd').imageTargets.map((t) => t.ref)).toEqual(['test/mycrd-env']);
  });

  it('takes a list of paths', () => {
    const r = project(
      "k8s_kind('Environment', image_json_path=['{.spec.runtime.image}', '{.spec.builder.image}'])",
      build + "docker_build('test/mycrd-builder', 'builder')\n",
    );
    expect(byName(r, 'mycrd').imageTargets.map((t) => t.ref)).toEqual([
      'test/mycrd-env',
      'test/mycrd-builder',
    ]);
  });

  it('makes a workload even without images', () => {
    const r = project("k8s_kind('Environment')");
    expect(names(r)).toEqual([['mycrd', ['mycrd:environment']]]);
  });

  it('matches api_version too', () => {
    const yes = project("k8s_kind('Environment', api_version='fission.io/v1')");
    expect(names(yes)).toEqual([['mycrd', ['mycrd:environment']]]);
    const no = project("k8s_kind('Environment', api_version='fission.io/v2')");
    expect(names(no)).toEqual([['uncategorized', ['mycrd:environment']]]);
  });

  it('finds an image in an object with image_object', () => {
    const r = loadProject({
      Tiltfile: `
k8s_yaml('um.yaml')
k8s_kind(kind='UselessMachine', image_object={'json_path': '{.spec.image}', 'repo_field': 'repo', 'tag_field': 'tag'})
docker_build('tilt.dev/frontend', '.')
`,
      'um.yaml': object(
        'UselessMachine',
        'um',
        'tilt.dev/v1alpha1',
        'spec:\n  image:\n    repo: tilt.dev/frontend\n',
      ),
      Dockerfile: 'FROM alpine\n',
    });
    expect(byName(r, 'um').imageTargets.map((t) => t.ref)).toEqual(['tilt.dev/frontend']);
  });

  it('refuses both image_json_path and image_object', () => {
    const r = project(
      "k8s_kind('Environment', image_json_path='{.spec}', image_object={'json_path': '{.spec}', 'repo_field': 'r', 'tag_field': 't'})",
    );
    expect(r.error).toContain(
      'Error in k8s_kind: Cannot specify both image_json_path and image_object',
    );
  });

  it('names a malformed image_object', () => {
    const missing = project("k8s_kind('Environment', image_object={'json_path': '{.spec}'})");
    expect(missing.error).toContain(
      `k8s_kind: for parameter image_object: Expected dict of the form {'json_path': str, 'repo_field': str, 'tag_field': str}: Missing keys. Actual keys: ["json_path"]`,
    );
    const notDict = project("k8s_kind('Environment', image_object='{.spec}')");
    expect(notDict.error).toContain(
      `Expected dict of the form {'json_path': str, 'repo_field': str, 'tag_field': str}. Actual: "{.spec}"`,
    );
  });

  it('takes image_json_path by keyword only', () => {
    const r = project("k8s_kind('Environment', '{.spec.runtime.image}')");
    expect(r.error).toContain('Error in k8s_kind: k8s_kind: got 2 arguments, want at most 1');
  });

  it('records pod_readiness', () => {
    const r = project("k8s_kind('Environment', pod_readiness='ignore')");
    expect(byName(r, 'mycrd').k8s!.podReadiness).toBe('ignore');
    const bad = project("k8s_kind('Environment', pod_readiness='sometimes')");
    expect(bad.error).toContain(
      'k8s_kind: for parameter pod_readiness: Invalid value. Allowed: {ignore, wait}. Got: sometimes',
    );
  });

  it('names a bad kind regexp', () => {
    const r = project("k8s_kind('*', image_json_path='{.spec.runtime.image}')");
    expect(r.error).toContain('Error in k8s_kind: error parsing kind regexp');
  });
});

describe('k8s_image_json_path', () => {
  const project = (call: string) =>
    loadProject({
      Tiltfile: `k8s_yaml('foo.yaml')\ndocker_build('gcr.io/foo', 'foo')\ndocker_build('gcr.io/foo-fetcher', 'fetcher')\n${call}\n`,
      'foo.yaml': deploymentYAML('foo', 'gcr.io/foo').replace(
        '          image: gcr.io/foo\n',
        '          image: gcr.io/foo\n          env:\n            - name: FETCHER_IMAGE\n              value: gcr.io/foo-fetcher\n',
      ),
      'foo/Dockerfile': 'FROM alpine\n',
      'fetcher/Dockerfile': 'FROM alpine\n',
    });
  const path = '"{.spec.template.spec.containers[*].env[?(@.name==\'FETCHER_IMAGE\')].value}"';

  it('finds images at a path in objects matching the selector', () => {
    for (const sel of [
      "name='foo'",
      "name='FOO'",
      "name='.*o', kind='Deployment'",
      "namespace='default'",
    ]) {
      const r = project(`k8s_image_json_path(${path}, ${sel})`);
      expect(byName(r, 'foo').imageTargets.map((t) => t.ref)).toEqual([
        'gcr.io/foo',
        'gcr.io/foo-fetcher',
      ]);
    }
  });

  it('finds nothing in objects that do not match', () => {
    const r = project(`k8s_image_json_path(${path}, name='bar')`);
    expect(byName(r, 'foo').imageTargets.map((t) => t.ref)).toEqual(['gcr.io/foo']);
    expect(r.warnings[0]).toContain('✕ gcr.io/foo-fetcher');
  });

  it('needs paths and a selector', () => {
    expect(project("k8s_image_json_path(kind='MyType')").error).toContain(
      'k8s_image_json_path: missing argument for paths',
    );
    expect(project("k8s_image_json_path(paths=['{.foo}'])").error).toContain(
      'Error in k8s_image_json_path: at least one of kind, name, or namespace must be specified',
    );
    expect(project("k8s_image_json_path(kind='MyType', paths=['foo', 8])").error).toContain(
      'k8s_image_json_path: for parameter paths: Expected string, got: 8',
    );
    expect(project("k8s_image_json_path(name='*', paths='{.foo}')").error).toContain(
      'error parsing name regexp',
    );
  });
});

describe('workload_to_resource_function', () => {
  const files = {
    'foo.yaml': deploymentYAML('foo', 'gcr.io/foo'),
    'bar.yaml': deploymentYAML('bar', 'gcr.io/bar'),
  };

  it('names resources', () => {
    const r = loadProject({
      Tiltfile: `
k8s_yaml(['foo.yaml', 'bar.yaml'])
def wtrf(id):
  return 'hello-' + id.name + '-' + id.kind.lower() + '-' + id.namespace + '-' + id.group
workload_to_resource_function(wtrf)
k8s_resource('hello-foo-deployment-default-apps', port_forwards=8000)
`,
      ...files,
    });
    expect(names(r).map(([n]) => n)).toEqual([
      'hello-foo-deployment-default-apps',
      'hello-bar-deployment-default-apps',
    ]);
    expect(byName(r, 'hello-foo-deployment-default-apps').k8s!.portForwards).toHaveLength(1);
  });

  it('wants a function of one argument', () => {
    for (const [def, n] of [
      ['def wtrf():\n  return "x"\n', 0],
      ['def wtrf(a, b):\n  return "x"\n', 2],
    ] as const) {
      const r = loadProject({ Tiltfile: `${def}workload_to_resource_function(wtrf)\n` });
      expect(r.error).toContain(
        `Error in workload_to_resource_function: workload_to_resource_function arg must take 1 argument. wtrf takes ${n}`,
      );
    }
    const notFn = loadProject({ Tiltfile: 'workload_to_resource_function(1)\n' });
    expect(notFn.error).toContain(
      'workload_to_resource_function: for parameter func: got int, want function',
    );
  });

  it('refuses two workloads mapped to one name', () => {
    const r = loadProject({
      Tiltfile:
        "k8s_yaml(['foo.yaml', 'bar.yaml'])\ndef wtrf(id):\n  return 'baz'\nworkload_to_resource_function(wtrf)\n",
      ...files,
    });
    expect(r.error).toContain(
      `error applying workload_to_resource_function ${join(r.dir, 'Tiltfile')}:2:1: ` +
        "both 'bar:deployment:default:apps' and 'foo:deployment:default:apps' mapped to resource name 'baz'",
    );
  });

  it('names the workload when the function fails or returns no string', () => {
    const failing = loadProject({
      Tiltfile:
        "k8s_yaml('foo.yaml')\ndef wtrf(id):\n  return 1 + 'asdf'\nworkload_to_resource_function(wtrf)\n",
      ...files,
    });
    expect(failing.error).toContain(
      `error applying workload_to_resource_function ${join(failing.dir, 'Tiltfile')}:2:1: ` +
        "error determining resource name for 'foo:deployment:default:apps': unknown binary op: int + string",
    );
    const notString = loadProject({
      Tiltfile:
        "k8s_yaml('foo.yaml')\ndef wtrf(id):\n  return 1\nworkload_to_resource_function(wtrf)\n",
      ...files,
    });
    expect(notString.error).toContain(
      `error applying workload_to_resource_function ${join(notString.dir, 'Tiltfile')}:2:1: ` +
        "error determining resource name for 'foo:deployment:default:apps': wtrf: invalid return value. wanted: string. got: starlark.Int",
    );
  });
});

describe('k8s_custom_deploy', () => {
  it('records the commands and options', () => {
    const r = loadProject({
      Tiltfile: `
k8s_custom_deploy('cd', apply_cmd='kubectl apply -f x.yaml -o yaml', delete_cmd=['kubectl', 'delete', '-f', 'x.yaml'],
  deps=['x.yaml'], apply_dir='sub', apply_env={'A': '1'}, delete_env={'D': '2'}, image_deps=['gcr.io/img'])
`,
    });
    const m = byName(r, 'cd');
    expect(m.k8s!.customDeploy).toMatchObject({
      name: 'cd',
      applyCmd: ['sh', '-c', 'kubectl apply -f x.yaml -o yaml'],
      applyDir: join(r.dir, 'sub'),
      applyEnv: { A: '1' },
      deleteCmd: ['kubectl', 'delete', '-f', 'x.yaml'],
      deleteDir: r.dir,
      deleteEnv: { D: '2' },
      deps: [join(r.dir, 'x.yaml')],
      imageSelector: '',
      containerSelector: '',
      liveUpdate: [],
      imageDeps: ['gcr.io/img'],
    });
  });

  it('refuses empty commands', () => {
    const a = runTiltfile("k8s_custom_deploy('cd', apply_cmd='', delete_cmd='x', deps=[])\n");
    expect(a.message).toBe('k8s_custom_deploy: apply_cmd cannot be empty');
    const d = runTiltfile("k8s_custom_deploy('cd', apply_cmd='x', delete_cmd=[], deps=[])\n");
    expect(d.message).toBe('k8s_custom_deploy: delete_cmd cannot be empty');
    const t = runTiltfile("k8s_custom_deploy('cd', apply_cmd=1, delete_cmd='x', deps=[])\n");
    expect(t.message).toBe(
      'apply_cmd: a command must be a string or list of strings. found starlark.Int',
    );
  });

  it('needs exactly one selector for a live update', () => {
    const none = runTiltfile(
      "k8s_custom_deploy('cd', apply_cmd='a', delete_cmd='d', deps=['.'], live_update=[sync('.', '/app')])\n",
    );
    expect(none.message).toBe('k8s_custom_deploy: no Live Update selector specified');
    const both = runTiltfile(
      "k8s_custom_deploy('cd', apply_cmd='a', delete_cmd='d', deps=['.'], image_selector='img', container_selector='c', live_update=[sync('.', '/app')])\n",
    );
    expect(both.message).toBe(
      'k8s_custom_deploy: cannot specify more than one Live Update selector',
    );
    const ok = runTiltfile(
      "k8s_custom_deploy('cd', apply_cmd='a', delete_cmd='d', deps=['.'], container_selector='c', live_update=[sync('.', '/app')])\n",
    );
    expect(ok.message).toBeNull();
    expect(k8sOf(ok.ctx).customDeploys[0].liveUpdate).toEqual([
      { type: 'sync', localPath: ok.dir, remotePath: '/app' },
    ]);
  });

  it('refuses two deploys of one name', () => {
    const r = runTiltfile(
      "k8s_custom_deploy('cd', 'a', 'd', [])\nk8s_custom_deploy('cd', 'a', 'd', [])\n",
    );
    expect(r.message).toBe('error making resource for cd: k8s_resource named "cd" already exists');
  });
});

describe('k8s_context, k8s_namespace and allow_k8s_contexts', () => {
  it('gives the context and namespace', () => {
    const r = runTiltfile('print(k8s_context())\nprint(k8s_namespace())\n', {
      env: { TILT_K8S_CONTEXT: 'kind-kind', TILT_K8S_NAMESPACE: 'dev' },
    });
    expect(r.output).toBe('kind-kind\ndev\n');
  });

  it('defaults to no context and the default namespace', () => {
    expect(runTiltfile('print(repr(k8s_context()))\nprint(k8s_namespace())\n').output).toBe(
      '""\ndefault\n',
    );
  });

  it('records allowed contexts, given as a string or a list', () => {
    const r = runTiltfile("allow_k8s_contexts('prod')\nallow_k8s_contexts(['a', 'b'])\n");
    expect(k8sOf(r.ctx).allowedContexts).toEqual(['prod', 'a', 'b']);
  });
});
