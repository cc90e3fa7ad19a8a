import { describe, expect, it } from 'vitest';
import {
  DuplicateYAMLError,
  ObjectRegistry,
  duplicateYAMLMessage,
} from '../../src/k8s/duplicates.js';
import { parseYAMLStream } from '../../src/k8s/entity.js';
import { parseOne } from './fixtures.js';

const trace1 =
  'Traceback (most recent call last):\n  Tiltfile:1:9: in <toplevel>\n  <builtin>: in k8s_yaml\n';
const trace2 =
  'Traceback (most recent call last):\n  Tiltfile:2:9: in <toplevel>\n  <builtin>: in k8s_yaml\n';

const deployment = (namespace?: string, apiVersion = 'apps/v1') =>
  parseOne(
    JSON.stringify({
      apiVersion,
      kind: 'Deployment',
      metadata: namespace ? { name: 'web', namespace } : { name: 'web' },
    }),
  );

describe('duplicateYAMLMessage', () => {
  it('names kind and name, and the namespace when the object gives one', () => {
    expect(duplicateYAMLMessage(deployment(), 'here')).toBe(
      'Duplicate YAML: Deployment web\n' +
        'Ignore this error with k8s_yaml(..., allow_duplicates=True)\n' +
        'YAML originally registered at: here',
    );
    expect(duplicateYAMLMessage(deployment('prod'), 'here')).toMatch(
      /^Duplicate YAML: Deployment web \(Namespace: prod\)\n/,
    );
    expect(duplicateYAMLMessage(deployment('default'), 'here')).toMatch(
      /^Duplicate YAML: Deployment web \(Namespace: default\)\n/,
    );
  });

  it('indents the call stack', () => {
    expect(duplicateYAMLMessage(deployment(), trace1)).toBe(
      'Duplicate YAML: Deployment web\n' +
        'Ignore this error with k8s_yaml(..., allow_duplicates=True)\n' +
        'YAML originally registered at: Traceback (most recent call last):\n' +
        '    Tiltfile:1:9: in <toplevel>\n' +
        '    <builtin>: in k8s_yaml\n' +
        '  ',
    );
  });
});

describe('ObjectRegistry', () => {
  it('refuses the same object twice, quoting the first registration', () => {
    const reg = new ObjectRegistry();
    reg.append([deployment()], trace1);
    let err: unknown;
    try {
      reg.append([deployment()], trace2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DuplicateYAMLError);
    expect((err as DuplicateYAMLError).originalTrace).toBe(trace1);
    expect((err as Error).message).toContain('Tiltfile:1:9');
    expect(reg.size).toBe(1);
  });

  it('refuses duplicates within one call', () => {
    const reg = new ObjectRegistry();
    expect(() => reg.append([deployment(), deployment()], trace1)).toThrow(DuplicateYAMLError);
  });

  it('tells objects apart by namespace as written, apiVersion, kind and name', () => {
    const reg = new ObjectRegistry();
    reg.append(
      [
        deployment(),
        deployment('default'),
        deployment('prod'),
        deployment(undefined, 'extensions/v1beta1'),
        parseOne('apiVersion: v1\nkind: Service\nmetadata: {name: web}\n'),
      ],
      trace1,
    );
    expect(reg.size).toBe(5);
  });

  it('replaces allowed duplicates in place, keeping first-seen order', () => {
    const reg = new ObjectRegistry();
    const [a, b] = parseYAMLStream(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
    );
    reg.append([a, b], trace1);
    const a2 = parseOne('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: "1"}\n');
    reg.append([a2], trace2, true);
    expect(reg.entities()).toEqual([a2, b]);
    // The replacement's trace is the one quoted next time.
    expect(() => reg.append([a], 'later')).toThrow(/registered at: Traceback[^]*Tiltfile:2:9/);
  });
});
