import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATE, PlatformClient, pngDataUri, referencePng, smallTask } from '../src/client/index.ts';
import { type Platform, startPlatform } from '../src/index.ts';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({
    pieces: ['temporal', 'redis', 'emulator', 'worker', 'api'],
    name: 'platform-client',
    // Each image takes 2 s, so a job is still running while the test works on another.
    emulator: { latency: JSON.stringify({ requestMs: 0, imageMs: 2_000, stepMs: 0 }) },
  });
}, 240_000);

afterAll(async () => {
  await platform?.stop();
});

/** Keep the event loop busy, as a loaded client is: whatever the server sends meanwhile is read at once. */
const busyFor = (ms: number) =>
  new Promise<void>((resolve) =>
    setImmediate(() => {
      const until = performance.now() + ms;
      while (performance.now() < until);
      resolve();
    }),
  );

describe('PlatformClient.waitTerminal', () => {
  // The bench once saw "subscription completed without a terminal item" on jobs that were still running:
  // a subscription's terminal item and the server's `complete` read in one chunk made graphql-ws release
  // its socket lock twice, so it closed the socket (1000) under the other subscriptions, which it then
  // completed. See graphql-client.ts `graphqlWs`.
  it('keeps the other subscriptions of its socket when one ends with its complete in the same read', {
    timeout: 60_000,
  }, async () => {
    const setup = new PlatformClient(platform.apiUrl, platform.apiKey);
    const watcher = new PlatformClient(platform.apiUrl, platform.apiKey);
    try {
      const input = smallTask(pngDataUri(await referencePng()));
      const finished = await setup.runJob(input);
      expect(finished.status).toBe('SUCCEEDED');
      const started = await setup.http.post<{ generatePhotoMaker: { id: string } }>(GENERATE, { input });
      const runningId = started.data?.generatePhotoMaker.id ?? '';
      expect(runningId).not.toBe('');

      const running = watcher.waitTerminal(runningId);
      // Its subscription is open on the watcher's one socket before the next one starts.
      await new Promise((resolve) => setTimeout(resolve, 500));
      // A finished job: the server answers with a terminal snapshot and completes at once; both arrive
      // while the client is busy, so they are handled in one go.
      const ended = watcher.waitTerminal(finished.jobId);
      await busyFor(500);
      expect((await ended).status).toBe('SUCCEEDED');
      expect((await running).status).toBe('SUCCEEDED');
    } finally {
      await Promise.all([setup.close(), watcher.close()]);
    }
  });
});
