#!/usr/bin/env node
// Web UI under load: `tilt up` of 300 local resources whose serve_cmd prints 667 numbered lines
// each (about 200,000 lines), then, in chromium, the time from navigation to the overview
// showing every row, from navigation of /r/(all)/overview to the first log rows, and from typing
// a filter term to the filtered rows on screen (whole terms and key by key); tilt's RSS around
// it. Times are taken in the page (performance.now(), a MutationObserver and animation frames).
// Uses the built code and UI (npm run build first) and Debian's chromium; no Docker needed.
//
// Usage: node bench/ui-load.mjs [--resources N] [--lines L]

// The functions handed to page.evaluate run in the browser.
/* global window, document, MutationObserver, HTMLInputElement, requestAnimationFrame */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort } from './lib/net.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const resources = opt('--resources', 300);
const linesEach = opt('--lines', 667);
const expectedLines = resources * linesEach;

const TARGETS = { firstRenderMs: 1000, filterMs: 200, rssMB: 300 };

for (const f of ['dist/cli/main.js', 'dist/web/index.html']) {
  if (!existsSync(join(root, f))) {
    console.error(`${f} is missing: run npm run build first`);
    process.exit(1);
  }
}
const { readServerInfo } = await import(pathToFileURL(join(root, 'dist/server/token.js')).href);

function rssMB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
  return Number(m[1]) / 1024;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const name = (i) => `svc-${String(i).padStart(3, '0')}`;

const dir = mkdtempSync(join(tmpdir(), 'bench-ui-'));
let tiltfile = '';
for (let i = 0; i < resources; i++) {
  tiltfile +=
    `local_resource('${name(i)}', serve_cmd='seq 1 ${linesEach} | sed "s/^/${name(i)} line /"; ` +
    `exec sleep 86400', labels=['group-${i % 5}'])\n`;
}
writeFileSync(join(dir, 'Tiltfile'), tiltfile);

