import { describe, expect, it } from 'vitest';
import { ciVerdict, type CIClock } from '../../src/engine/ci-verdict.js';
import { parseGoDuration, goDurationShort } from '../../src/engine/duration.js';
import { EngineStore } from '../../src/engine/store.js';
import type { Manifest } from '../../src/model/manifest.js';
import { pod } from './recording-runtime.js';

function manifest(name: string, over: Partial<Manifest> = {}): Manifest {
  return {
    name,
    type: 'local',
    imageTargets: [],
    local: {
      updateCmd: ['true'],
      updateDir: '/',
      updateEnv: {},
      serveCmd: [],
      serveDir: '/',
      serveEnv: {},
      deps: [],
      ignore: [],
      allowParallel: false,
      readinessProbe: undefined,
    },
    resourceDeps: [],
    triggerMode: 'TRIGGER_MODE_AUTO',
    autoInit: true,
    labels: [],
    links: [],
    enabled: true,
    ...over,
  };
}

function storeOf(...manifests: Manifest[]): EngineStore {
  const s = new EngineStore('/p/Tiltfile');
  s.tiltfile.loads = 1;
  s.setManifests(manifests);
  return s;
}

const clock = (over: Partial<CIClock> = {}): CIClock => ({
  now: 10_000,
  startedAt: 0,
  timeoutMs: 30 * 60_000,
  readinessTimeoutMs: 5 * 60_000,
  ...over,
});

function succeed(s: EngineStore, name: string, ready = true, finishedAt = 9_000) {
  const r = s.get(name)!;
  r.status = 'succeeded';
  r.lastUpdate = { reason: 'Initial Build', startedAt: 0, finishedAt };
  r.runtime = { status: ready ? 'ok' : 'pending', ready, since: 0 };
}

describe('tilt ci verdict', () => {
  it('succeeds once every enabled auto-init resource is updated and ready', () => {
    const s = storeOf(
      manifest('a'),
      manifest('b'),
      manifest('off', { enabled: false }),
      manifest('later', { autoInit: false }),
    );
    succeed(s, 'a');
    expect(ciVerdict(s, clock()).done).toBe(false);
    succeed(s, 'b');
    expect(ciVerdict(s, clock())).toEqual({ done: true, ok: true });
  });

  it('waits while files are synced into a new container (initial_sync)', () => {
    const s = storeOf(manifest('a'));
    succeed(s, 'a');
    s.get('a')!.liveSyncing = true;
    expect(ciVerdict(s, clock()).done).toBe(false);
    s.get('a')!.liveSyncing = false;
    expect(ciVerdict(s, clock())).toEqual({ done: true, ok: true });
  });

  it('fails at a Tiltfile error or a failed update, with its message', () => {
    const s = storeOf(manifest('a'));
    s.get('a')!.status = 'failed';
    s.get('a')!.lastUpdate = {
      reason: 'Initial Build',
      startedAt: 0,
      error: 'Command "make" failed: exit status 2',
    };
    expect(ciVerdict(s, clock())).toEqual({
      done: true,
      ok: false,
      error: 'Command "make" failed: exit status 2',
    });
    s.tiltfile.error = 'Tiltfile:1:1: boom';
    expect(ciVerdict(s, clock())).toMatchObject({ ok: false, error: 'Tiltfile:1:1: boom' });
  });

  it('names the pod and container of a runtime error, after the k8s grace period', () => {
    const s = storeOf(manifest('web', { type: 'k8s', local: undefined }));
    succeed(s, 'web', false, 9_000);
    const crashing = pod('web-abc', 'img', 'Running', false, {
      state: 'waiting',
      reason: 'CrashLoopBackOff',
    });
    s.get('web')!.runtime = {
      status: 'error',
      ready: false,
      since: 0,
      detail: 'CrashLoopBackOff',
      pods: [crashing],
    };
    expect(ciVerdict(s, clock({ k8sGracePeriodMs: 5_000 }))).toEqual({
      done: false,
      nextDeadline: 14_000,
    });
    expect(ciVerdict(s, clock({ now: 14_000, k8sGracePeriodMs: 5_000 }))).toEqual({
      done: true,
      ok: false,
      error: 'Pod "web-abc" in error state due to container "main": CrashLoopBackOff',
    });
  });

  it('times out a resource that does not become ready, and the whole run', () => {
    const s = storeOf(manifest('slow'), manifest('never'));
    succeed(s, 'slow', false, 1_000);
    expect(ciVerdict(s, clock({ now: 1_000 + 5 * 60_000 }))).toMatchObject({
      ok: false,
      error: 'Timeout after 5m0s waiting for resource "slow" to become ready',
    });
    expect(ciVerdict(s, clock({ now: 60_000, timeoutMs: 60_000 }))).toMatchObject({
      ok: false,
      error: 'Timeout after 1m0s: 2 resources waiting (slow:runtime,never:update)',
    });
  });
});

describe('Go durations', () => {
  it('parse as Tilt flags take them and print as Go prints them', () => {
    expect(parseGoDuration('30m')).toBe(1_800_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(goDurationShort(1_800_000)).toBe('30m0s');
    expect(goDurationShort(3_600_000)).toBe('1h0m0s');
    expect(goDurationShort(90_500)).toBe('1m30.5s');
  });
});
