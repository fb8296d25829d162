import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPlatform } from '@photomaker/harness';
import { DEV_API_KEY } from '@photomaker/runware-emulator/admin';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../src/worker.ts';

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
  const [platform, bundle] = await Promise.all([
    // The tests' own workers send the emulator's documented dev key (support/harness.ts).
    startPlatform({
      pieces: ['temporal', 'redis', 'emulator'],
      name: 'worker-test',
      emulator: { key: DEV_API_KEY },
    }),
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: quietBundlerLogger,
    }),
  ]);
  const workflowBundlePath = join(platform.dataDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', platform.temporalAddress);
  project.provide('redisUrl', platform.redisUrl);
  project.provide('emulatorUrl', platform.emulatorUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('tmpDir', platform.dataDir);
  return () => platform.stop();
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
