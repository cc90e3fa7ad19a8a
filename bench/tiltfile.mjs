#!/usr/bin/env node
// Tiltfile load time for generated projects of N services, each with its own
// Dockerfile, Deployment + Service YAML, docker_build and k8s_resource.
// Prints the time per size and the time per service, to show that the cost
// grows linearly. Uses the built code (npm run build first).
//
// Usage: node bench/tiltfile.mjs [--runs N] [sizes...]   (default sizes: 100 200 300 600)

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { loadTiltfile } = await import(join(root, 'dist', 'tiltfile', 'index.js'));

const args = process.argv.slice(2);
let runs = 5;
const r = args.indexOf('--runs');
if (r >= 0) {
  runs = Number(args[r + 1]);
  args.splice(r, 2);
}
const sizes = args.length ? args.map(Number) : [100, 200, 300, 600];

function project(n) {
  const dir = mkdtempSync(join(tmpdir(), `tiltfile-bench-${n}-`));
  const lines = [];
  for (let i = 0; i < n; i++) {
    const name = `svc-${i}`;
    mkdirSync(join(dir, name, 'src'), { recursive: true });
    writeFileSync(
      join(dir, name, 'Dockerfile'),
      'FROM base-image\nWORKDIR /app\nCOPY src ./src\nCMD ["./src/run"]\n',
    );
    writeFileSync(
      join(dir, name, 'k8s.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: ${name}-image
          ports:
            - containerPort: 8080
          env:
            - name: SERVICE
              value: ${name}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - port: 80
      targetPort: 8080
`,
    );
    lines.push(
      `docker_build('${name}-image', '${name}', live_update=[sync('${name}/src', '/app/src')])`,
      `k8s_yaml('${name}/k8s.yaml')`,
      `k8s_resource('${name}', port_forwards=${10000 + i}, labels=['group-${i % 10}'])`,
    );
  }
  mkdirSync(join(dir, 'base'));
  writeFileSync(join(dir, 'base', 'Dockerfile'), 'FROM busybox\n');
  lines.unshift("docker_build('base-image', 'base')");
  writeFileSync(join(dir, 'Tiltfile'), lines.join('\n') + '\n');
  return join(dir, 'Tiltfile');
}

function timeLoad(path) {
  const t0 = process.hrtime.bigint();
  const result = loadTiltfile({ path, env: {} });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.error) throw new Error(result.error);
  return { ms, manifests: result.manifests.length };
}

// Warm up the interpreter and the YAML parser once, as a running tilt has.
timeLoad(project(10));

console.log('services   manifests   best ms   median ms   ms per service');
for (const n of sizes) {
  const path = project(n);
  const times = [];
  let manifests = 0;
  for (let i = 0; i < runs; i++) {
    const t = timeLoad(path);
    times.push(t.ms);
    manifests = t.manifests;
  }
  times.sort((a, b) => a - b);
  const best = times[0];
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `${String(n).padStart(8)} ${String(manifests).padStart(11)} ${best.toFixed(0).padStart(9)} ${median.toFixed(0).padStart(11)} ${(median / n).toFixed(2).padStart(16)}`,
  );
}
