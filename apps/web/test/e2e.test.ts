import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium as chromiumPath } from '@photomaker/harness';
import { type LaunchedStack, launchStack } from '@photomaker/launcher';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facePhoto } from './fixtures.ts';

// The browser test drives the real stack as a newcomer gets it: the start command (`npm start`'s
// launcher) on free ports and a temp data dir, the web app served by the API, the demo key, the
// emulator with its realistic latency. Screenshots land in apps/web/test-artifacts/e2e/.

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/e2e/', import.meta.url));

let stack: LaunchedStack;
let browser: Browser;
let page: Page;
let photos: string[];

async function shot(name: string, fullPage = true): Promise<void> {
  // From the top: the live column is sticky, so a scrolled page would place it mid-picture.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

async function openAdvanced(): Promise<void> {
  const details = page.locator('form details.advanced');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'web-e2e-photos-'));
  photos = await Promise.all(
    [0, 1].map(async (i) => {
      const file = join(dir, `reference-${i + 1}.png`);
      writeFileSync(file, await facePhoto(i));
      return file;
    }),
  );
  const started = performance.now();
  // One running job per tenant: a second job waits in the admission queue (the queued view below). The
  // demo tenant is an admin here, so the Usage page shows its every-tenant view too.
  stack = await launchStack({
    env: {
      RUNWARE_EMULATOR_LATENCY: 'realistic',
      PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1',
      PHOTOMAKER_ADMIN_TENANTS: 'demo',
    },
  });
  console.warn(`[e2e] stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.on('pageerror', (error) => console.error(`[e2e] page error: ${error.message}`));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (stack) {
    const exit = await stack.stop('SIGINT');
    expect(exit.code).toBe(0);
  }
}, 120_000);

describe('the web app on the real stack', () => {
  it('opens with the demo key, no key prompt', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByRole('heading', { name: 'New generation' }).waitFor();
    expect(await page.locator('.key-chip').textContent()).toContain('demo key');
    await shot('01-start');
  });

  it('shows a validation error that names the field, as the user types', async () => {
    await page.locator('[data-size=custom]').click();
    await page.locator('#f-width').fill('1000');
    await page.locator('#f-width').blur();
    const error = page.locator('[data-field-error=width]');
    await error.waitFor();
    expect(await error.textContent()).toBe(
      "Invalid value for 'width': it must be an integer from 128 to 2048, divisible by 64.",
    );
    expect(await page.locator('#f-width').getAttribute('aria-invalid')).toBe('true');
    await shot('02-validation-error');
    await page.locator('[data-size=portrait]').click();
    await error.waitFor({ state: 'detached' });
  });

  it('takes a Cancel after deadline under Advanced, checked as typed', async () => {
    await page.locator('summary', { hasText: 'Advanced' }).click();
    await page.locator('#f-cancelAfter').fill('soon');
    await page.locator('#f-cancelAfter').blur();
    const error = page.locator('[data-field-error=cancelAfter]');
    await error.waitFor();
    expect(await error.textContent()).toContain("Invalid value for 'cancelAfter'");
    await page.locator('#f-cancelAfter').fill('10m');
    await error.waitFor({ state: 'detached' });
    // Left empty for the jobs below (no deadline), the section folded again.
    await page.locator('#f-cancelAfter').fill('');
    await page.locator('summary', { hasText: 'Advanced' }).click();
  });

  it('uploads two reference photos with previews and checks', async () => {
    await page.locator('[data-testid=photo-input]').setInputFiles(photos);
    await page.locator('.photo[data-status=ready]').nth(1).waitFor({ timeout: 20_000 });
    expect(await page.locator('.photo').count()).toBe(2);
    const previews = await page
      .locator('.photo-img')
      .evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
    expect(previews).toEqual([640, 640]);
  });

  it('shows the API refusing a field only the server can check, and starts nothing', async () => {
    await page
      .locator('#f-positivePrompt')
      .fill('a portrait photo of a woman rwre, soft window light, linen shirt');
    await openAdvanced();
    // Loopback: the API's SSRF guard refuses it (the browser cannot know what the server allows).
    await page.locator('#f-webhookURL').fill('http://127.0.0.1:9/hook');
    await page.getByRole('button', { name: /^Generate/ }).click();
    const error = page.locator('[data-field-error=webhookURL]');
    await error.waitFor({ timeout: 20_000 });
    expect(await error.textContent()).toContain('webhookURL');
    expect(await page.locator('.job-panel').count()).toBe(0);
    // The estimate (the same validation, nothing started) said so before Generate, too.
    await expect
      .poll(() => page.locator('[data-testid=estimate]').textContent(), { timeout: 10_000 })
      .toMatch(/^Would be refused: Invalid value for 'webhookURL'/);
    await shot('03-server-validation-error');
    await page.locator('#f-webhookURL').fill('');
    await error.waitFor({ state: 'detached' });
  });

  it("shows Runware's price before Generate, following the form as it changes", async () => {
    const estimate = page.locator('[data-testid=estimate]');
    await page.locator('#f-numberResults').fill('1');
    await expect
      .poll(() => estimate.textContent(), { timeout: 10_000 })
      .toMatch(/^≈ \$\d\.\d{4} for 1 image$/);
    expect(await estimate.getAttribute('data-source')).toBe('RUNWARE');
    const one = Number((await estimate.textContent())?.match(/\$([\d.]+)/)?.[1]);
    await page.locator('#f-numberResults').fill('4');
    await expect.poll(() => estimate.textContent(), { timeout: 10_000 }).toMatch(/ for 4 images$/);
    const four = Number((await estimate.textContent())?.match(/\$([\d.]+)/)?.[1]);
    expect(four).toBeCloseTo(4 * one, 3);
    await shot('03b-estimate');
  });

  it('generates 3 images and shows each as it arrives, then the finished job', async () => {
    await page.locator('#f-numberResults').fill('3');
    const estimate = page.locator('[data-testid=estimate]');
    await expect.poll(() => estimate.textContent(), { timeout: 10_000 }).toMatch(/ for 3 images$/);
    const estimated = (await estimate.textContent())?.match(/\$[\d.]+/)?.[0];
    await page.getByRole('button', { name: 'Generate 3 images' }).click();
    const panel = page.locator('.job-panel');
    await panel.waitFor({ timeout: 20_000 });
    await page.locator('.image-tile.pending').first().waitFor();
    await page.locator('.image-tile:not(.pending)').first().waitFor({ timeout: 60_000 });
    await shot('04-first-image');
    await page.locator('.job-panel[data-status=SUCCEEDED]').waitFor({ timeout: 90_000 });
    const tiles = page.locator('.image-tile:not(.pending) .tile-img');
    expect(await tiles.count()).toBe(3);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.tile-img')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    const sizes = await tiles.evaluateAll((imgs) =>
      imgs.map((img) => (img as HTMLImageElement).naturalWidth),
    );
    expect(sizes).toEqual([896, 896, 896]);
    expect(await page.locator('.timeline .step[data-stage=IMAGE_READY]').getAttribute('data-state')).toBe(
      'done',
    );
    // The charge is the estimate (the emulator prices dry runs and results with one price list).
    expect(await page.locator('[data-testid=job-cost]').textContent()).toBe(estimated);
    await shot('05-succeeded');
  });

  it('opens one image large, with its download', async () => {
    await page.locator('.image-tile button').first().click();
    const lightbox = page.locator('.lightbox');
    await lightbox.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.lightbox-img');
      return Boolean(img?.complete && img.naturalWidth > 0);
    });
    const download = lightbox.getByRole('link', { name: 'Download' });
    expect(await download.getAttribute('href')).toMatch(/\/images\/[0-9a-f]{64}\.jpg\?exp=\d+&sig=/);
    expect(await download.getAttribute('download')).toMatch(/^photomaker-.+-1\.jpg$/);
    await shot('06-image-open', false);
    await page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
  });

  it('lists the job in the history and its images in the gallery', async () => {
    await page.getByRole('link', { name: 'History' }).click();
    await page.locator('.job-row').first().waitFor();
    expect(await page.locator('.job-row .badge').allTextContents()).toEqual(['Succeeded']);
    await shot('07-history');
    await page.getByRole('link', { name: 'Gallery' }).click();
    await page.locator('.gallery-tile').nth(2).waitFor();
    expect(await page.locator('.gallery-tile').count()).toBe(3);
    await shot('08-gallery');
  });

  it('shows a job that Runware refused, with the field it names', async () => {
    await page.getByRole('link', { name: 'Create' }).click();
    await openAdvanced();
    await page.locator('[aria-label="Recommended models"]').selectOption('__custom');
    // A valid AIR id, but not an SDXL model: the API accepts it, Runware (the emulator) refuses it.
    await page.locator('#f-model').fill('runware:100@1');
    await page.locator('#f-numberResults').fill('1');
    await page.getByRole('button', { name: 'Generate 1 image' }).click();
    await page.locator('.job-panel[data-status=FAILED]').waitFor({ timeout: 60_000 });
    const error = page.locator('.job-panel .error-box[data-error-code=invalidModel]');
    expect(await error.textContent()).toMatch(/^model: /);
    expect(await page.locator('.timeline .step').last().getAttribute('data-state')).toBe('failed');
    await shot('09-job-failed');
    await page.locator('[aria-label="Recommended models"]').selectOption({ index: 0 });
  });

  it('cancels a running job', async () => {
    await page.locator('#f-numberResults').fill('20');
    await page.getByRole('button', { name: 'Generate 20 images' }).click();
    await page.locator('.job-panel[data-status=RUNNING]').waitFor({ timeout: 30_000 });
    await page.locator('.job-panel').getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.job-panel[data-status=CANCELLED]').waitFor({ timeout: 60_000 });
    expect(await page.locator('.job-panel .image-tile:not(.pending)').count()).toBeLessThan(20);
    expect(await page.locator('.job-panel').getByRole('button', { name: 'Cancel' }).count()).toBe(0);
    expect(await page.locator('.job-panel [data-testid=job-cancelled]').textContent()).toMatch(/^Cancelled/);
    // The images it finished before the cancel still count, and cost.
    if ((await page.locator('.job-panel .image-tile:not(.pending)').count()) > 0) {
      expect(await page.locator('[data-testid=job-cost]').textContent()).toMatch(/^\$\d/);
    }
    await shot('10-job-cancelled');
  });

  it('pages through the history', async () => {
    await page.goto(`${stack.apiUrl}/history?per=2`);
    await page.locator('.job-row').nth(1).waitFor();
    expect(await page.locator('.job-row').count()).toBe(2);
    // Newest first: the cancelled job, then the failed one.
    expect(await page.locator('.job-row .badge').allTextContents()).toEqual(['Cancelled', 'Failed']);
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.getByText('Page 2').waitFor();
    await expect
      .poll(() => page.locator('.job-row .badge').allTextContents(), { timeout: 10_000 })
      .toEqual(['Succeeded']);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await shot('11-history-page-2');
  });

  it('fits a phone screen: the job page with its images, the navigation in view', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    await page.getByRole('link', { name: 'History' }).click();
    await page.locator('.job-row[data-job-id]').last().click();
    await page.locator('.job-panel[data-status=SUCCEEDED] .tile-img').nth(2).waitFor();
    const nav = await page.getByRole('link', { name: 'Gallery' }).boundingBox();
    expect(nav && nav.x + nav.width).toBeLessThanOrEqual(400);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(400);
    await shot('12-phone-job-page');
  });

  it('shows a queued job its place in line and its ETA, live, until it runs (one running job per tenant)', async () => {
    await page.setViewportSize({ width: 1360, height: 1000 });
    await page.getByRole('link', { name: 'Create' }).click();
    // The history test reloaded the page: the form starts empty again.
    await page.locator('[data-testid=photo-input]').setInputFiles(photos);
    await page.locator('.photo[data-status=ready]').nth(1).waitFor({ timeout: 20_000 });
    await page.locator('#f-positivePrompt').fill('a portrait photo of a man rwre, soft window light');
    await page.locator('#f-numberResults').fill('20');
    await page.getByRole('button', { name: 'Generate 20 images' }).click();
    await page.locator('.job-panel[data-status=RUNNING]').waitFor({ timeout: 30_000 });
    const first = await page.locator('.job-panel').getAttribute('data-job-id');
    await page.locator('#f-numberResults').fill('1');
    // Under Advanced: a priority for the waiting job (only this key's own jobs are reordered by it).
    await openAdvanced();
    await page.locator('#f-priority').selectOption('HIGH');
    await page.getByRole('button', { name: 'Generate 1 image' }).click();
    await page
      .locator(`.job-panel:not([data-job-id="${first}"])[data-status=QUEUED]`)
      .waitFor({ timeout: 20_000 });
    const place = page.locator('.job-panel [data-testid=job-queue]');
    // Its place and estimates, from the snapshot and then live JobQueued updates.
    await expect
      .poll(() => place.textContent(), { timeout: 20_000 })
      .toMatch(/^next in line · starts (in ~\d+(m\d\ds| s)|any moment)/);
    expect(await place.getAttribute('data-position')).toBe('1');
    await shot('13-job-queued');
    // The first job ends, this one runs: the queue line goes, the images come.
    await page.locator('.job-panel[data-status=SUCCEEDED]').waitFor({ timeout: 120_000 });
    expect(await place.count()).toBe(0);
    expect(await page.locator('.job-panel .image-tile:not(.pending)').count()).toBe(1);
  }, 240_000);

  it('retries a failed job: a new job opens, with the same task', async () => {
    await page.setViewportSize({ width: 1360, height: 1000 });
    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.locator('.job-row', { hasText: 'Failed' }).first().click();
    const failed = page.locator('.job-panel[data-status=FAILED]');
    await failed.waitFor({ timeout: 30_000 });
    const original = await failed.getAttribute('data-job-id');
    // Only a finished, unsuccessful job offers it.
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(`/jobs/${original}`), { timeout: 30_000 });
    const retry = page.locator('.job-panel');
    const retryId = await retry.getAttribute('data-job-id');
    expect(retryId).not.toBe(original);
    // The same task (a model Runware refuses): the retry fails the same way, as a job of its own.
    await page.locator('.job-panel[data-status=FAILED] .error-box[data-error-code=invalidModel]').waitFor({
      timeout: 60_000,
    });
    await shot('14-job-retried');
  });

  it('shows usage: totals, a bar per day, a table per model, every tenant for an admin key', async () => {
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.locator('[data-testid=usage-totals]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid=usage-scope]').textContent()).toContain('every tenant');
    // The jobs so far: one succeeded (3 images), two failed (refused by Runware), one cancelled.
    const models = page.locator('[data-testid=usage-models] tbody tr');
    await expect
      .poll(async () => (await models.allTextContents()).join(' | '), { timeout: 20_000 })
      .toContain('runware:100@1');
    const refused = models.filter({ hasText: 'runware:100@1' });
    expect(await refused.locator('td').allTextContents()).toEqual([
      'runware:100@1',
      '2',
      '0',
      '2',
      '0',
      '$0.0000',
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const bar = page.locator(`.usage-chart rect[data-day="${today}"]`);
    expect(Number(await bar.getAttribute('data-images'))).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid=usage-tenants] tbody tr').first().textContent()).toContain(
      'demo',
    );
    await shot('15-usage');
  });

  it('deletes a job from the history, only after the user confirms', async () => {
    await page.setViewportSize({ width: 1360, height: 1000 });
    await page.goto(`${stack.apiUrl}/history`);
    await page.locator('.job-row').nth(2).waitFor();
    const rows = page.locator('.job-list > li');
    const count = await rows.count();
    const first = rows.first();
    const jobId = await first.locator('.job-row').getAttribute('data-job-id');
    // Keep it: nothing happens.
    await first.getByRole('button', { name: 'Delete job' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete this job?' });
    await dialog.waitFor();
    await shot('16-delete-confirm', false);
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(count);
    // Delete: the row goes, and the job's page no longer finds it.
    await first.getByRole('button', { name: 'Delete job' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(count - 1);
    expect(await page.locator(`.job-row[data-job-id="${jobId}"]`).count()).toBe(0);
    await shot('17-deleted');
  });
});
