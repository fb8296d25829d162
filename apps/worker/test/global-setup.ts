import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeApp, startRedis, startTemporal } from '@photomaker/harness';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { WORKFLOWS_PATH } from '../src/worker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    redisUrl: string;
    /** The shared emulator (zero latency): `http://127.0.0.1:<port>`. */
    emulatorUrl: string;
    /** The workflow bundle, built once for every test file. */
    workflowBundlePath: string;
    tmpDir: string;
  }
}

/** One Temporal dev server, one redis-server and one Runware emulator for the whole test run. */
export default async function setup(project: TestProject) {
  const tmpDir = mkdtempSync(join(tmpdir(), 'photomaker-worker-test-'));
  const [temporal, redis, emulator, bundle] = await Promise.all([
    startTemporal({ searchAttributes: SEARCH_ATTRIBUTE_TYPES }),
    startRedis(),
    startNodeApp({
      name: 'runware-emulator',
      entry: 'apps/runware-emulator/src/main.ts',
      args: ['--port', '0', '--latency', 'none'],
    }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger }),
  ]);
  const workflowBundlePath = join(tmpDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', temporal.address);
  project.provide('redisUrl', redis.url);
  project.provide('emulatorUrl', emulator.url ?? '');
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('tmpDir', tmpDir);
  return async () => {
    await Promise.allSettled([emulator.stop(), redis.stop(), temporal.stop()]);
    rmSync(tmpDir, { recursive: true, force: true });
  };
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
