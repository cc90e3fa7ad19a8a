import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  nextToUpdate,
  reasonText,
  type ScheduleResource,
  type ScheduleState,
  type UpdateStatus,
} from '../../src/engine/schedule.js';

/** An enabled, auto, auto_init k8s resource that has been updated and is ready. */
function res(name: string, over: Partial<ScheduleResource> = {}): ScheduleResource {
  return {
    name,
    enabled: true,
    triggerMode: 'TRIGGER_MODE_AUTO',
    autoInit: true,
    resourceDeps: [],
    local: false,
    allowParallel: false,
    imageRefs: [],
    status: 'succeeded',
    ready: true,
    pendingChanges: [],
    ...over,
  };
}
const fresh = (name: string, over: Partial<ScheduleResource> = {}) =>
  res(name, { status: 'never-built', ready: false, ...over });
const building = (name: string, over: Partial<ScheduleResource> = {}) =>
  res(name, { status: 'building', ...over });
const changed = (name: string, paths: string[], over: Partial<ScheduleResource> = {}) =>
  res(name, { pendingChanges: paths, ...over });
const local = (name: string, over: Partial<ScheduleResource> = {}) =>
  res(name, { local: true, ...over });

function state(resources: ScheduleResource[], over: Partial<ScheduleState> = {}): ScheduleState {
  return { resources, triggerQueue: [], ...over };
}

