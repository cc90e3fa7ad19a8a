import { describe, expect, it } from 'vitest';
import {
  fullName,
  nameKind,
  nameKindNamespace,
  nameKindNamespaceGroup,
  objectIdString,
  objectRef,
  potentialNames,
  shortestUniqueNames,
  type ObjectRef,
} from '../../src/k8s/object-id.js';
import { parseOne } from './fixtures.js';

const ref = (name: string, kind: string, namespace = 'default', group = ''): ObjectRef => ({
  name,
  kind,
  namespace,
  group,
});

describe('object refs and display forms', () => {
  it('takes the defaulted namespace and raw group from an entity', () => {
    const e = parseOne('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Web}\n');
    expect(objectRef(e)).toEqual({
      name: 'Web',
      kind: 'Deployment',
      namespace: 'default',
      group: 'apps',
    });
    const svc = parseOne('apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\n');
    expect(objectRef(svc)).toEqual({ name: 's', kind: 'Service', namespace: 'ns', group: '' });
  });

  it('lowercases the colon-joined forms and calls the empty group "core"', () => {
    const r = ref('Web', 'Deployment', 'Prod', 'apps');
    expect(nameKind(r)).toBe('web:deployment');
    expect(nameKindNamespace(r)).toBe('web:deployment:prod');
    expect(nameKindNamespaceGroup(r)).toBe('web:deployment:prod:apps');
    expect(potentialNames(ref('s', 'Service'))).toEqual([
      's',
      's:service',
      's:service:default',
      's:service:default:core',
    ]);
  });

  it('shows workload ids with an empty core group', () => {
    expect(objectIdString(ref('S', 'Service'))).toBe('s:service:default:');
    expect(objectIdString(ref('W', 'Deployment', 'x', 'apps'))).toBe('w:deployment:x:apps');
  });

  it('keeps case in full names and escapes colons and backslashes', () => {
    expect(fullName(ref('foo', 'Deployment'))).toBe('foo:Deployment:default');
    expect(fullName(ref('a:b', 'Secret', 'x\\y'))).toBe('a\\:b:Secret:x\\\\y');
  });
});

describe('shortestUniqueNames', () => {
  const cases: [string, ObjectRef[], string[]][] = [
    ['one workload, just name', [ref('foo', 'Deployment')], ['foo']],
    ['two by name', [ref('foo', 'Deployment'), ref('bar', 'Deployment')], ['foo', 'bar']],
    [
      'two by kind',
      [ref('foo', 'Deployment'), ref('foo', 'CronJob')],
      ['foo:deployment', 'foo:cronjob'],
    ],
    [
      'two by namespace',
      [ref('foo', 'Deployment', 'default'), ref('foo', 'Deployment', 'fission')],
      ['foo:deployment:default', 'foo:deployment:fission'],
    ],
    [
      'two by group',
      [ref('foo', 'Deployment', 'default', 'a'), ref('foo', 'Deployment', 'default', 'b')],
      ['foo:deployment:default:a', 'foo:deployment:default:b'],
    ],
    [
      'three: one by kind, two by namespace',
      [
        ref('foo', 'Deployment', 'default', 'a'),
        ref('foo', 'Deployment', 'fission', 'b'),
        ref('foo', 'CronJob', 'default', 'b'),
      ],
      ['foo:deployment:default', 'foo:deployment:fission', 'foo:cronjob'],
    ],
    [
      'identical objects get their index',
      [ref('foo', 'Deployment'), ref('bar', 'Job'), ref('foo', 'Deployment')],
      ['foo:deployment:default:core:0', 'bar', 'foo:deployment:default:core:2'],
    ],
    ['lowercased', [ref('Foo', 'Deployment')], ['foo']],
    ['none', [], []],
  ];
  for (const [name, refs, want] of cases) {
    it(name, () => expect(shortestUniqueNames(refs)).toEqual(want));
  }

  it('compares names ignoring case', () => {
    expect(shortestUniqueNames([ref('Foo', 'Deployment'), ref('foo', 'Service')])).toEqual([
      'foo:deployment',
      'foo:service',
    ]);
  });
});
