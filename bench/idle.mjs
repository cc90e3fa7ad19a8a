#!/usr/bin/env node
// Idle cost of `tilt up` with 30 resources running (25 Deployments on the
// Docker runtime, 5 local serve_cmds): CPU time and RSS of the tilt process
// over a quiet window once everything is ready, next to a bare idle node
// process measured over the same window as the baseline.
// Uses the built code (npm run build first) and the local Docker engine.
//
// Usage: node bench/idle.mjs [--seconds S] [--deployments N] [--locals M]

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOKEN_HEADER } from '../dist/api/types.js';
import { readServerInfo } from '../dist/server/token.js';
import { freePort, get } from './lib/net.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const seconds = opt('--seconds', 20);
const deployments = opt('--deployments', 25);
const locals = opt('--locals', 5);

execFileSync('bash', [join(root, 'scripts/busybox-image.sh')], { stdio: 'inherit' });

const CLK_TCK = 100;
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
function memKB(pid, key) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(
    new RegExp(`^${key}:\\s+(\\d+)`, 'm'),
  );
  return Number(m[1]);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
const yaml = [];
for (let i = 0; i < deployments; i++) {
  yaml.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
spec:
  selector:
    matchLabels: {app: web-${i}}
  template:
    metadata:
      labels: {app: web-${i}}
    spec:
      containers:
        - name: main
          image: tilt-example-busybox:latest
          command: ["httpd", "-f", "-p", "8000"]
`);
}
writeFileSync(join(dir, 'app.yml'), yaml.join('---\n'));
let tiltfile = "k8s_yaml('app.yml')\n";
for (let i = 0; i < locals; i++)
  tiltfile += `local_resource('serve-${i}', serve_cmd='sleep 3600')\n`;
writeFileSync(join(dir, 'Tiltfile'), tiltfile);

const webPort = await freePort();
const tilt = spawn(
  process.execPath,
  [
    join(root, 'bin/tilt'),
    'up',
    '-f',
    join(dir, 'Tiltfile'),
    '--port',
    String(webPort),
    '--stream',
  ],
  {
    stdio: 'ignore',
  },
);
const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {
  stdio: 'ignore',
});

try {
  const t0 = Date.now();
  for (;;) {
    // The API wants the token tilt up writes for the CLI.
    const server = readServerInfo(webPort);
    const body = server
      ? await get(`http://127.0.0.1:${webPort}/api/view`, { [TOKEN_HEADER]: server.token })
      : '';
    const resources = JSON.parse(body || '{}').resources ?? [];
    const rs = resources.filter((r) => r.status.type !== 'tiltfile');
    if (rs.length === deployments + locals && rs.every((r) => r.status.runtimeStatus === 'ok'))
      break;
    if (Date.now() - t0 > 300_000) throw new Error('resources never got ready');
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `${deployments + locals} resources ready after ${((Date.now() - t0) / 1000).toFixed(1)} s; idling ${seconds} s`,
  );
  await new Promise((r) => setTimeout(r, 15_000)); // let start-up work (log streams, probes) settle
  const c0 = cpuMs(tilt.pid);
  const b0 = cpuMs(baseline.pid);
  // CPU per 5 s slice, to tell a steady cost from start-up work still finishing.
  const slices = [];
  for (let left = seconds; left > 0; left -= 5) {
    const before = cpuMs(tilt.pid);
    await new Promise((r) => setTimeout(r, Math.min(5, left) * 1000));
    slices.push(cpuMs(tilt.pid) - before);
  }
  console.log(`tilt CPU per 5 s slice (ms): ${slices.join(' ')}`);
  const tiltCpu = cpuMs(tilt.pid) - c0;
  const baseCpu = cpuMs(baseline.pid) - b0;
  const pct = (ms) => ((ms / (seconds * 1000)) * 100).toFixed(3);
  console.log(
    `idle CPU: tilt ${tiltCpu} ms (${pct(tiltCpu)}%), bare node ${baseCpu} ms (${pct(baseCpu)}%) over ${seconds} s`,
  );
  const rss = memKB(tilt.pid, 'VmRSS') / 1024;
  const hwm = memKB(tilt.pid, 'VmHWM') / 1024;
  const baseRss = memKB(baseline.pid, 'VmRSS') / 1024;
  console.log(
    `RSS: tilt ${rss.toFixed(0)} MB (peak ${hwm.toFixed(0)} MB), bare node ${baseRss.toFixed(0)} MB; ratio ${(rss / baseRss).toFixed(2)}`,
  );
} finally {
  baseline.kill();
  tilt.kill('SIGINT');
  await new Promise((r) => tilt.once('exit', r));
  execFileSync(process.execPath, [join(root, 'bin/tilt'), 'down', '-f', join(dir, 'Tiltfile')], {
    stdio: 'ignore',
  });
  rmSync(dir, { recursive: true, force: true });
}
