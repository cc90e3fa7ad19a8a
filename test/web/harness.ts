// The web UI in a real browser: the real server with a FakeBackend (or a real `tilt up`), the
// built UI from dist/web, and Debian's chromium driven by playwright-core. No browser is ever
// downloaded: chromium must be at /usr/bin/chromium.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { FakeBackend } from '../server/fake-backend.js';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB_ROOT = resolve('dist/web');
const SCREENSHOTS = resolve('test-results/screenshots');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the UI when dist/web is missing or older than web/ (a second or two). */
export async function ensureBuilt(): Promise<void> {
  const index = join(WEB_ROOT, 'index.html');
  const webDir = resolve('web');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(webDir)) return;
  const { build } = await import('vite');
  await build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn' });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface FakeTilt {
  backend: FakeBackend;
  server: RunningServer;
  /** http://127.0.0.1:PORT */
  origin: string;
  close(): Promise<void>;
}

/** The real server on a free port, with `backend`; its token file goes to a temporary directory. */
export async function serve(backend: FakeBackend, port = 0): Promise<FakeTilt> {
  const tokenDir = mkdtempSync(join(tmpdir(), 'tilt-web-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port,
    backend: () => backend,
    webRoot: WEB_ROOT,
    tokenDir,
    pace: { intervalMs: 20 },
  });
  return {
    backend,
    server,
    origin: `http://127.0.0.1:${server.port}`,
    close: async () => {
      await server.close();
      rmSync(tokenDir, { recursive: true, force: true });
    },
  };
}

/** A fresh page (its own cookies) for one test. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

/** Saves what the page shows as test-results/screenshots/<test name>.png. */
export async function screenshot(page: Page, testName: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = `${testName.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '')}.png`;
  await page.screenshot({ path: join(SCREENSHOTS, file) }).catch(() => undefined);
}

/** Polls `f` until it returns true. */
export async function until(f: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
