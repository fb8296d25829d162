import { type Platform, startPlatform } from '@photomaker/harness';
import type { TestProject } from 'vitest/node';

/** What every test file gets: ONE real stack (Temporal dev server, redis, emulator, worker) per run. */
export interface Stack {
  temporalAddress: string;
  redisUrl: string;
  runwareBaseUrl: string;
  emulatorUrl: string;
  blobDir: string;
  /** Env shared by the worker and every API we start (same secrets, same blob dir, same codec keys). */
  env: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Stack;
  }
}

let platform: Platform | undefined;

export async function setup(project: TestProject): Promise<void> {
  platform = await startPlatform({
    pieces: ['temporal', 'redis', 'emulator', 'worker'],
    name: 'api-test',
    // Fast polling: tests wait for jobs to finish.
    env: { worker: { WORKER_POLL_INITIAL: '20', WORKER_POLL_MAX: '100' } },
    ...(process.env.API_TEST_VERBOSE ? { onLine: (piece, line) => console.warn(`[${piece}] ${line}`) } : {}),
  });
  project.provide('stack', {
    temporalAddress: platform.temporalAddress,
    redisUrl: platform.redisUrl,
    runwareBaseUrl: platform.runwareBaseUrl,
    emulatorUrl: platform.emulatorUrl,
    blobDir: platform.blobDir,
    env: platform.envs.shared,
  });
}

export async function teardown(): Promise<void> {
  await platform?.stop();
}
