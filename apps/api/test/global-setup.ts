import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** `<piece>.log` per piece of the platform (worker, emulator, ...): what an operator would read. */
  logDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Stack;
  }
}

let platform: Platform | undefined;
let logDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  logDir = mkdtempSync(join(tmpdir(), 'photomaker-api-test-logs-'));
  const dir = logDir;
  platform = await startPlatform({
    pieces: ['temporal', 'redis', 'emulator', 'worker'],
    name: 'api-test',
    // Fast polling: tests wait for jobs to finish.
    env: { worker: { WORKER_POLL_INITIAL: '20', WORKER_POLL_MAX: '100' } },
    onLine: (piece, line) => {
      // Kept for the at-rest test, which scans the logs for secrets.
      appendFileSync(join(dir, `${piece}.log`), `${line}\n`);
      if (process.env.API_TEST_VERBOSE) console.warn(`[${piece}] ${line}`);
    },
  });
  project.provide('stack', {
    temporalAddress: platform.temporalAddress,
    redisUrl: platform.redisUrl,
    runwareBaseUrl: platform.runwareBaseUrl,
    emulatorUrl: platform.emulatorUrl,
    blobDir: platform.blobDir,
    env: platform.envs.shared,
    logDir,
  });
}

export async function teardown(): Promise<void> {
  await platform?.stop();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
}
