// Running the engine in tests: real Tiltfiles, real file watching and real
// local processes, with images and workloads going to recording doubles.

import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { EngineStore } from '../../src/engine/store.js';
import { LogStore, renderSegments } from '../../src/logs/index.js';
import { RecordingEngine } from '../build/recording-engine.js';
import { deploymentYAML, removeProjects, writeProject } from '../tiltfile/helpers.js';
import { RecordingRuntime } from './recording-runtime.js';

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
  removeProjects();
});

export interface Started {
  engine: Engine;
  store: EngineStore;
  logs: LogStore;
  images: RecordingEngine;
  runtime: RecordingRuntime;
  dir: string;
  text: () => string;
}

export async function start(
  files: Record<string, string>,
  opts: { runtime?: RecordingRuntime; images?: RecordingEngine } = {},
): Promise<Started> {
  const dir = writeProject(files);
  const logs = new LogStore();
  const runtime = opts.runtime ?? new RecordingRuntime();
  const images = opts.images ?? new RecordingEngine();
  images.knowsTags = true;
  const engine = new Engine({
    tiltfile: join(dir, 'Tiltfile'),
    args: [],
    mode: 'up',
    logs,
    runtime,
    images: () => images,
    env: {},
    stateDir: writeProject({}),
    retryDelayMs: 50,
  });
  engines.push(engine);
  await engine.start();
  return {
    engine,
    store: engine.store,
    logs,
    images,
    runtime,
    dir,
    text: () => renderSegments(logs.since(0).segments),
  };
}

/** Resolves once `pred` holds for the store (checked on every change), failing after a while. */
export function until(
  store: EngineStore,
  pred: () => boolean,
  what: string,
  ms = 15000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting until ${what}`));
    }, ms);
    const off = store.subscribe(() => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

export const seedFiles = (tiltfileExtra = '') => ({
  Tiltfile: `docker_build('base', '.', dockerfile='base.Dockerfile', only=['deps.txt'])
docker_build('app', '.', dockerfile='app.Dockerfile', ignore=['base.Dockerfile', 'deps.txt'])
k8s_yaml('app.yml')
${tiltfileExtra}`,
  'base.Dockerfile': 'FROM scratch\nCOPY deps.txt /\n',
  'app.Dockerfile': 'FROM base\nCOPY src /src\n',
  'app.yml': deploymentYAML('app', 'app'),
  'deps.txt': 'v1\n',
  'src/index.txt': 'hello\n',
});
