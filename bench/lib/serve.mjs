// Helpers of the save → served benchmarks: timing saves through tilt up,
// polling a URL for new content, the docker CLI, and summaries of timings.

import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, get } from './net.mjs';

/** Resolves once `url` serves a body containing `marker`, polling every `pollMs`. */
export async function untilServed(url, marker, timeoutMs = 120_000, pollMs = 10) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await get(url)).includes(marker)) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`${url} never served ${marker}`);
}

/** Runs the docker CLI; its trimmed stdout. */
export const docker = (...args) =>
  execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** `median N ms (min A, max B)`. */
export const summary = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A copy of the seed example in a temporary directory. */
export function seedCopy(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(root, 'examples/seed'), dir, { recursive: true });
  return dir;
}

/**
 * `tilt up` (the built CLI) on a copy of the seed example whose Tiltfile
 * `editTiltfile` may change: the times from saving public/index.html to its
 * content being served at the forwarded port, `samples` times, `pauseMs` apart.
 */
export async function tiltSaveTimes({
  samples,
  editTiltfile = (t) => t,
  env = {},
  pauseMs = 0,
  pollMs = 10,
}) {
  const dir = seedCopy('bench-up-');
  const port = await freePort();
  const tf = join(dir, 'Tiltfile');
  const tiltfile = readFileSync(tf, 'utf8').replace(
    'port_forwards=3000',
    `port_forwards='${port}:3000'`,
  );
  writeFileSync(tf, editTiltfile(tiltfile));
  const webPort = await freePort();
  const child = spawn(
    process.execPath,
    [join(root, 'bin/tilt'), 'up', '-f', tf, '--port', String(webPort), '--stream'],
    { stdio: 'ignore', env: { ...process.env, ...env } },
  );
  const url = `http://127.0.0.1:${port}/`;
  const times = [];
  try {
    await untilServed(url, 'Hello from tilt-ts', 180_000);
    for (let i = 0; i < samples; i++) {
      const marker = `tilt-${i}-${Date.now()}`;
      const t0 = performance.now();
      writeFileSync(join(dir, 'public/index.html'), `<h1>${marker}</h1>\n`);
      await untilServed(url, marker, 120_000, pollMs);
      times.push(performance.now() - t0);
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    execFileSync(process.execPath, [join(root, 'bin/tilt'), 'down', '-f', tf], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  return times;
}
