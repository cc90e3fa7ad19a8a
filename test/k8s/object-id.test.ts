import { describe, expect, it } from 'vitest';
import {
  FragmentError,
  fullName,
  matchFragment,
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

function fragmentError(fragment: string, refs: ObjectRef[]): string {
  try {
    matchFragment(fragment, refs);
  } catch (e) {
    expect(e).toBeInstanceOf(FragmentError);
    return (e as Error).message;
  }
  throw new Error('expected a FragmentError');
}

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

describe('matchFragment', () => {
  const refs = [
    ref('blorg', 'Service'),
    ref('blorg', 'Deployment', 'default', 'apps'),
    ref('Other', 'Secret', 'ns'),
  ];

  it('resolves any unique candidate name, ignoring case', () => {
    expect(matchFragment('blorg:service', refs)).toBe(0);
    expect(matchFragment('BLORG:Deployment', refs)).toBe(1);
    expect(matchFragment('blorg:deployment:default:apps', refs)).toBe(1);
    expect(matchFragment('blorg:service:default:core', refs)).toBe(0);
    expect(matchFragment('other', refs)).toBe(2);
    expect(matchFragment('other:secret:ns', refs)).toBe(2);
  });

  it('matches whole components only', () => {
    expect(() => matchFragment('blor', refs)).toThrow(FragmentError);
    expect(() => matchFragment('other:secret:default', refs)).toThrow(FragmentError);
  });

  it("lists all objects when nothing matches, in Tilt's words", () => {
    expect(
      fragmentError('baz:namespace:qux', [ref('foo', 'Deployment'), ref('baz', 'Namespace')]),
    ).toBe(
      'No object identified by the fragment "baz:namespace:qux" could be found. ' +
        'Possible objects are: "foo:Deployment:default", "baz:Namespace:default"',
    );
    expect(fragmentError('x', [])).toBe(
      'No object identified by the fragment "x" could be found. Possible objects are: ',
    );
  });

  it('lists the matching objects when a fragment is ambiguous', () => {
    expect(fragmentError('blorg', refs)).toBe(
      '"blorg" is not a unique fragment. Objects that match "blorg" are ' +
        '"blorg:Service:default", "blorg:Deployment:default"',
    );
  });

  it('quotes fragments the way Go does', () => {
    expect(fragmentError('a"b\\c\n', refs)).toMatch(
      /^No object identified by the fragment "a\\"b\\\\c\\n" could/,
    );
  });
});
