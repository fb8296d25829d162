import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium as chromiumPath } from '@photomaker/harness';
import { type LaunchedStack, launchStack } from '@photomaker/launcher';
import { sampleFace, samplePhoto } from '@photomaker/likeness/samples';
import { type Browser, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue #17 in the browser, on the real stack (launcher, worker with its vision queue, emulator): real
// faces from @vladmandic/face-api's demo/, the tenant default referenceCheck WARN. The screenshot is the
// one in the README (docs/likeness-results.png).

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/e2e/', import.meta.url));
const README_SHOT = fileURLToPath(new URL('../../../docs/likeness-results.png', import.meta.url));

let stack: LaunchedStack;
let browser: Browser;
let page: Page;
let photos: string[];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'web-likeness-photos-'));
  const portrait = await sharp(await sampleFace('left', 0.5))
    .resize(640)
    .jpeg()
    .toBuffer();
  const group = await sharp(await samplePhoto(1))
    .resize(1024)
    .jpeg()
    .toBuffer();
  photos = [join(dir, 'portrait.jpg'), join(dir, 'group.jpg')];
  writeFileSync(photos[0] as string, portrait);
  writeFileSync(photos[1] as string, group);
  stack = await launchStack({ env: { PHOTOMAKER_TENANT_DEFAULT_REFERENCE_CHECK: 'WARN' } });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (stack) await stack.stop('SIGINT');
}, 120_000);

describe('likeness in the web app', () => {
  it('scores every image, sorts by likeness, and explains the weak photo under it', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByRole('heading', { name: 'New generation' }).waitFor();
    await page.locator('[data-testid=photo-input]').setInputFiles(photos);
    await page.locator('.photo[data-status=ready]').nth(1).waitFor({ timeout: 30_000 });
    // The API's face check of each upload, shown on the photo before anything is generated.
    expect(await page.locator('.photo').nth(0).locator('[data-face-check=ok]').textContent()).toContain(
      'one clear face',
    );
    expect(await page.locator('.photo').nth(1).locator('[data-face-check=multipleFaces]').count()).toBe(1);
    await page.locator('#f-positivePrompt').fill('a portrait photo of a woman rwre, soft window light');
    await page.locator('#f-numberResults').fill('3');
    await page.getByRole('button', { name: 'Generate 3 images' }).click();
    await page.locator('.job-panel[data-status=SUCCEEDED]').waitFor({ timeout: 120_000 });
    const tags = page.locator('.image-tile .tile-tag.likeness');
    await tags.nth(2).waitFor({ timeout: 30_000 });
    const percents = (await tags.allTextContents()).map((text) => Number(text.match(/(\d+)/)?.[1]));
    expect(percents).toHaveLength(3);
    for (const percent of percents) expect(percent).toBeGreaterThan(60);
    // Best first.
    expect([...percents].sort((a, b) => b - a)).toEqual(percents);
    const note = page.locator('.reference-check li').nth(1).locator('.warning-box');
    expect(await note.textContent()).toContain('multipleFaces');
    expect(await page.locator('.reference-check li').nth(0).locator('.warning-box').count()).toBe(0);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.tile-img')].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'likeness.png'), fullPage: true });
    await page.screenshot({ path: README_SHOT, fullPage: true });
  }, 180_000);
});
