#!/usr/bin/env node
// Building the seed tree (a base image and an app image FROM it) through
// tilt's builder, against `docker build` run by hand on the same contexts,
// alternately in the same run. Each run changes a file both images copy, so
// neither side is served entirely from the build cache.
//
// Usage: node bench/build.mjs [--runs N]     (npm run build first; needs a Docker engine)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadTiltfile } = await import(join(root, 'dist', 'tiltfile', 'index.js'));
const { ImageBuilder } = await import(join(root, 'dist', 'build', 'builder.js'));
const { connectDocker } = await import(join(root, 'dist', 'build', 'docker', 'engine.js'));

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;
const BASE_IMAGE = process.env.BENCH_BASE_IMAGE ?? 'tilt-test-busybox:latest';

const engine = connectDocker();
await engine.ping();
if (!(await engine.imageExists(BASE_IMAGE))) {
  console.error(
    `${BASE_IMAGE} is missing: run the integration tests once (they import it) or set BENCH_BASE_IMAGE`,
  );
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'tilt-build-bench-'));
const write = (name, text) => writeFileSync(join(dir, name), text);
write(
  'Tiltfile',
  `docker_build('bench-base', '.', dockerfile='base.Dockerfile', build_args={'node_env': 'development'})
docker_build('bench-app', '.', dockerfile='app.Dockerfile')
k8s_yaml('app.yml')
`,
);
write(
  'base.Dockerfile',
  `FROM ${BASE_IMAGE}\nARG node_env\nRUN echo "$node_env" > /node_env\nWORKDIR /app\nCOPY stamp.txt package.json ./\n`,
);
write('app.Dockerfile', 'FROM bench-base\nCOPY . /app/\nCMD ["cat", "/node_env"]\n');
write(
  'app.yml',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: bench-app\n',
);
write('package.json', '{"name": "app"}\n');
for (let f = 0; f < 200; f++) write(`file-${f}.txt`, `content ${f}\n`.repeat(200));

const targets = () => {
  const r = loadTiltfile({ path: join(dir, 'Tiltfile'), env: {} });
  if (r.error) throw new Error(r.error);
  return r.manifests[0].imageTargets;
};

async function viaTilt() {
  const t0 = performance.now();
  await new ImageBuilder({
    engine,
    log: () => {},
    push: false,
    tiltfile: join(dir, 'Tiltfile'),
  }).buildAll(targets());
  return performance.now() - t0;
}

function viaDockerCLI() {
  const env = { ...process.env, DOCKER_BUILDKIT: '0' };
  const t0 = performance.now();
  const opts = { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] };
  execFileSync(
    'docker',
    [
      'build',
      '-q',
      '-f',
      'base.Dockerfile',
      '--build-arg',
      'node_env=development',
      '-t',
      'bench-base:manual',
      '.',
    ],
    opts,
  );
  write(
    'app.manual.Dockerfile',
    'FROM bench-base:manual\nCOPY . /app/\nCMD ["cat", "/node_env"]\n',
  );
  execFileSync(
    'docker',
    ['build', '-q', '-f', 'app.manual.Dockerfile', '-t', 'bench-app:manual', '.'],
    opts,
  );
  return performance.now() - t0;
}

const tilt = [];
const cli = [];
for (let r = 0; r < runs; r++) {
  write('stamp.txt', `run ${r} ${Math.random()}\n`);
  tilt.push(await viaTilt());
  write('stamp.txt', `run ${r} ${Math.random()}\n`);
  cli.push(viaDockerCLI());
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `tilt builder:      median ${median(tilt).toFixed(0)} ms  (${tilt.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(
  `docker build (CLI): median ${median(cli).toFixed(0)} ms  (${cli.map((x) => x.toFixed(0)).join(', ')})`,
);
console.log(`ratio tilt / docker build: ${(median(tilt) / median(cli)).toFixed(2)}`);
