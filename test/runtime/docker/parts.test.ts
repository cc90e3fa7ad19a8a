// The smaller parts: log stream decoding, DNS names, volumes, the sandbox
// executable, back-off, and an engine that does not answer.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { DockerUnreachableError } from '../../../src/build/docker/engine.js';
import type { JSONObject } from '../../../src/k8s/json.js';
import { parseYAMLStream } from '../../../src/k8s/entity.js';
import { ConfigStore } from '../../../src/runtime/docker/config-store.js';
import { backoffDelay, formatDelay } from '../../../src/runtime/docker/container-slot.js';
import { DockerRuntime } from '../../../src/runtime/docker/index.js';
import {
  dockerSince,
  FrameDemuxer,
  LineSplitter,
  sinceAfter,
  type StreamKind,
} from '../../../src/runtime/docker/logs.js';
import { podAliases, remappedPorts, serviceSelects } from '../../../src/runtime/docker/network.js';
import { pauseArch, pauseExecutable } from '../../../src/runtime/docker/pause-image.js';
import {
  containerMounts,
  planVolumes,
  VolumeMountError,
} from '../../../src/runtime/docker/volumes.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('log decoding', () => {
  it('demultiplexes frames split anywhere', () => {
    const got: [StreamKind, string][] = [];
    const demux = new FrameDemuxer((kind, data) => got.push([kind, data.toString()]));
    const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more')]);
    for (let i = 0; i < all.length; i += 3) demux.push(all.subarray(i, i + 3));
    expect(got).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
      ['stdout', 'more'],
    ]);
  });

  it('cuts whole lines, keeping UTF-8 characters and partial lines whole', () => {
    const split = new LineSplitter();
    const text = Buffer.from('héllo\r\nwor');
    expect(split.push(text.subarray(0, 2))).toEqual([]);
    expect(split.push(text.subarray(2))).toEqual(['héllo']);
    expect(split.push(Buffer.from('ld\nlast'))).toEqual(['world']);
    expect(split.flush()).toEqual(['last']);
    expect(split.flush()).toEqual([]);
  });

  it('writes times as Docker reads `since`', () => {
    expect(dockerSince('2024-05-01T12:00:00.123456789Z')).toBe('1714564800.123456789');
    expect(dockerSince('2024-05-01T12:00:00Z')).toBe('1714564800.000000000');
    expect(dockerSince('2024-05-01T12:00:00.5+02:00')).toBe('1714557600.500000000');
    expect(dockerSince(1714564800123)).toBe('1714564800.123000000');
    expect(sinceAfter('2024-05-01T12:00:00.999999999Z')).toBe('1714564801.000000000');
    expect(sinceAfter('0001-01-01T00:00:00Z')).toBe('0');
    expect(sinceAfter('')).toBe('0');
  });
});

describe('DNS names', () => {
  const svc = (name: string, selector: Record<string, string>, ns?: string): JSONObject => ({
    metadata: ns ? { name, namespace: ns } : { name },
    spec: { selector, ports: [{ port: 80, targetPort: 8080 }, { port: 9000 }] },
  });
  const pod = {
    name: 'web-abc',
    namespace: 'default',
    labels: { app: 'web', tier: 'front' },
    hostname: 'web-abc',
  };

  it('selects pods by all selector labels in the same namespace', () => {
    expect(serviceSelects(svc('a', { app: 'web' }), pod)).toBe(true);
    expect(serviceSelects(svc('a', { app: 'web', tier: 'back' }), pod)).toBe(false);
    expect(serviceSelects(svc('a', {}), pod)).toBe(false);
    expect(serviceSelects(svc('a', { app: 'web' }, 'prod'), pod)).toBe(false);
  });

  it('names the pod after its hostname and the Services that select it', () => {
    expect(podAliases(pod, [svc('web', { app: 'web' }), svc('db', { app: 'db' })])).toEqual([
      'web',
      'web-abc',
      'web.default',
      'web.default.svc',
      'web.default.svc.cluster.local',
    ]);
    expect(podAliases({ ...pod, name: 'db-0', hostname: 'db-0', subdomain: 'db' }, [])).toEqual([
      'db-0',
      'db-0.db',
      'db-0.db.default',
      'db-0.db.default.svc',
      'db-0.db.default.svc.cluster.local',
    ]);
  });

  it('finds ports a Service remaps', () => {
    expect(remappedPorts(svc('web', {}))).toEqual([{ port: 80, targetPort: 8080 }]);
  });
});

