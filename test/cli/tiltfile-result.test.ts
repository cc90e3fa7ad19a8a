import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('tilt alpha tiltfile-result', () => {
  it('prints the resources of the Tiltfile as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiltfile-result-'));
    writeFileSync(
      join(dir, 'Tiltfile'),
      "print('hello')\nlocal_resource('lint', 'make lint', labels=['checks'])\n",
    );
    const r = await run(['alpha', 'tiltfile-result', '-f', join(dir, 'Tiltfile')]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.error).toBeNull();
    expect(result.manifests).toEqual([
      expect.objectContaining({
        name: 'lint',
        type: 'local',
        imageTargets: [],
        k8sObjects: [],
        triggerMode: 'TRIGGER_MODE_AUTO',
        autoInit: true,
        labels: ['checks'],
      }),
    ]);
    expect(result.configFiles).toContain(join(dir, 'Tiltfile'));
    expect(r.stderr).toContain('hello');
  });

  it('prints a Tiltfile error as a backtrace on stderr and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiltfile-result-'));
    writeFileSync(join(dir, 'Tiltfile'), "x = 1\nlocal_resource('bad')\n");
    const r = await run(['alpha', 'tiltfile-result', '-f', join(dir, 'Tiltfile')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Traceback (most recent call last):\n  ${join(dir, 'Tiltfile')}:2:15: in <toplevel>\nError in local_resource: local_resource must have a cmd and/or a serve_cmd, but both were empty`,
    );
    expect(JSON.parse(r.stdout).error).toContain('local_resource must have a cmd');
  });
});
