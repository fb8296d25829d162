import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisPing, temporalCli } from '@photomaker/harness';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_MUTATION, exampleVariables } from '../src/banner.ts';
import { type LaunchedStack, launchStack } from '../src/launch.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function graphql<T>(
  stack: LaunchedStack,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${stack.apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!response.ok || body.errors)
    throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

async function waitForJob(stack: LaunchedStack, id: string): Promise<{ status: string; images: unknown[] }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { job } = await graphql<{ job: { status: string; images: unknown[] } }>(
      stack,
      'query Job($id: ID!) { job(id: $id) { status images { url } } }',
      { id },
    );
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status) || Date.now() > deadline) return job;
    await sleep(250);
  }
}

async function stopAndCheck(stack: LaunchedStack, options: { outputClosed?: boolean } = {}): Promise<void> {
  const pids = stack.servicePids();
  expect(Object.keys(pids).sort()).toEqual(['api', 'emulator', 'redis', 'temporal', 'worker']);
  if (options.outputClosed) {
    // `npm start | tee log` and Ctrl-C: tee dies first; the stop must still complete.
    stack.launcher.stdout?.destroy();
    stack.launcher.stderr?.destroy();
  }
  const exit = await stack.stop('SIGINT');
  expect(exit).toEqual({ code: 0, signal: null });
  for (const [name, pid] of Object.entries(pids))
    expect(alive(pid), `${name} (pid ${pid}) still runs`).toBe(false);
  if (!options.outputClosed) expect(stack.output()).toContain('stopped.');
  expect(existsSync(join(stack.dataDir, 'stack.json'))).toBe(false);
}

/** Entries under `dir` (itself included) that group or others may use; test.env is the test's own. */
function exposedEntries(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (name) => name !== 'test.env',
  );
  return [dir, ...entries.map((name) => join(dir, name))].filter((path) => {
    // A file gone since the listing (SQLite's temporal.db-journal comes and goes) exposes nothing.
    const stat = lstatSync(path, { throwIfNoEntry: false });
    return stat !== undefined && !stat.isSymbolicLink() && (stat.mode & 0o077) !== 0;
  });
}

describe('npm start: the whole stack on free ports', () => {
  it('starts, serves the printed example, restarts a crashed worker, stops on Ctrl-C, and starts again from its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-full-'));
    // Ports are left to launchStack: it picks free ones for each start and picks again when one is taken
    // before the launcher binds it (fixed ports here would make a port another test grabbed meanwhile fatal).
    const env: Record<string, string> = { RUNWARE_EMULATOR_LATENCY: 'none' };

    const first = await launchStack({ dataDir, env });
    const banner = first.output();
    expect(banner).toMatch(/^ready: http:\/\/127\.0\.0\.1:\d+\/ /m);
    for (const url of [
      `${first.apiUrl}/graphql`,
      first.temporalUiUrl,
      `${first.emulatorUrl}/v1`,
      `${first.workerUrl}/metrics`,
    ]) {
      expect(banner).toContain(url);
    }
    expect(banner).toContain(first.apiKey);
    expect(banner).toContain(`curl -s ${first.apiUrl}/graphql`);

    // Every URL the banner prints answers (/metrics with the generated token, refused without it).
    const tokens = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
      metricsToken: string;
      codecToken: string;
    };
    const scrape = { authorization: `Bearer ${tokens.metricsToken}` };
    for (const url of [
      `${first.apiUrl}/`,
      `${first.temporalUiUrl}/namespaces/default/workflows`,
      `${first.emulatorUrl}/admin/inspect`,
    ]) {
      expect((await fetch(url)).status, url).toBe(200);
    }
    for (const url of [`${first.apiUrl}/metrics`, `${first.workerUrl}/metrics`]) {
      expect((await fetch(url, { headers: scrape })).status, url).toBe(200);
      expect((await fetch(url)).status, url).toBe(401);
    }
    // The UI's codec endpoint carries the codec token; the UI's origin may call it, others may not.
    const codecUrl = `${first.workerUrl}/codec/${tokens.codecToken}`;
    const settings = (await (await fetch(`${first.temporalUiUrl}/api/v1/settings`)).json()) as {
      Codec?: { Endpoint?: string };
    };
    expect(settings.Codec?.Endpoint).toBe(codecUrl);
    const decode = (url: string, origin: string) =>
      fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin },
        body: JSON.stringify({ payloads: [] }),
      });
    const uiOrigin = new URL(first.temporalUiUrl).origin;
    expect((await decode(codecUrl, uiOrigin)).status).toBe(200);
    expect((await decode(codecUrl, 'http://127.0.0.1:1')).status).toBe(403);
    expect((await decode(`${first.workerUrl}/codec`, uiOrigin)).status).toBe(401);
    // Our search attributes are registered on the dev server.
    const attributes = spawnSync(
      temporalCli(),
      ['operator', 'search-attribute', 'list', '--address', first.temporalAddress, '--output', 'json'],
      { encoding: 'utf8' },
    );
    for (const name of Object.keys(SEARCH_ATTRIBUTE_TYPES)) expect(attributes.stdout).toContain(name);

    // The example the banner prints, sent as printed, with the demo key: a job that finishes.
    const { generatePhotoMaker } = await graphql<{ generatePhotoMaker: { id: string; status: string } }>(
      first,
      EXAMPLE_MUTATION,
      exampleVariables(),
    );
    const job = await waitForJob(first, generatePhotoMaker.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.images).toHaveLength(2);
    // A worker that dies is restarted by the launcher, and jobs keep running.
    const workerPid = first.servicePids().worker as number;
    process.kill(workerPid, 'SIGKILL');
    const deadline = Date.now() + 60_000;
    while ((first.servicePids().worker ?? workerPid) === workerPid && Date.now() < deadline) await sleep(200);
    expect(first.servicePids().worker).not.toBe(workerPid);
    expect(first.output()).toContain('worker exited (code null, signal SIGKILL); restarting in 1 s');
    const again = await graphql<{ generatePhotoMaker: { id: string } }>(
      first,
      EXAMPLE_MUTATION,
      exampleVariables(),
    );
    expect((await waitForJob(first, again.generatePhotoMaker.id)).status).toBe('SUCCEEDED');
    // At rest: the data dir and all in it (secrets, logs, Redis AOF, Temporal's db, blobs) are the
    // user's only, and Redis answers only with the generated password.
    expect(exposedEntries(dataDir)).toEqual([]);
    const { redisPassword } = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'));
    expect(await redisPing(first.ports.REDIS_PORT as number)).toBe(false);
    expect(await redisPing(first.ports.REDIS_PORT as number, '127.0.0.1', redisPassword)).toBe(true);
    // The web app is served on the same port.
    const page = await fetch(`${first.apiUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    await stopAndCheck(first);

    const second = await launchStack({ dataDir, env });
    // Same demo key, same Temporal history: the job of the first run is still there.
    expect(second.apiKey).toBe(first.apiKey);
    expect((await waitForJob(second, generatePhotoMaker.id)).status).toBe('SUCCEEDED');
    expect(readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim()).toBe(first.apiKey);
    // Numbers, not asserts: timings depend on the machine.
    console.warn(
      `[stack] first start ${(first.readyMs / 1000).toFixed(1)} s, second start ${(second.readyMs / 1000).toFixed(1)} s`,
    );
    await stopAndCheck(second, { outputClosed: true });
  }, 600_000);
});
