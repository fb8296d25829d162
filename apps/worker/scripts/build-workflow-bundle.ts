import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../src/worker.ts';
import { BUNDLE_META_PATH, BUNDLE_PATH, workflowSourceHash } from '../src/workflow-bundle.ts';

// Production start loads this prebuilt bundle instead of running webpack at every start.
const started = Date.now();
const sourceHash = workflowSourceHash();
const quiet = () => undefined;
const { code } = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  // webpack's module listing is noise in CI logs; warnings and errors still show.
  logger: {
    log: quiet,
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn: (message) => console.warn(message),
    error: (message) => console.error(message),
  },
});
mkdirSync(dirname(BUNDLE_PATH), { recursive: true });
writeFileSync(BUNDLE_PATH, code);
writeFileSync(
  BUNDLE_META_PATH,
  `${JSON.stringify({ sourceHash, builtAt: new Date().toISOString() }, null, 2)}\n`,
);
console.warn(
  `workflow bundle: ${BUNDLE_PATH} (${Math.round(code.length / 1024)} KiB) in ${Date.now() - started} ms`,
);