describe('nextToUpdate', () => {
  it('does nothing when nothing wants an update', () => {
    const r = nextToUpdate(state([res('a'), res('b')]));
    expect(r.next).toBeUndefined();
    expect(r.holds.size).toBe(0);
  });

  it('holds everything at maxParallelUpdates (default 3)', () => {
    const busy = [building('a'), building('b'), building('c')];
    const r = nextToUpdate(state([...busy, fresh('d')]));
    expect(r.next).toBeUndefined();
    expect(r.holds.get('d')).toEqual({
      reason: 'waiting-for-parallelism',
      building: ['a', 'b', 'c'],
    });
    expect(nextToUpdate(state([...busy.slice(0, 2), fresh('d')])).next?.name).toBe('d');
    const one = nextToUpdate(state([building('a'), fresh('d')], { maxParallelUpdates: 1 }));
    expect(one.holds.get('d')?.reason).toBe('waiting-for-parallelism');
  });

  it('serializes local resources unless allow_parallel', () => {
    // a serialized local resource waits for any other update
    const waits = nextToUpdate(state([building('k8s'), local('lr', { status: 'never-built' })]));
    expect(waits.holds.get('lr')).toEqual({ reason: 'waiting-for-local', building: ['k8s'] });
    // nothing starts while a serialized local resource runs
    const blocked = nextToUpdate(state([local('lr', { status: 'building' }), fresh('web')]));
    expect(blocked.holds.get('web')).toEqual({ reason: 'waiting-for-local', building: ['lr'] });
    // allow_parallel=True runs alongside others
    const par = { status: 'never-built', allowParallel: true } as const;
    expect(nextToUpdate(state([building('k8s'), local('lr', par)])).next?.name).toBe('lr');
    expect(
      nextToUpdate(state([local('lr', { ...par, status: 'building' }), fresh('web')])).next?.name,
    ).toBe('web');
  });

  it('gates only the first update on resource_deps being updated and ready', () => {
    const db = fresh('db', { status: 'building' });
    const r = nextToUpdate(
      state([db, fresh('api', { resourceDeps: ['db', 'cache'] }), res('cache')]),
    );
    expect(r.next).toBeUndefined();
    expect(r.holds.get('api')).toEqual({ reason: 'waiting-for-deps', deps: ['db'] });
    // succeeded but not ready yet still gates
    const notReady = res('db', { ready: false });
    expect(
      nextToUpdate(state([notReady, fresh('api', { resourceDeps: ['db'] })])).holds.get('api'),
    ).toEqual({ reason: 'waiting-for-deps', deps: ['db'] });
    // ready: it starts
    expect(nextToUpdate(state([res('db'), fresh('api', { resourceDeps: ['db'] })])).next).toEqual({
      name: 'api',
      reason: { kind: 'initial' },
    });
    // after its first update the deps no longer gate
    const later = nextToUpdate(state([notReady, changed('api', ['x'], { resourceDeps: ['db'] })]));
    expect(later.next?.name).toBe('api');
  });

  it('never builds two resources sharing an image at once', () => {
    const r = nextToUpdate(
      state([building('a', { imageRefs: ['img'] }), fresh('b', { imageRefs: ['other', 'img'] })]),
    );
    expect(r.next).toBeUndefined();
    expect(r.holds.get('b')).toEqual({ reason: 'waiting-for-image', image: 'img', building: 'a' });
  });

  it('manual mode: changes only mark pending; the trigger queue starts it', () => {
    const m = changed('m', ['src/a.go'], { triggerMode: 'TRIGGER_MODE_MANUAL' });
    const idle = nextToUpdate(state([m]));
    expect(idle.next).toBeUndefined();
    expect(idle.holds.size).toBe(0);
    expect(nextToUpdate(state([m], { triggerQueue: ['m'] })).next).toEqual({
      name: 'm',
      reason: { kind: 'manual-trigger' },
    });
  });

  it('manual with auto_init=True builds once at start', () => {
    const m = fresh('m', { triggerMode: 'TRIGGER_MODE_MANUAL' });
    expect(nextToUpdate(state([m])).next).toEqual({ name: 'm', reason: { kind: 'initial' } });
    expect(nextToUpdate(state([{ ...m, status: 'succeeded' }])).next).toBeUndefined();
  });

  it('auto_init=False does not build at start until triggered', () => {
    for (const triggerMode of ['TRIGGER_MODE_AUTO', 'TRIGGER_MODE_MANUAL'] as const) {
      const r = fresh('x', { triggerMode, autoInit: false });
      expect(nextToUpdate(state([r])).next).toBeUndefined();
      expect(nextToUpdate(state([r], { triggerQueue: ['x'] })).next?.name).toBe('x');
    }
  });

  it('never builds disabled resources, even when triggered or changed', () => {
    const off = { enabled: false };
    const r = nextToUpdate(
      state([fresh('a', off), changed('b', ['f'], off)], { triggerQueue: ['a', 'b'] }),
    );
    expect(r.next).toBeUndefined();
    expect(r.holds.size).toBe(0);
  });

  it('orders: trigger queue, then never built, then pending changes (Tiltfile order)', () => {
    const all = [changed('c1', ['f']), fresh('n1'), changed('c2', ['g']), fresh('n2'), res('t')];
    const pick = (s: ScheduleState) => nextToUpdate(s).next?.name;
    expect(pick(state(all, { triggerQueue: ['t', 'n2'] }))).toBe('t');
    expect(pick(state(all, { triggerQueue: ['n2', 't'] }))).toBe('n2');
    expect(pick(state(all))).toBe('n1');
    expect(pick(state(all.filter((r) => r.status !== 'never-built')))).toBe('c1');
    // a held candidate is skipped for the next one in order
    const s = state([
      building('a', { imageRefs: ['i'] }),
      fresh('b', { imageRefs: ['i'] }),
      fresh('c'),
    ]);
    expect(pick(s)).toBe('c');
  });

  it('reports the changed files as the reason', () => {
    expect(nextToUpdate(state([changed('a', ['x.go', 'y.go'])])).next).toEqual({
      name: 'a',
      reason: { kind: 'changed-files', paths: ['x.go', 'y.go'] },
    });
  });

  it('retries a failed resource only on a new change or trigger', () => {
    const failed = res('a', { status: 'failed', ready: false });
    expect(nextToUpdate(state([failed])).next).toBeUndefined();
    expect(nextToUpdate(state([{ ...failed, pendingChanges: ['f'] }])).next?.name).toBe('a');
    expect(nextToUpdate(state([failed], { triggerQueue: ['a'] })).next?.name).toBe('a');
    // a failed first update is not retried either
    const failedFirst = res('b', { status: 'failed', ready: false });
    expect(nextToUpdate(state([failedFirst])).next).toBeUndefined();
  });

  it('reports a hold for every resource that wants to update but cannot', () => {
    const r = nextToUpdate(
      state(
        [
          building('a', { imageRefs: ['i'] }),
          fresh('b', { imageRefs: ['i'] }),
          fresh('c', { resourceDeps: ['b'] }),
          fresh('d'),
          res('e'),
        ],
        { maxParallelUpdates: 2 },
      ),
    );
    expect(r.next?.name).toBe('d');
    expect([...r.holds.keys()].sort()).toEqual(['b', 'c']);
  });
});

