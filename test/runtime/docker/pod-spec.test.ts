// Pod spec → Docker create options, and the Kubernetes `$(VAR)` expansion.

import { describe, expect, it } from 'vitest';
import type { JSONObject } from '../../../src/k8s/json.js';
import { expandVars } from '../../../src/runtime/docker/expand.js';
import {
  containerCreateOptions,
  podHostname,
  quantity,
  sandboxCreateOptions,
  type ContainerInput,
} from '../../../src/runtime/docker/pod-spec.js';
import { PAUSE_IMAGE } from '../../../src/runtime/docker/pause-image.js';

const noMounts = { binds: [], mounts: [], warnings: [] };

function options(container: JSONObject, extra: Partial<ContainerInput> = {}) {
  return containerCreateOptions({
    name: 'proj_web-1_main',
    labels: { a: 'b' },
    sandboxId: 'sandbox123',
    container: { name: 'main', image: 'img:1', ...container },
    podSpec: {},
    env: [],
    mounts: noMounts,
    ...extra,
  });
}

describe('expandVars', () => {
  const vars: Record<string, string> = { A: 'one', EMPTY: '' };
  const lookup = (n: string) => vars[n];
  it.each([
    ['$(A)', 'one'],
    ['x$(A)y$(A)', 'xoneyone'],
    ['$(EMPTY)|', '|'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$', '$'],
    ['$A', '$A'],
    ['$(A', '$(A'],
    ['a$', 'a$'],
    // The name runs to the first `)`: `$(A` is no variable.
    ['$($(A))', '$($(A))'],
  ])('%s → %s', (input, want) => {
    expect(expandVars(input, lookup)).toBe(want);
  });
});

describe('containerCreateOptions', () => {
  it('keeps the image entrypoint and command when the spec names neither', () => {
    const o = options({});
    expect(o.Entrypoint).toBeUndefined();
    expect(o.Cmd).toBeUndefined();
    expect(o.Image).toBe('img:1');
    expect(o.name).toBe('proj_web-1_main');
  });

  it('replaces the entrypoint with command, and runs no image CMD then', () => {
    const o = options({ command: ['/bin/app', '--flag'] });
    expect(o.Entrypoint).toEqual(['/bin/app', '--flag']);
    expect(o.Cmd).toEqual([]);
  });

  it('replaces the CMD with args', () => {
    const o = options({ args: ['serve'] });
    expect(o.Entrypoint).toBeUndefined();
    expect(o.Cmd).toEqual(['serve']);
    expect(options({ command: ['sh', '-c'], args: ['echo hi'] })).toMatchObject({
      Entrypoint: ['sh', '-c'],
      Cmd: ['echo hi'],
    });
  });

  it('expands $(VAR) in command and args from the environment', () => {
    const o = options(
      { command: ['echo', '$(GREETING)'], args: ['$(NAME)', '$$(NAME)', '$(NOPE)'] },
      {
        env: [
          ['GREETING', 'hi'],
          ['NAME', 'web'],
        ],
      },
    );
    expect(o.Entrypoint).toEqual(['echo', 'hi']);
    expect(o.Cmd).toEqual(['web', '$(NAME)', '$(NOPE)']);
    expect(o.Env).toEqual(['GREETING=hi', 'NAME=web']);
  });

  it('joins the sandbox namespaces and restarts nothing by itself', () => {
    const o = options({}, { podSpec: { shareProcessNamespace: true } });
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'container:sandbox123',
      IpcMode: 'container:sandbox123',
      PidMode: 'container:sandbox123',
      RestartPolicy: { Name: 'no' },
    });
    expect(options({}).HostConfig?.PidMode).toBeUndefined();
  });

  it('maps workingDir, tty, stdin, security context and limits', () => {
    const o = options(
      {
        workingDir: '/app',
        tty: true,
        stdin: true,
        securityContext: {
          runAsUser: 1000,
          privileged: true,
          readOnlyRootFilesystem: true,
          capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        },
        resources: { limits: { memory: '128Mi', cpu: '500m' } },
      },
      { podSpec: { securityContext: { runAsGroup: 3000, fsGroup: 2000 } } },
    );
    expect(o).toMatchObject({ WorkingDir: '/app', Tty: true, OpenStdin: true, User: '1000:3000' });
    expect(o.HostConfig).toMatchObject({
      Privileged: true,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      GroupAdd: ['2000'],
      Memory: 128 * 2 ** 20,
      NanoCpus: 500_000_000,
    });
  });

  it('passes binds and mounts', () => {
    const mounts = {
      binds: ['/tmp/x:/etc/x:ro'],
      mounts: [{ Type: 'volume' as const, Source: 'v', Target: '/data' }],
      warnings: [],
    };
    const o = options({}, { mounts });
    expect(o.HostConfig?.Binds).toEqual(['/tmp/x:/etc/x:ro']);
    expect(o.HostConfig?.Mounts).toEqual([{ Type: 'volume', Source: 'v', Target: '/data' }]);
  });
});

describe('sandboxCreateOptions', () => {
  it('owns the network with the pod hostname and DNS names', () => {
    const o = sandboxCreateOptions({
      name: 'proj_web-1_POD',
      hostname: 'web-1',
      labels: { x: 'y' },
      network: 'tilt-proj',
      aliases: ['web', 'web-1'],
      podSpec: {
        hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local', 'cache.local'] }],
        dnsConfig: {
          nameservers: ['1.1.1.1'],
          searches: ['svc.local'],
          options: [{ name: 'ndots', value: '2' }],
        },
      },
    });
    expect(o).toMatchObject({
      name: 'proj_web-1_POD',
      Image: PAUSE_IMAGE,
      Hostname: 'web-1',
      Labels: { x: 'y' },
      NetworkingConfig: { EndpointsConfig: { 'tilt-proj': { Aliases: ['web', 'web-1'] } } },
    });
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'tilt-proj',
      IpcMode: 'shareable',
      ExtraHosts: ['db.local:10.0.0.1', 'cache.local:10.0.0.1'],
      Dns: ['1.1.1.1'],
      DnsSearch: ['svc.local'],
      DnsOptions: ['ndots:2'],
    });
  });

  it('truncates hostnames to 63 characters', () => {
    expect(podHostname('a'.repeat(62) + '-bc')).toBe('a'.repeat(62));
    expect(podHostname('short')).toBe('short');
  });
});

describe('quantity', () => {
  it.each([
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500M', 5e8],
    ['500m', 0.5],
    ['2', 2],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['100k', 1e5],
  ])('%s', (text, want) => {
    expect(quantity(text)).toBeCloseTo(want);
  });

  it('is undefined for what it cannot read', () => {
    expect(quantity('lots')).toBeUndefined();
    expect(quantity('12Xi')).toBeUndefined();
    expect(quantity(undefined)).toBeUndefined();
  });
});
