import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseRuntime, currentKubeContext } from '../../src/cli/runtime-choice.js';
import { deletionOrder } from '../../src/cli/down.js';
import { projectName } from '../../src/engine/project.js';
import type { Manifest } from '../../src/model/manifest.js';

function kubeconfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kube-'));
  writeFileSync(join(dir, 'config'), text);
  return join(dir, 'config');
}

describe('runtime choice', () => {
  it('uses the Docker runtime when no Kubernetes context is configured, and says why', () => {
    const env = { HOME: mkdtempSync(join(tmpdir(), 'home-')) };
    expect(chooseRuntime(undefined, env)).toEqual({
      kind: 'docker',
      reason: 'no Kubernetes context is configured',
    });
    expect(chooseRuntime('docker', env).reason).toBe('chosen with --runtime docker');
  });

  it('reads current-context from KUBECONFIG', () => {
    const env = {
      KUBECONFIG: kubeconfig('apiVersion: v1\nkind: Config\ncurrent-context: kind-dev\n'),
    };
    expect(currentKubeContext(env)).toBe('kind-dev');
    expect(
      currentKubeContext({ KUBECONFIG: kubeconfig('apiVersion: v1\nkind: Config\n') }),
    ).toBeUndefined();
    expect(chooseRuntime(undefined, env).reason).toContain('"kind-dev"');
  });

  it('rejects --runtime kubernetes with what to do instead', () => {
    expect(() => chooseRuntime('kubernetes', {})).toThrow(/run with --runtime docker/);
  });
});

describe('tilt down', () => {
  const m = (name: string, resourceDeps: string[] = []) => ({ name, resourceDeps }) as Manifest;

  it('deletes dependents before their dependencies', () => {
    const order = deletionOrder([m('db'), m('api', ['db']), m('web', ['api']), m('tool')]);
    const names = order.map((x) => x.name);
    expect(names.indexOf('web')).toBeLessThan(names.indexOf('api'));
    expect(names.indexOf('api')).toBeLessThan(names.indexOf('db'));
    expect(names.sort()).toEqual(['api', 'db', 'tool', 'web']);
  });
});

describe('project names', () => {
  it('name the directory and differ between checkouts of the same name', () => {
    const a = projectName('/home/me/work/My App/Tiltfile');
    expect(a).toMatch(/^my-app-[0-9a-f]{6}$/);
    expect(projectName('/tmp/My App/Tiltfile')).not.toBe(a);
    expect(projectName('/home/me/work/My App/Tiltfile.dev')).toBe(a);
  });
});