describe('config changes', () => {
  it('update a changed auto resource with the reason Config Changed', () => {
    const r = nextToUpdate(state([res('a'), res('b', { configChanged: true })]));
    expect(r.next).toEqual({ name: 'b', reason: { kind: 'config-changed' } });
    expect(reasonText(r.next!.reason)).toBe('Config Changed');
  });

  it('wait for a trigger in manual mode', () => {
    const manual = res('m', { configChanged: true, triggerMode: 'TRIGGER_MODE_MANUAL' });
    expect(nextToUpdate(state([manual])).next).toBeUndefined();
    expect(nextToUpdate(state([manual], { triggerQueue: ['m'] })).next?.reason).toEqual({
      kind: 'manual-trigger',
    });
  });

  it('leave a never-built resource to its initial update', () => {
    const r = nextToUpdate(state([fresh('n', { configChanged: true })]));
    expect(r.next?.reason).toEqual({ kind: 'initial' });
  });
});

describe('reasonText', () => {
  it("uses Tilt's words", () => {
    expect(reasonText({ kind: 'initial' })).toBe('Initial Build');
    expect(reasonText({ kind: 'manual-trigger' })).toBe('Manual Trigger');
    expect(reasonText({ kind: 'changed-files', paths: ['a'] })).toBe('1 File Changed: [a]');
    expect(reasonText({ kind: 'changed-files', paths: ['a', 'b'] })).toBe('2 Files Changed: [a b]');
    const many = ['1', '2', '3', '4', '5', '6', '7'];
    expect(reasonText({ kind: 'changed-files', paths: many })).toBe(
      '7 Files Changed: [1 2 3 4 5 ...]',
    );
  });
});

describe('nextToUpdate properties', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const statuses: UpdateStatus[] = ['never-built', 'building', 'succeeded', 'failed'];
  const arbResource = (name: string) =>
    fc.record({
      name: fc.constant(name),
      enabled: fc.boolean(),
      triggerMode: fc.constantFrom('TRIGGER_MODE_AUTO' as const, 'TRIGGER_MODE_MANUAL' as const),
      autoInit: fc.boolean(),
      resourceDeps: fc.subarray(names.filter((n) => n !== name)),
      local: fc.boolean(),
      allowParallel: fc.boolean(),
      imageRefs: fc.subarray(['img1', 'img2', 'img3']),
      status: fc.constantFrom(...statuses),
      ready: fc.boolean(),
      pendingChanges: fc.subarray(['x', 'y']),
    });
  const arbState: fc.Arbitrary<ScheduleState> = fc.record({
    resources: fc.tuple(...names.map(arbResource)),
    maxParallelUpdates: fc.integer({ min: 1, max: 4 }),
    triggerQueue: fc.subarray(names),
  });

  it('respects disabled, parallelism, shared images and first-update deps', () => {
    fc.assert(
      fc.property(arbState, (s) => {
        const { next } = nextToUpdate(s);
        if (!next) return;
        const r = s.resources.find((x) => x.name === next.name)!;
        const busy = s.resources.filter((x) => x.status === 'building');
        expect(r.enabled).toBe(true);
        expect(r.status).not.toBe('building');
        expect(busy.length + 1).toBeLessThanOrEqual(s.maxParallelUpdates!);
        for (const b of busy) {
          expect(b.imageRefs.some((i) => r.imageRefs.includes(i))).toBe(false);
        }
        if (r.status === 'never-built') {
          for (const d of r.resourceDeps) {
            const dep = s.resources.find((x) => x.name === d)!;
            expect(dep.ready && dep.status !== 'never-built').toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
