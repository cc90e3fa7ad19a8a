import { describe, expect, it } from 'vitest';
import {
  K8sEntity,
  YAMLParseError,
  parseYAMLStream,
  serializeYAMLStream,
} from '../../src/k8s/entity.js';
import { deploymentYAML, parseOne, workload } from './fixtures.js';

function parseError(text: string, source?: string): YAMLParseError {
  try {
    parseYAMLStream(text, source);
  } catch (e) {
    expect(e).toBeInstanceOf(YAMLParseError);
    return e as YAMLParseError;
  }
  throw new Error('expected a YAMLParseError');
}

describe('K8sEntity accessors', () => {
  it('reads identity fields', () => {
    const e = parseOne(deploymentYAML);
    expect(e.apiVersion).toBe('apps/v1');
    expect(e.group).toBe('apps');
    expect(e.version).toBe('v1');
    expect(e.kind).toBe('Deployment');
    expect(e.name).toBe('sancho');
    expect(e.namespace).toBe('prod');
    expect(e.namespaceOrDefault).toBe('prod');
    expect(e.labels).toEqual({ app: 'sancho' });
    expect(e.isBuiltin).toBe(true);
  });

  it('uses the empty group for the core API and "default" for a missing namespace', () => {
    const e = parseOne('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n');
    expect(e.group).toBe('');
    expect(e.version).toBe('v1');
    expect(e.namespace).toBe('');
    expect(e.namespaceOrDefault).toBe('default');
    expect(e.labels).toEqual({});
    expect(e.annotations).toEqual({});
  });

  it('treats custom resource groups as not built in', () => {
    const e = parseOne('apiVersion: tilt.dev/v1alpha1\nkind: UIButton\nmetadata:\n  name: b\n');
    expect(e.group).toBe('tilt.dev');
    expect(e.isBuiltin).toBe(false);
    expect(e.podTemplate()).toBeUndefined();
  });

  it('keeps only string labels', () => {
    const e = new K8sEntity({ kind: 'X', metadata: { labels: { a: 'b', n: 1 } } });
    expect(e.labels).toEqual({ a: 'b' });
  });

  it('finds the pod template of each built-in workload kind', () => {
    const cases: [string, string, string[]][] = [
      ['Deployment', 'apps/v1', ['spec', 'template']],
      ['Deployment', 'extensions/v1beta1', ['spec', 'template']],
      ['StatefulSet', 'apps/v1', ['spec', 'template']],
      ['DaemonSet', 'apps/v1', ['spec', 'template']],
      ['ReplicaSet', 'apps/v1', ['spec', 'template']],
      ['Job', 'batch/v1', ['spec', 'template']],
      ['CronJob', 'batch/v1', ['spec', 'jobTemplate', 'spec', 'template']],
      ['Pod', 'v1', []],
    ];
    for (const [kind, apiVersion, path] of cases) {
      const e = workload(kind, 'w', { app: 'w' }, { apiVersion });
      const t = e.podTemplate();
      expect(t?.path, kind).toEqual(path);
      expect(t?.labels, kind).toEqual({ app: 'w' });
      expect(t?.spec?.containers, kind).toEqual([{ name: 'c', image: 'w-image' }]);
    }
  });

  it('finds templates of ReplicationController and PodTemplate', () => {
    const rc = parseOne(
      'apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: []}\n',
    );
    expect(rc.podTemplate()?.labels).toEqual({ a: 'b' });
    const pt = parseOne(
      'apiVersion: v1\nkind: PodTemplate\nmetadata: {name: pt}\ntemplate:\n  spec: {containers: []}\n',
    );
    expect(pt.podTemplate()?.path).toEqual(['template']);
    expect(pt.podTemplate()?.metadata).toBeUndefined();
  });

  it('has no pod template for a workload kind of another group, or a missing template', () => {
    const crd = workload('Deployment', 'x', {}, { apiVersion: 'example.com/v1' });
    expect(crd.podTemplate()).toBeUndefined();
    const bare = parseOne('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    expect(bare.podTemplate()).toBeUndefined();
  });

  it('lists every ObjectMeta the way Tilt decodes built-in kinds', () => {
    const d = parseOne(deploymentYAML);
    expect(d.objectMetas().map((m) => m.labels)).toEqual([
      { app: 'sancho' },
      { app: 'sancho', tier: 'web' },
    ]);
    // A template without metadata still has an (empty) ObjectMeta.
    const bare = parseOne('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    expect(bare.objectMetas()).toEqual([{ name: 'd' }, {}]);
    const cron = workload('CronJob', 'c', { a: 'b' });
    expect(cron.objectMetas()).toEqual([{ name: 'c' }, {}, { labels: { a: 'b' } }]);
    const cm = parseOne('apiVersion: v1\nkind: ConfigMap\n');
    expect(cm.objectMetas()).toEqual([{}]);
  });

  it('includes StatefulSet claim templates and ephemeral volume claims', () => {
    const ss = parseOne(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: []
      volumes:
      - name: scratch
        ephemeral:
          volumeClaimTemplate:
            spec: {}
  volumeClaimTemplates:
  - metadata: {name: data, labels: {v: '1'}}
`);
    expect(ss.objectMetas()).toEqual([
      { name: 'db' },
      { labels: { app: 'db' } },
      { name: 'data', labels: { v: '1' } },
      {},
    ]);
  });

  it('includes a ReplicationController template only when written', () => {
    const rc = parseOne('apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\n');
    expect(rc.objectMetas()).toEqual([{ name: 'rc' }]);
  });

  it('clones deeply', () => {
    const e = parseOne(deploymentYAML);
    const c = e.clone();
    (c.obj.metadata as Record<string, unknown>).name = 'other';
    expect(e.name).toBe('sancho');
    expect(c.name).toBe('other');
  });
});

describe('parseYAMLStream', () => {
  it('parses a multi-document stream in order', () => {
    const es = parseYAMLStream(
      `${deploymentYAML}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: sancho\n`,
    );
    expect(es.map((e) => `${e.kind}/${e.name}`)).toEqual(['Deployment/sancho', 'Service/sancho']);
  });

  it('skips empty, comment-only and null documents', () => {
    const es = parseYAMLStream(
      '---\n---\n# just a comment\n---\nnull\n---\n~\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\n',
    );
    expect(es.map((e) => e.name)).toEqual(['ns']);
    expect(parseYAMLStream('')).toEqual([]);
    expect(parseYAMLStream('   \n\n')).toEqual([]);
  });

  it('expands v1 Lists, recursively, skipping null items', () => {
    const es = parseYAMLStream(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: a}
- null
- apiVersion: v1
  kind: List
  items:
  - apiVersion: v1
    kind: Secret
    metadata: {name: b}
`);
    expect(es.map((e) => `${e.kind}/${e.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
    expect(parseYAMLStream('apiVersion: v1\nkind: List\n')).toEqual([]);
  });

  it('keeps typed lists and lists of other groups as objects', () => {
    const es = parseYAMLStream(
      'apiVersion: v1\nkind: ConfigMapList\nitems: []\n---\napiVersion: example.com/v1\nkind: List\nitems: []\n',
    );
    expect(es.map((e) => e.kind)).toEqual(['ConfigMapList', 'List']);
  });

  it('accepts JSON', () => {
    const e = parseOne('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}');
    expect(e.name).toBe('p');
  });

  it('accepts objects without metadata or name', () => {
    const e = parseOne('apiVersion: v1\nkind: ConfigMap\n');
    expect(e.name).toBe('');
    expect(e.metadata).toBeUndefined();
  });

  it('reads scalars the way Go YAML does (YAML 1.1)', () => {
    const e = parseOne(`apiVersion: v1
kind: ConfigMap
data:
  octal: 0644
  yes: yes
  off: off
  hex: 0x1F
  sexagesimal: 1:20
  date: 2001-12-14
  plain: "0644"
`);
    expect(e.obj.data).toEqual({
      octal: 420,
      true: true,
      false: false,
      hex: 31,
      sexagesimal: '1:20',
      date: '2001-12-14',
      plain: '0644',
    });
  });

  it('resolves anchors, aliases and merge keys; the last duplicate key wins', () => {
    const e = parseOne(
      'apiVersion: v1\nkind: ConfigMap\nbase: &b {x: 1, z: 2}\ncopy: *b\nmerged:\n  <<: *b\n  z: 3\ndup: 1\ndup: 2\n',
    );
    expect(e.obj.copy).toEqual({ x: 1, z: 2 });
    expect(e.obj.merged).toEqual({ x: 1, z: 3 });
    expect(e.obj.dup).toBe(2);
  });

  it('decodes !!binary as its text', () => {
    const e = parseOne('apiVersion: v1\nkind: ConfigMap\nb: !!binary aGVsbG8=\n');
    expect(e.obj.b).toBe('hello');
  });

  it('reports syntax errors with the line, as Go YAML words them', () => {
    const err = parseError('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n');
    expect(err.message).toBe(
      'error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context',
    );
    expect(err.line).toBe(4);
    expect(err.source).toBeUndefined();
  });

  it('names the source when given', () => {
    const err = parseError('a:\n  b: 1\n c: 2\n', 'deploy.yaml');
    expect(err.message).toBe(
      'Error reading yaml from deploy.yaml: error converting YAML to JSON: yaml: line 3: did not find expected key',
    );
    expect(err.detail).toBe(
      'error converting YAML to JSON: yaml: line 3: did not find expected key',
    );
    expect(err.source).toBe('deploy.yaml');
  });

  it('counts lines across the whole stream', () => {
    const err = parseError('apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n\tx: 1\n');
    expect(err.line).toBe(6);
  });

  it('maps other common syntax errors', () => {
    expect(parseError('a:\n\tb: 1\n').detail).toMatch(
      /line 2: found character that cannot start any token$/,
    );
    expect(parseError('a: "open\n').detail).toMatch(/found unexpected end of stream$/);
    expect(parseError('a: [x, y\n').detail).toMatch(/did not find expected ',' or '\]'$/);
    expect(parseError('a: {x: 1\n').detail).toMatch(/did not find expected ',' or '}'$/);
    expect(parseError('foo\nbar: baz\n').detail).toMatch(/line 1: could not find expected ':'$/);
  });

  it('reports unknown anchors', () => {
    const err = parseError('apiVersion: v1\nkind: A\nx: *nope\n');
    expect(err.detail).toBe(
      "error converting YAML to JSON: yaml: line 3: unknown anchor 'nope' referenced",
    );
  });

  it('rejects documents that are not objects, as the Kubernetes decoder does', () => {
    const kindStruct =
      'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
    expect(parseError('just a string\n').detail).toBe(
      `couldn't get version/kind; json parse error: json: cannot unmarshal string into Go value of type ${kindStruct}`,
    );
    expect(parseError('- a\n- b\n').detail).toContain('cannot unmarshal array into Go value');
    expect(parseError('42\n').detail).toContain('cannot unmarshal number into Go value');
    expect(parseError('true\n').detail).toContain('cannot unmarshal bool into Go value');
  });

  it('rejects non-string kind or apiVersion', () => {
    expect(parseError('apiVersion: v1\nkind: 3\n').detail).toBe(
      "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string",
    );
  });

  it("reports a missing kind with the document's JSON", () => {
    const err = parseError('---\nmetadata:\n  name: x\n  labels: {b: "<&>"}\napiVersion: v1\n');
    expect(err.detail).toBe(
      `Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"labels":{"b":"\\u003c\\u0026\\u003e"},"name":"x"}}'`,
    );
    expect(err.line).toBe(2);
    expect(parseError('{}\n').detail).toBe("Object 'Kind' is missing in '{}'");
  });

  it('reports a missing apiVersion with the kind and name', () => {
    expect(parseError('kind: Deployment\nmetadata: {name: web}\n').detail).toBe(
      `decoding Deployment "web": Object 'apiVersion' is missing in '{"kind":"Deployment","metadata":{"name":"web"}}'`,
    );
  });

  it('rejects metadata of the wrong type in built-in kinds only', () => {
    // YAML 1.1 reads `no` as a boolean, which a typed ObjectMeta refuses.
    expect(parseError('apiVersion: v1\nkind: Namespace\nmetadata: {name: no}\n').detail).toBe(
      'decoding Namespace "": json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of type string',
    );
    expect(
      parseError('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {on: yes}}\n')
        .detail,
    ).toBe(
      'decoding Deployment "d": json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
    );
    expect(parseError('apiVersion: v1\nkind: Pod\nmetadata: [a]\n').detail).toBe(
      'decoding Pod "": json: cannot unmarshal array into Go struct field Pod.metadata of type v1.ObjectMeta',
    );
    expect(parseError('apiVersion: v1\nkind: Pod\nmetadata: {annotations: a}\n').detail).toBe(
      'decoding Pod "": json: cannot unmarshal string into Go struct field ObjectMeta.metadata.annotations of type map[string]string',
    );
    const crd = parseOne('apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: no}\n');
    expect(crd.name).toBe('');
    expect(crd.obj.metadata).toEqual({ name: false });
  });

  it('reports the first bad document even when a later one is also bad', () => {
    const err = parseError('kind: A\n---\na: b: c\n');
    expect(err.detail).toMatch(/^decoding A "": Object 'apiVersion' is missing/);
  });
});

describe('serializeYAMLStream', () => {
  it('writes sorted keys with unindented sequences', () => {
    const out = serializeYAMLStream([
      new K8sEntity({
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'i', args: ['a', 'b'] }] },
      }),
    ]);
    expect(out).toBe(`apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - args:
    - a
    - b
    image: i
    name: c
`);
  });

  it('joins documents with a separator after a blank line', () => {
    const a = new K8sEntity({ apiVersion: 'v1', kind: 'A' });
    const b = new K8sEntity({ apiVersion: 'v1', kind: 'B' });
    expect(serializeYAMLStream([a, b])).toBe(
      'apiVersion: v1\nkind: A\n\n---\napiVersion: v1\nkind: B\n',
    );
    expect(serializeYAMLStream([])).toBe('');
  });

  it('drops the status of built-in kinds but keeps it for custom resources', () => {
    const builtin = new K8sEntity({ apiVersion: 'apps/v1', kind: 'Deployment', status: { x: 1 } });
    const custom = new K8sEntity({ apiVersion: 'example.com/v1', kind: 'Thing', status: { x: 1 } });
    expect(serializeYAMLStream([builtin])).not.toContain('status');
    expect(serializeYAMLStream([custom])).toContain('status:\n  x: 1');
    expect(builtin.obj.status).toEqual({ x: 1 });
  });

  it('quotes strings that YAML 1.1 would read as other types', () => {
    const e = new K8sEntity({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { a: 'yes', b: '0644', c: 'on', d: '', e: 'null', f: 'y' },
    });
    const out = serializeYAMLStream([e]);
    expect(out).toContain('a: "yes"');
    expect(out).toContain('b: "0644"');
    expect(parseYAMLStream(out)[0].obj).toEqual(e.obj);
  });

  it('round-trips parsed objects', () => {
    const es = parseYAMLStream(
      `${deploymentYAML}---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n`,
    );
    const again = parseYAMLStream(serializeYAMLStream(es));
    expect(again.map((e) => e.obj)).toEqual(es.map((e) => e.obj));
  });

  it('does not fold long strings', () => {
    const long = 'x '.repeat(100).trim();
    const out = serializeYAMLStream([new K8sEntity({ apiVersion: 'v1', kind: 'A', s: long })]);
    expect(out).toContain(`s: ${long}\n`);
  });
});
