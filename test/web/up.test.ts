// The web UI of a real `tilt up` of the seed example on the Docker engine: the overview shows it
// healthy, and the trigger button starts an update whose reason the log shows.

import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { cleanUp, edit, freePort, project, SEED_EXAMPLE, up } from '../e2e/helpers.js';
import { ensureBuilt, launchBrowser, newPage, screenshot } from './harness.js';

let browser: Browser;
let page: Page | undefined;

beforeAll(async () => {
  await ensureBuilt();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async (ctx) => {
  if (page) await screenshot(page, ctx.task.name);
  await page?.context().close();
  page = undefined;
  await cleanUp();
}, 120_000);

it('shows the seed example healthy and starts an update from the trigger button', async () => {
  const appPort = await freePort();
  const dir = project({}, SEED_EXAMPLE);
  edit(dir, 'Tiltfile', (t) => t.replace('port_forwards=3000', `port_forwards='${appPort}:3000'`));
  const tilt = await up(dir);
  await tilt.until(
    (v) => v.resources.some((r) => r.name === 'example-app' && r.updateStatus === 'ok'),
    'example-app is up',
    150_000,
  );

  ({ page } = await newPage(browser));
  await page.goto(`http://localhost:${tilt.port}/`);
  const row = (name: string) => page!.locator(`table.resources tr[data-resource="${name}"]`);
  const status = (name: string, col: number) =>
    row(name).locator(`td:nth-child(${col}) .status`).getAttribute('data-status');
  await row('example-app').waitFor({ timeout: 30_000 });
  expect(await row('(Tiltfile)').count()).toBe(1);
  await expect.poll(() => status('(Tiltfile)', 3), { timeout: 30_000 }).toBe('ok');
  await expect.poll(() => status('example-app', 3), { timeout: 30_000 }).toBe('ok');
  await expect.poll(() => status('example-app', 4), { timeout: 60_000 }).toBe('ok');
  expect(await row('example-app').locator('td:nth-child(8) a').getAttribute('href')).toContain(
    `:${appPort}`,
  );

  await row('example-app').getByRole('button', { name: 'Trigger update of example-app' }).click();
  // The update starts: the resource's log gets the reason line of a manual trigger.
  await page.goto(`http://localhost:${tilt.port}/r/example-app/overview?source=build`);
  await page.locator('.log-line', { hasText: /^Manual Trigger$/ }).waitFor({ timeout: 60_000 });
  await expect
    .poll(() => page!.locator('.resource-header .status').first().getAttribute('data-status'), {
      timeout: 150_000,
    })
    .toBe('ok');
}, 400_000);