const port = await freePort();
const started = Date.now();
const tilt = spawn(
  process.execPath,
  [join(root, 'bin/tilt'), 'up', '-f', join(dir, 'Tiltfile'), '--port', String(port), '--stream'],
  { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
);
let stderr = '';
tilt.stderr.on('data', (c) => (stderr += c));
let browser;

async function finish(code) {
  await browser?.close().catch(() => undefined);
  if (tilt.exitCode === null) {
    // tilt and its serve_cmds (a process group of their own).
    try {
      process.kill(-tilt.pid, 'SIGINT');
    } catch {
      // already gone
    }
    const exited = new Promise((r) => tilt.once('exit', r));
    await Promise.race([exited, sleep(10_000)]);
    try {
      process.kill(-tilt.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

try {
  // The log store has every line: counted incrementally from /api/logs.
  let token;
  for (let t = Date.now(); !token; await sleep(100)) {
    token = readServerInfo(port)?.token;
    if (Date.now() - t > 30_000) throw new Error(`tilt did not start:\n${stderr}`);
  }
  const api = async (path) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { 'x-tilt-token': token },
    });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}: ${await res.text()}`);
    return res.json();
  };
  let checkpoint = 0;
  let stored = 0;
  const numbered = /^svc-\d+ line \d+$/gm;
  for (const deadline = Date.now() + 180_000; stored < expectedLines; await sleep(250)) {
    const chunk = await api(`/api/logs?since=${checkpoint}`);
    checkpoint = chunk.checkpoint;
    for (const s of chunk.segments) stored += s.text.match(numbered)?.length ?? 0;
    if (Date.now() > deadline) throw new Error(`only ${stored} of ${expectedLines} lines stored`);
  }
  const storedAfterS = (Date.now() - started) / 1000;
  await sleep(1000);
  const rssBeforeUi = rssMB(tilt.pid);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Marks in the page's own clock (0 = navigation start).
  await context.addInitScript(
    ({ rows, lines }) => {
      const marks = {};
      window.__marks = marks;
      const check = () => {
        if (marks.rows === undefined) {
          if (document.querySelectorAll('table.resources tbody tr').length >= rows) {
            marks.rows = performance.now();
          }
        }
        if (marks.firstLog === undefined && document.querySelector('.log-line')) {
          marks.firstLog = performance.now();
        }
        if (marks.firstLog !== undefined && marks.allLogs === undefined) {
          const count = document.querySelector('[data-testid="log-count"]')?.textContent ?? '';
          if (Number(count.split(' ')[0].replace(/,/g, '')) >= lines) {
            marks.allLogs = performance.now();
          }
        }
      };
      new MutationObserver(check).observe(document, {
        childList: true,
        subtree: true,
        characterData: true,
      });
    },
    { rows: resources + 1, lines: expectedLines },
  );
  const page = await context.newPage();
  const origin = `http://localhost:${port}`;

  const marks = async (key) => {
    await page.waitForFunction((k) => window.__marks[k] !== undefined, key, { timeout: 60_000 });
    return page.evaluate((k) => window.__marks[k], key);
  };

  // Each page load is fresh (new document); the first one also warms the HTTP cache.
  const firstRender = [];
  let rssAfterOnePage;
  for (let i = 0; i < 3; i++) {
    await page.goto(`${origin}/`);
    firstRender.push(await marks('rows'));
    rssAfterOnePage ??= rssMB(tilt.pid);
  }
  const firstLogs = [];
  const allLogs = [];
  for (let i = 0; i < 3; i++) {
    await page.goto(`${origin}/r/(all)/overview`);
    firstLogs.push(await marks('firstLog'));
    allLogs.push(await marks('allLogs'));
  }
  // Everything in the page before filtering.
  await page.waitForFunction(
    (n) => {
      const text = document.querySelector('[data-testid="log-count"]')?.textContent ?? '';
      return Number(text.replace(/[^0-9]/g, '')) >= n;
    },
    expectedLines,
    { timeout: 60_000 },
  );
  const shownLines = await page.locator('[data-testid="log-count"]').innerText();

  // Typing `term` (whole, or key by key): time from the input event to its rows being painted.
  const filterTime = (term, keyByKey) =>
    page.evaluate(
      async ({ term, keyByKey }) => {
        const input = document.querySelector('input[aria-label="Filter logs"]');
        const pane = document.querySelector('.log-scroll');
        const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
        const frame = () => new Promise((r) => requestAnimationFrame(r));
        const type = async (value) => {
          const start = performance.now();
          set.call(input, value);
          input.dispatchEvent(new Event('input', { bubbles: true }));
          while (pane.dataset.shownTerm !== value) await frame();
          await frame(); // painted
          return performance.now() - start;
        };
        const times = [];
        if (keyByKey)
          for (let i = 1; i <= term.length; i++) times.push(await type(term.slice(0, i)));
        else times.push(await type(term));
        await type('');
        return times;
      },
      { term, keyByKey },
    );

  const terms = ['svc-123 line 45', 'line 66', '/^svc-0\\d\\d line 1\\d$/', 'no such text'];
  const whole = {};
  for (const t of terms) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(...(await filterTime(t, false)));
    whole[t] = runs;
  }
  const keys = await filterTime('svc-2 line 600', true);
  const heapMB = await page.evaluate(() => (performance.memory?.usedJSHeapSize ?? 0) / 2 ** 20);
  const rssAfterUi = rssMB(tilt.pid);

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = (x) => `${x.toFixed(0)} ms`;
  const ratio = (x, target) => `${(x / target).toFixed(2)}× target`;
  const firstRenderMs = median(firstRender);
  const firstLogMs = median(firstLogs);
  const filterMs = Math.max(...Object.values(whole).map(median));
  const keyMs = Math.max(...keys);

  console.log(`UI load: ${resources} resources × ${linesEach} lines = ${expectedLines} lines`);
  console.log(
    `  lines in tilt's log store after ${storedAfterS.toFixed(1)} s; page shows ${shownLines}`,
  );
  console.log(
    `  overview first render (${resources + 1} rows): ${ms(firstRenderMs)} median of ${firstRender.map((x) => x.toFixed(0)).join(', ')}` +
      `  [target < ${TARGETS.firstRenderMs} ms: ${ratio(firstRenderMs, TARGETS.firstRenderMs)}]`,
  );
  console.log(
    `  (all) logs first rows: ${ms(firstLogMs)} median of ${firstLogs.map((x) => x.toFixed(0)).join(', ')}` +
      `  [target < ${TARGETS.firstRenderMs} ms: ${ratio(firstLogMs, TARGETS.firstRenderMs)}]`,
  );
  console.log(
    `  (all) logs, every line in the page: ${ms(median(allLogs))} median of ${allLogs.map((x) => x.toFixed(0)).join(', ')}`,
  );
  for (const [t, runs] of Object.entries(whole)) {
    console.log(
      `  filter ${JSON.stringify(t)}: ${ms(median(runs))} median of ${runs.map((x) => x.toFixed(0)).join(', ')}`,
    );
  }
  console.log(
    `  filter, slowest term (median): ${ms(filterMs)}  [target < ${TARGETS.filterMs} ms: ${ratio(filterMs, TARGETS.filterMs)}]`,
  );
  console.log(
    `  typing "svc-2 line 600" key by key: slowest key ${ms(keyMs)}, median ${ms(median(keys))}` +
      `  [target < ${TARGETS.filterMs} ms: ${ratio(keyMs, TARGETS.filterMs)}]`,
  );
  console.log(`  page JS heap: ${heapMB.toFixed(0)} MB`);
  console.log(
    `  tilt RSS: ${rssBeforeUi.toFixed(0)} MB with the logs stored, ${rssAfterOnePage.toFixed(0)} MB after one page load, ` +
      `${rssAfterUi.toFixed(0)} MB after all ${firstRender.length + firstLogs.length} (one view each)` +
      `  [target < ${TARGETS.rssMB} MB: ${ratio(rssAfterUi, TARGETS.rssMB)}]`,
  );
  await finish(0);
} catch (e) {
  console.error(e);
  await finish(1);
}
