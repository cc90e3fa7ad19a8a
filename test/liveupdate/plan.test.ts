// Mapping changed files through live update steps.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fileList,
  mapThroughSync,
  planSyncs,
  triggeredRuns,
  type RunStep,
} from '../../src/liveupdate/plan.js';
import type { LiveUpdateStep } from '../../src/tiltfile/builtins/liveupdate.js';

const steps: LiveUpdateStep[] = [
  { type: 'fall_back_on', paths: ['/p/package.json', '/p/conf'] },
  { type: 'sync', localPath: '/p/src', remotePath: '/app/src' },
  { type: 'sync', localPath: '/p', remotePath: '/app' },
  { type: 'sync', localPath: '/p/other/file.txt', remotePath: '/etc/file.txt' },
];

describe('planSyncs', () => {
  it('maps each file through the first sync that covers it', () => {
    const plan = planSyncs(steps, ['/p/src/a.js', '/p/index.html', '/p/other/file.txt']);
    expect(plan.mappings).toEqual([
      { local: '/p/src/a.js', container: '/app/src/a.js' },
      { local: '/p/index.html', container: '/app/index.html' },
      { local: '/p/other/file.txt', container: '/app/other/file.txt' },
    ]);
    expect(plan.noMatch).toEqual([]);
    expect(plan.stopFiles).toEqual([]);
  });

  it('reports files no sync covers, and fall_back_on files', () => {
    const plan = planSyncs(
      [
        { type: 'fall_back_on', paths: ['/p/conf'] },
        { type: 'sync', localPath: '/p/src', remotePath: '/s' },
      ],
      ['/p/README', '/p/conf/x.yml', '/p/src/a', '/p/srcfoo'],
    );
    expect(plan.noMatch).toEqual(['/p/README', '/p/conf/x.yml', '/p/srcfoo']);
    expect(plan.stopFiles).toEqual(['/p/conf/x.yml']);
    expect(plan.mappings).toEqual([{ local: '/p/src/a', container: '/s/a' }]);
  });

  it('a sync of one file maps exactly that file', () => {
    expect(
      mapThroughSync({ type: 'sync', localPath: '/p/f.txt', remotePath: '/etc/f' }, '/p/f.txt'),
    ).toBe('/etc/f');
  });

  it('every file lands under the remote path of its sync (property)', () => {
    const seg = fc.stringMatching(/^[a-z0-9._-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), (parts) => {
        const local = '/p/src/' + parts.join('/');
        const plan = planSyncs(
          [{ type: 'sync', localPath: '/p/src', remotePath: '/app' }],
          [local],
        );
        expect(plan.mappings).toEqual([{ local, container: '/app/' + parts.join('/') }]);
      }),
    );
  });
});

describe('triggeredRuns', () => {
  const always: RunStep = { type: 'run', cmd: ['sh', '-c', 'a'], triggers: [], echoOff: false };
  const onPkg: RunStep = {
    type: 'run',
    cmd: ['sh', '-c', 'b'],
    triggers: ['/p/package.json'],
    echoOff: false,
  };
  const onDir: RunStep = { type: 'run', cmd: ['c'], triggers: ['/p/lib'], echoOff: false };

  it('runs steps without triggers always, others when a synced file matches', () => {
    expect(triggeredRuns([always, onPkg, onDir], ['/p/index.html'])).toEqual([always]);
    expect(triggeredRuns([always, onPkg, onDir], ['/p/package.json'])).toEqual([always, onPkg]);
    expect(triggeredRuns([always, onPkg, onDir], ['/p/lib/x/y.js'])).toEqual([always, onDir]);
  });
});

describe('fileList', () => {
  it('shows at most five files, relative to the base', () => {
    expect(fileList(['/p/a', '/q/b'], '/p')).toBe('[a /q/b]');
    expect(fileList(['/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/p/6'], '/p')).toBe(
      '[1 2 3 4 5 ...]',
    );
  });
});
