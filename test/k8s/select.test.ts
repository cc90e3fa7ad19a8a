import { describe, expect, it } from 'vitest';
import { parseYAMLStream, type K8sEntity } from '../../src/k8s/entity.js';
import {
  ObjectSelector,
  filterYAML,
  hasMetadataLabels,
  matchesSelector,
  parseObjectSelector,
  serviceMatchesWorkload,
  serviceSelector,
  servicesForWorkload,
} from '../../src/k8s/select.js';
import { parseOne, service, workload } from './fixtures.js';

const names = (es: K8sEntity[]) => es.map((e) => `${e.kind}/${e.name}`);

describe('matchesSelector', () => {
  it('requires every selector entry in the labels', () => {
    expect(matchesSelector({ app: 'a', tier: 'web' }, { app: 'a' })).toBe(true);
    expect(matchesSelector({ app: 'a' }, { app: 'a', tier: 'web' })).toBe(false);
    expect(matchesSelector({ app: 'b' }, { app: 'a' })).toBe(false);
    expect(matchesSelector({ app: 'a' }, {})).toBe(true);
    expect(matchesSelector(undefined, { app: 'a' })).toBe(false);
    expect(matchesSelector({}, { toString: 'x' })).toBe(false);
  });
});

describe('ObjectSelector', () => {
  const deploy = parseOne(
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Frontend-Web}\n',
  );

  it('matches partial, case-insensitive regular expressions', () => {
    expect(ObjectSelector.partial({ kind: 'deploy' }).matches(deploy)).toBe(true);
    expect(ObjectSelector.partial({ name: 'web$' }).matches(deploy)).toBe(true);
    expect(ObjectSelector.partial({ name: '^web' }).matches(deploy)).toBe(false);
    expect(
      ObjectSelector.partial({ apiVersion: 'apps/v1', kind: 'Deployment' }).matches(deploy),
    ).toBe(true);
    expect(ObjectSelector.partial({ apiVersion: 'batch' }).matches(deploy)).toBe(false);
    expect(ObjectSelector.partial({}).matches(deploy)).toBe(true);
    expect(ObjectSelector.partial({ kind: '(?i)DEPLOYMENT' }).matches(deploy)).toBe(true);
  });

  it('compares namespaces with "default" for objects naming none', () => {
    expect(ObjectSelector.partial({ namespace: '^default$' }).matches(deploy)).toBe(true);
    expect(ObjectSelector.exact({ namespace: 'DEFAULT' }).matches(deploy)).toBe(true);
  });

  it('matches exact names ignoring case, with regex characters taken literally', () => {
    expect(ObjectSelector.exact({ name: 'frontend-web' }).matches(deploy)).toBe(true);
    expect(ObjectSelector.exact({ name: 'frontend' }).matches(deploy)).toBe(false);
    const dotted = parseOne('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a.b}\n');
    expect(ObjectSelector.exact({ name: 'a.b' }).matches(dotted)).toBe(true);
    expect(ObjectSelector.exact({ name: 'a.b' }).matches(deploy)).toBe(false);
    expect(ObjectSelector.exact({ name: 'a*' }).matches(dotted)).toBe(false);
  });

  it("names the field whose regular expression doesn't compile", () => {
    expect(() => ObjectSelector.partial({ kind: '(' })).toThrow(/^error parsing kind regexp: /);
    expect(() => ObjectSelector.partial({ apiVersion: '[' })).toThrow(
      /^error parsing apiVersion regexp: /,
    );
  });

  it('compares selectors by their patterns', () => {
    const a = ObjectSelector.partial({ kind: 'Job' });
    expect(a.equals(ObjectSelector.partial({ kind: 'Job' }))).toBe(true);
    expect(a.equals(ObjectSelector.exact({ kind: 'Job' }))).toBe(false);
    expect(a.spec).toEqual({ apiVersion: '', kind: 'Job', name: '', namespace: '' });
  });
});

describe('parseObjectSelector', () => {
  const cm = parseOne('apiVersion: v1\nkind: Secret\nmetadata: {name: "a:b", namespace: ns}\n');

  it('splits name, kind and namespace, with escapes', () => {
    expect(parseObjectSelector('a\\:b').matches(cm)).toBe(true);
    expect(parseObjectSelector('a\\:b:secret:NS').matches(cm)).toBe(true);
    expect(parseObjectSelector('a\\:b:secret:default').matches(cm)).toBe(false);
    expect(parseObjectSelector('a\\:b::ns').matches(cm)).toBe(true);
    expect(parseObjectSelector('a\\:b:secret').spec).toEqual({
      apiVersion: '',
      kind: 'secret',
      name: 'a:b',
      namespace: '',
    });
  });

  it("fails with Tilt's messages", () => {
    expect(() => parseObjectSelector('')).toThrow("selector can't be empty");
    expect(() => parseObjectSelector('a:b:c:d')).toThrow(
      'Too many parts in selector. Selectors must contain between 1 and 3 parts (colon separated), found 4 parts in a:b:c:d',
    );
    expect(() => parseObjectSelector('abcdef\\x')).toThrow(
      "invalid escape sequence '\\x' in 'ef\\x'",
    );
  });
});