describe('volumes', () => {
  const store = new ConfigStore();
  store.replaceResource(
    'c',
    parseYAMLStream('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a.conf: x}'),
  );
  const spec: JSONObject = {
    volumes: [
      { name: 'scratch', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'pg' } },
      { name: 'host', hostPath: { path: '/var/log' } },
      { name: 'conf', configMap: { name: 'cfg' } },
      { name: 'odd', nfs: { server: 'x', path: '/' } },
    ],
  };
  const podDir = path.join(os.tmpdir(), 'tilt-ts-unit', 'web-1');
  const plan = planVolumes(spec, {
    project: 'p',
    namespace: 'default',
    podKey: 'web-1',
    podDir,
    lookup: store,
    field: () => '',
    claimTemplates: { names: ['pgdata'], setName: 'db', ordinal: 0 },
  });

  it('plans a Docker volume, bind or files for each', () => {
    expect(
      plan.volumes.map((v) => [v.name, v.kind, v.kind === 'docker-volume' ? v.dockerName : '']),
    ).toEqual([
      ['scratch', 'docker-volume', 'tilt-p-web-1-scratch'],
      ['data', 'docker-volume', 'tilt-p-pg'],
      ['host', 'bind', ''],
      ['conf', 'files', ''],
      ['odd', 'docker-volume', 'tilt-p-web-1-odd'],
      ['pgdata', 'docker-volume', 'tilt-p-pgdata-db-0'],
    ]);
    expect(plan.warnings).toEqual([
      'volume "odd" of type nfs is not supported by the Docker runtime: it is an empty volume',
    ]);
  });

  it('mounts them as the container asks', () => {
    const mounts = containerMounts(
      {
        name: 'main',
        volumeMounts: [
          { name: 'scratch', mountPath: '/scratch' },
          { name: 'data', mountPath: '/data', readOnly: true, subPath: 'sub' },
          { name: 'host', mountPath: '/logs', readOnly: true },
          { name: 'conf', mountPath: '/etc/app/a.conf', subPath: 'a.conf' },
        ],
      },
      plan.volumes,
    );
    expect(mounts.binds).toEqual([
      '/var/log:/logs:ro',
      `${path.join(podDir, 'volumes', 'conf', 'a.conf')}:/etc/app/a.conf:ro`,
    ]);
    expect(mounts.mounts.map((m) => [m.Source, m.Target, m.ReadOnly])).toEqual([
      ['tilt-p-web-1-scratch', '/scratch', false],
      ['tilt-p-pg', '/data', true],
    ]);
    expect(mounts.warnings).toEqual([
      'container "main" mounts subPath "sub" of volume "data": the Docker runtime mounts the whole volume',
    ]);
    expect(() =>
      containerMounts(
        { name: 'main', volumeMounts: [{ name: 'nope', mountPath: '/x' }] },
        plan.volumes,
      ),
    ).toThrow(VolumeMountError);
  });
});

describe('the sandbox executable', () => {
  it.each([
    ['amd64', 0x3e],
    ['arm64', 0xb7],
  ] as const)('is a static ELF64 executable for %s', (arch, machine) => {
    const elf = pauseExecutable(arch);
    expect(elf.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(elf[4]).toBe(2); // 64-bit
    expect(elf.readUInt16LE(16)).toBe(2); // executable
    expect(elf.readUInt16LE(18)).toBe(machine);
    const entry = elf.readBigUInt64LE(24);
    const vaddr = elf.readBigUInt64LE(64 + 16);
    expect(Number(entry - vaddr)).toBe(120); // the code follows the headers
    expect(Number(elf.readBigUInt64LE(64 + 32))).toBe(elf.length); // one segment maps it all
    expect(elf.length).toBeLessThan(160);
  });

  it('knows the architectures by their names', () => {
    expect(pauseArch('x86_64')).toBe('amd64');
    expect(pauseArch('x64')).toBe('amd64');
    expect(pauseArch('aarch64')).toBe('arm64');
    expect(() => pauseArch('s390x')).toThrow(/no pod sandbox for architecture s390x/);
  });
});

describe('back-off', () => {
  it('doubles from the base up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 10_000, 300_000))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000,
    ]);
    expect(formatDelay(10_000)).toBe('10s');
    expect(formatDelay(160_000)).toBe('2m40s');
    expect(formatDelay(300_000)).toBe('5m0s');
    expect(formatDelay(200)).toBe('200ms');
  });
});

describe('an engine that does not answer', () => {
  it('fails start with DockerUnreachableError', async () => {
    const socketPath = path.join(os.tmpdir(), `tilt-ts-no-docker-${process.pid}.sock`);
    fs.rmSync(socketPath, { force: true });
    const runtime = new DockerRuntime({
      docker: new Docker({ socketPath }),
      project: 'unreachable',
      stateDir: path.join(os.tmpdir(), 'tilt-ts-unit', 'unreachable'),
    });
    expect(runtime.description).toBe(`Docker engine at unix://${socketPath}`);
    await expect(runtime.start({ pods() {}, log() {} })).rejects.toBeInstanceOf(
      DockerUnreachableError,
    );
    await runtime.close();
  });
});
