import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningNodeApp } from '@photomaker/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startApiProcess, tenants } from './helpers.ts';

// The API as its own process: the tenants file changes under it (watch) and it gets SIGHUP, as in
// production; no restart between steps.
const people = tenants('envkeys', 'alice', 'bob');
const sha = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'tenants-reload-'));
const path = join(dir, 'tenants.yaml');

function yaml(entries: { tenant: string; key: string }[], extra = ''): string {
  const body = entries.map(({ tenant, key }) => `  ${tenant}:\n    apiKeys: ["${sha(key)}"]\n${extra}`);
  return `tenants:\n${body.join('')}`;
}

/** Editors and config maps replace the file (write elsewhere, rename over). */
function replace(text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

const status = async (key: string) => (await gql(api.url as string, key, '{ __typename }')).status;

let api: RunningNodeApp;
beforeAll(async () => {
  replace(yaml([people.alice]));
  api = await startApiProcess({ envkeys: people.envkeys }, { PHOTOMAKER_TENANTS_FILE: path });
});
afterAll(async () => {
  await api?.stop();
});

describe('the tenants file of a running API', () => {
  it('serves keys from the file and from PHOTOMAKER_API_KEYS together', async () => {
    expect(await status(people.alice.key)).toBe(200);
    expect(await status(people.envkeys.key)).toBe(200);
    expect(await status(people.bob.key)).toBe(401);
  });

  it('takes a key added to the file without a restart', async () => {
    replace(yaml([people.alice, people.bob]));
    await api.process.waitUntil(async () => (await status(people.bob.key)) === 200, 15_000);
    await api.process.waitForLine(/"trigger":"change".*tenants reloaded/, 5_000);
    expect(await status(people.alice.key)).toBe(200);
  });

  it('keeps the previous keys when the new file is broken, and logs the problem', async () => {
    replace(`${yaml([people.alice], '    limits:\n      imagesPerDay: lots\n')}`);
    await api.process.waitForLine(
      /tenants\.[^"]*alice[^"]*\.limits\.imagesPerDay: expected a whole number >= 0.*tenants file rejected/,
      15_000,
    );
    expect(await status(people.alice.key)).toBe(200);
    expect(await status(people.bob.key)).toBe(200);
    expect(await status(people.envkeys.key)).toBe(200);
  });

  it('reloads on SIGHUP: a broken file is refused again, a fixed one is taken', async () => {
    api.process.child.kill('SIGHUP');
    await api.process.waitForLine(/"trigger":"signal".*tenants file rejected/, 15_000);
    expect(await status(people.bob.key)).toBe(200);
    expect(api.process.running).toBe(true);

    // The watch takes the fixed file; a SIGHUP then reloads even unchanged bytes (an explicit reload is logged).
    replace(yaml([people.alice]));
    await api.process.waitUntil(async () => (await status(people.bob.key)) === 401, 15_000);
    api.process.child.kill('SIGHUP');
    await api.process.waitForLine(/"trigger":"signal".*tenants reloaded/, 15_000);
    expect(await status(people.alice.key)).toBe(200);
  });
});