describe('Service grouping', () => {
  const web = workload('Deployment', 'web', { app: 'web', tier: 'front' }, { namespace: 'prod' });

  it('reads selectors of core Services only', () => {
    expect(serviceSelector(service('s', { app: 'web' }))).toEqual({ app: 'web' });
    expect(
      serviceSelector(service('s', { app: 'web' }, undefined, 'serving.knative.dev/v1')),
    ).toBeUndefined();
    expect(serviceSelector(web)).toBeUndefined();
    expect(serviceSelector(service('s', undefined))).toEqual({});
  });

  it('joins a Service whose selector matches the pod template labels', () => {
    expect(serviceMatchesWorkload(service('s', { app: 'web' }, 'prod'), web)).toBe(true);
    expect(serviceMatchesWorkload(service('s', { app: 'web', tier: 'front' }, 'prod'), web)).toBe(
      true,
    );
    expect(serviceMatchesWorkload(service('s', { app: 'other' }, 'prod'), web)).toBe(false);
    expect(serviceMatchesWorkload(service('s', { app: 'web', x: 'y' }, 'prod'), web)).toBe(false);
  });

  it('never joins a Service without a selector', () => {
    expect(serviceMatchesWorkload(service('s', undefined, 'prod'), web)).toBe(false);
    expect(serviceMatchesWorkload(service('s', {}, 'prod'), web)).toBe(false);
  });

  it('requires the same namespace, except for Services in the default namespace', () => {
    expect(serviceMatchesWorkload(service('s', { app: 'web' }, 'staging'), web)).toBe(false);
    expect(serviceMatchesWorkload(service('s', { app: 'web' }), web)).toBe(true);
    expect(serviceMatchesWorkload(service('s', { app: 'web' }, 'default'), web)).toBe(true);
    const inDefault = workload('Deployment', 'web', { app: 'web' });
    expect(serviceMatchesWorkload(service('s', { app: 'web' }, 'prod'), inDefault)).toBe(false);
  });

  it('matches against the template of each workload kind, but not bare Pods', () => {
    for (const kind of ['StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']) {
      expect(
        serviceMatchesWorkload(service('s', { app: 'w' }), workload(kind, 'w', { app: 'w' })),
        kind,
      ).toBe(true);
    }
    expect(
      serviceMatchesWorkload(service('s', { app: 'w' }), workload('Pod', 'w', { app: 'w' })),
    ).toBe(false);
  });

  it('ignores non-Service objects', () => {
    const other = workload('Deployment', 'x', { app: 'web' });
    expect(serviceMatchesWorkload(other, web)).toBe(false);
  });

  it('splits candidates into joining Services and the rest, order kept', () => {
    const candidates = [
      service('a', { app: 'web' }),
      service('b', { app: 'nope' }),
      parseOne('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'),
      service('d', { tier: 'front' }, 'prod'),
    ];
    const [joined, rest] = servicesForWorkload(web, candidates);
    expect(names(joined)).toEqual(['Service/a', 'Service/d']);
    expect(names(rest)).toEqual(['Service/b', 'ConfigMap/c']);
  });
});

describe('filterYAML', () => {
  const stream = parseYAMLStream(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-master
  namespace: cache
  labels: {app: redis, role: master}
spec:
  template:
    metadata:
      labels: {app: redis, role: master}
    spec: {containers: [{name: r, image: redis}]}
---
apiVersion: v1
kind: Service
metadata:
  name: redis-master
  labels: {app: redis, role: master}
spec:
  selector: {app: redis}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  labels: {app: guestbook}
spec:
  template:
    metadata:
      labels: {tier: frontend}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  labels: {app: guestbook}
`);

  it('matches names, kinds and api versions anywhere, ignoring case', () => {
    expect(names(filterYAML(stream, { name: 'REDIS' })[0])).toEqual([
      'Deployment/redis-master',
      'Service/redis-master',
    ]);
    expect(names(filterYAML(stream, { kind: 'deploy' })[0])).toEqual([
      'Deployment/redis-master',
      'Deployment/frontend',
    ]);
    expect(names(filterYAML(stream, { api_version: 'networking' })[0])).toEqual(['Ingress/web']);
    expect(names(filterYAML(stream, { name: '^front', kind: 'Deployment' })[0])).toEqual([
      'Deployment/frontend',
    ]);
  });

  it('matches namespaces, with "default" for objects naming none', () => {
    expect(names(filterYAML(stream, { namespace: 'cache' })[0])).toEqual([
      'Deployment/redis-master',
    ]);
    expect(names(filterYAML(stream, { namespace: 'default' })[0])).toEqual([
      'Service/redis-master',
      'Deployment/frontend',
      'Ingress/web',
    ]);
  });

  it('returns everything else as the rest', () => {
    const [match, rest] = filterYAML(stream, { kind: 'service' });
    expect(names(match)).toEqual(['Service/redis-master']);
    expect(names(rest)).toEqual(['Deployment/redis-master', 'Deployment/frontend', 'Ingress/web']);
    expect(filterYAML(stream, {})[0]).toHaveLength(4);
  });

  it("requires labels on every ObjectMeta, including a workload's pod template", () => {
    const [match, rest] = filterYAML(stream, { labels: { app: 'guestbook' } });
    // The frontend Deployment's pod template lacks app=guestbook, so it does not match.
    expect(names(match)).toEqual(['Ingress/web']);
    expect(names(rest)).toEqual([
      'Deployment/redis-master',
      'Service/redis-master',
      'Deployment/frontend',
    ]);
    expect(names(filterYAML(stream, { labels: { app: 'redis', role: 'master' } })[0])).toEqual([
      'Deployment/redis-master',
      'Service/redis-master',
    ]);
  });

  it('lists selector misses before label misses in the rest', () => {
    const [match, rest] = filterYAML(stream, { name: 'redis', labels: { app: 'x' } });
    expect(match).toEqual([]);
    expect(names(rest)).toEqual([
      'Deployment/frontend',
      'Ingress/web',
      'Deployment/redis-master',
      'Service/redis-master',
    ]);
  });

  it('checks metadata labels directly', () => {
    expect(hasMetadataLabels(stream[1], { app: 'redis' })).toBe(true);
    expect(hasMetadataLabels(stream[2], { app: 'guestbook' })).toBe(false);
  });
});
