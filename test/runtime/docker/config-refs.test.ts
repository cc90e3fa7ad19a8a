// Environment and volume files from ConfigMaps, Secrets and the pod's own fields.

import { describe, expect, it } from 'vitest';
import { parseYAMLStream } from '../../../src/k8s/entity.js';
import type { JSONObject } from '../../../src/k8s/json.js';
import {
  ConfigRefError,
  podFieldResolver,
  referencedData,
  resolveEnv,
  volumeFiles,
} from '../../../src/runtime/docker/config-refs.js';
import { ConfigStore } from '../../../src/runtime/docker/config-store.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function storeWith(yamlText: string): ConfigStore {
  const store = new ConfigStore();
  store.replaceResource('config', parseYAMLStream(yamlText));
  return store;
}

const store = storeWith(`
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data: {HOST: db, PORT: "5432", "bad=key": x, app.conf: "a=1\\n"}
binaryData: {blob: ${b64('bytes')}}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {password: ${b64('s3cret')}, user: ${b64('ignored')}}
stringData: {user: admin}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: prod}
data: {X: "1"}
`);

const field = podFieldResolver({
  name: 'web-1',
  namespace: 'default',
  uid: 'uid-1',
  labels: { app: 'web', tier: 'front' },
  annotations: {},
  podIP: '172.18.0.5',
  nodeName: 'node',
  serviceAccountName: 'default',
});

const env = (container: JSONObject, namespace = 'default') =>
  resolveEnv(container, namespace, store, field);

describe('resolveEnv', () => {
  it('takes envFrom first, then env in order, later names winning', () => {
    expect(
      env({
        envFrom: [
          { configMapRef: { name: 'app' } },
          { secretRef: { name: 'creds' }, prefix: 'S_' },
        ],
        env: [
          { name: 'HOST', value: 'override' },
          { name: 'URL', value: 'postgres://$(S_user)@$(HOST):$(PORT)/$(NOPE)' },
        ],
      }),
    ).toEqual([
      ['HOST', 'override'],
      ['PORT', '5432'],
      ['app.conf', 'a=1\n'],
      ['blob', 'bytes'],
      ['S_password', 's3cret'],
      ['S_user', 'admin'],
      ['URL', 'postgres://admin@override:5432/$(NOPE)'],
    ]);
  });

  it('reads single keys and the pod fields', () => {
    expect(
      env({
        env: [
          { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'H', valueFrom: { configMapKeyRef: { name: 'app', key: 'HOST' } } },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        ],
      }),
    ).toEqual([
      ['P', 's3cret'],
      ['H', 'db'],
      ['POD', 'web-1'],
      ['IP', '172.18.0.5'],
      ['APP', 'web'],
    ]);
  });

  it('fails like the kubelet for missing objects and keys', () => {
    const fail = (container: JSONObject) => {
      try {
        env(container);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigRefError);
        expect((e as ConfigRefError).reason).toBe('CreateContainerConfigError');
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(fail({ envFrom: [{ configMapRef: { name: 'nope' } }] })).toBe(
      'configmap "nope" not found',
    );
    expect(fail({ envFrom: [{ secretRef: { name: 'nope' } }] })).toBe('secret "nope" not found');
    expect(
      fail({
        env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'app', key: 'MISSING' } } }],
      }),
    ).toBe("couldn't find key MISSING in ConfigMap default/app");
    expect(
      fail({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'x' } } }] }),
    ).toBe("couldn't find key x in Secret default/creds");
  });

  it('skips what is optional, and looks in the pod namespace only', () => {
    expect(
      env({
        envFrom: [{ configMapRef: { name: 'nope', optional: true } }],
        env: [
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'app', key: 'NO', optional: true } } },
        ],
      }),
    ).toEqual([]);
    expect(env({ envFrom: [{ configMapRef: { name: 'other' } }] }, 'prod')).toEqual([['X', '1']]);
    expect(() => env({ envFrom: [{ configMapRef: { name: 'other' } }] })).toThrow(ConfigRefError);
  });
});

describe('volumeFiles', () => {
  const files = (volume: JSONObject) =>
    volumeFiles(volume, 'default', store, field).map((f) => ({
      path: f.path,
      content: f.content.toString(),
      mode: f.mode.toString(8),
    }));

  it('writes every key, or the items asked for', () => {
    expect(files({ name: 'v', configMap: { name: 'app' } }).map((f) => f.path)).toEqual([
      'HOST',
      'PORT',
      'bad=key',
      'app.conf',
      'blob',
    ]);
    expect(
      files({
        name: 'v',
        configMap: {
          name: 'app',
          defaultMode: 0o600,
          items: [
            { key: 'app.conf', path: 'conf/app.conf' },
            { key: 'HOST', path: 'host', mode: 0o400 },
          ],
        },
      }),
    ).toEqual([
      { path: 'conf/app.conf', content: 'a=1\n', mode: '600' },
      { path: 'host', content: 'db', mode: '400' },
    ]);
    expect(
      files({
        name: 'v',
        secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw' }] },
      }),
    ).toEqual([{ path: 'pw', content: 's3cret', mode: '644' }]);
  });

  it('combines projected sources and the downward API', () => {
    expect(
      files({
        name: 'v',
        projected: {
          sources: [
            { configMap: { name: 'app', items: [{ key: 'PORT', path: 'port' }] } },
            { secret: { name: 'creds', items: [{ key: 'user', path: 'user' }] } },
            {
              downwardAPI: {
                items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }],
              },
            },
          ],
        },
      }),
    ).toEqual([
      { path: 'port', content: '5432', mode: '644' },
      { path: 'user', content: 'admin', mode: '644' },
      { path: 'labels', content: 'app="web"\ntier="front"', mode: '644' },
    ]);
  });

  it('fails to mount a missing object or key, unless optional', () => {
    expect(() => files({ name: 'v', configMap: { name: 'nope' } })).toThrow(
      'MountVolume.SetUp failed for volume "v" : configmap "nope" not found',
    );
    expect(() =>
      files({ name: 'v', configMap: { name: 'app', items: [{ key: 'X', path: 'x' }] } }),
    ).toThrow('configmap references non-existent config key: X');
    expect(() =>
      files({ name: 'v', configMap: { name: 'app', items: [{ key: 'HOST', path: '../x' }] } }),
    ).toThrow(/invalid path/);
    expect(files({ name: 'v', secret: { secretName: 'nope', optional: true } })).toEqual([]);
  });
});

describe('referencedData', () => {
  it('has the data of every object the spec reads, null when missing', () => {
    const data = referencedData(
      {
        containers: [
          {
            envFrom: [{ configMapRef: { name: 'app' } }],
            env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }],
          },
        ],
        volumes: [{ name: 'v', configMap: { name: 'missing' } }],
      },
      'default',
      store,
    );
    expect(Object.keys(data)).toEqual(['ConfigMap/app', 'ConfigMap/missing', 'Secret/creds']);
    expect(data['ConfigMap/missing']).toBeNull();
    expect(data['Secret/creds']).toMatchObject({ stringData: { user: 'admin' } });
  });
});
