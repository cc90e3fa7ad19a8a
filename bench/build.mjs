#!/usr/bin/env node
// Building the seed tree (a base image and an app image FROM it) through
// tilt's builder, against `docker build` run by hand on the same contexts,
// alternately in the same run. Each run changes a file both images copy, so
// neither side is served entirely from the build cache.
//
// tilt uses BuildKit where the engine offers it; `--builder classic` makes it use the
// classic builder. The CLI side always uses the classic builder: Debian's docker.io has
// no buildx, without which the CLI cannot use BuildKit. With BuildKit, a third side sends
// the same builds by hand to the engine API (`tar | curl`), BuildKit against BuildKit.
//
// Usage: node bench/build.mjs [--runs N] [--builder buildkit|classic]
//        (npm run build first; needs a Docker engine)

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
const b = process.argv.indexOf('--builder');
if (b >= 0) process.env.DOCKER_BUILDKIT = process.argv[b + 1] === 'classic' ? '0' : '1';

const engine = connectDocker();
await engine.ping();
if (!(await engine.imageExists(BASE_IMAGE))) {
  console.error(
    `${BASE_IMAGE} is missing: run the integration tests once (they import it) or set BENCH_BASE_IMAGE`,
  );
  process.exit(1);
}

console.log(`tilt builds with: ${await engine.preferredBuilder()}`);

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
  // Loading the Tiltfile is not part of building (bench/tiltfile.mjs measures it).
  const loaded = targets();
  const t0 = performance.now();
  await new ImageBuilder({
    engine,
    log: () => {},
    push: false,
    tiltfile: join(dir, 'Tiltfile'),
  }).buildAll(loaded);
  return performance.now() - t0;
}

function viaDockerCLI() {
  const env = { ...process.env, DOCKER_BUILDKIT: '0' };
  const t0 = performance.now();
  // stderr only carries the CLI's deprecation notice; a failure still throws with it.
  const opts = { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] };
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

/** One BuildKit build through the engine API, the context tarred by hand. */
function buildkitByHand(dockerfile, tag, buildArgs = {}) {
  const query = new URLSearchParams({
    version: '2',
    dockerfile,
    t: tag,
    buildargs: JSON.stringify(buildArgs),
  });
  const socket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace('unix://', '');
  const out = execFileSync(
    'sh',
    [
      '-c',
      `tar -c . | curl -sS --fail --unix-socket '${socket}' -H 'Content-Type: application/x-tar' ` +
        `--data-binary @- 'http://localhost/build?${query}'`,
    ],
    { cwd: dir, maxBuffer: 64 << 20 },
  ).toString();
  if (out.includes('"errorDetail"')) throw new Error(`build of ${tag} failed: ${out.slice(-500)}`);
}

function viaEngineAPI() {
  const t0 = performance.now();
  buildkitByHand('base.Dockerfile', 'bench-base:api', { node_env: 'development' });
  write('app.api.Dockerfile', 'FROM bench-base:api\nCOPY . /app/\nCMD ["cat", "/node_env"]\n');
  buildkitByHand('app.api.Dockerfile', 'bench-app:api');
  return performance.now() - t0;
}

const buildkit = (await engine.preferredBuilder()) === 'buildkit';
const sides = { 'tilt builder': [], 'docker build (CLI, classic)': [] };
if (buildkit) sides['BuildKit by hand (API)'] = [];
for (let r = 0; r < runs; r++) {
  write('stamp.txt', `run ${r} ${Math.random()}\n`);
  sides['tilt builder'].push(await viaTilt());
  write('stamp.txt', `run ${r} ${Math.random()}\n`);
  sides['docker build (CLI, classic)'].push(viaDockerCLI());
  if (buildkit) {
    write('stamp.txt', `run ${r} ${Math.random()}\n`);
    sides['BuildKit by hand (API)'].push(viaEngineAPI());
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, xs] of Object.entries(sides)) {
  console.log(
    `${name.padEnd(28)} median ${median(xs).toFixed(0)} ms  (${xs.map((x) => x.toFixed(0)).join(', ')})`,
  );
}
const tilt = median(sides['tilt builder']);
for (const [name, xs] of Object.entries(sides).slice(1)) {
  console.log(`ratio tilt / ${name}: ${(tilt / median(xs)).toFixed(2)}`);
}
