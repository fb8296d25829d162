import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';

// The time-skipping test server (TestWorkflowEnvironment.createTimeSkipping) from the Java test server
// that tooling/bootstrap/system.sh (ensure_temporal_test_server) fetches from Maven Central: the SDK's
// own default would download a native build from outside the package registries at run time.

const BOOTSTRAPPED = fileURLToPath(new URL('../../../../.tools/bin/temporal-test-server', import.meta.url));

/** The wrapper run.sh exported (TEMPORAL_TEST_SERVER), else the one a bootstrap left in .tools/bin. */
export function timeSkippingServerPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.TEMPORAL_TEST_SERVER || BOOTSTRAPPED;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `the Temporal time-skipping test server is not installed (no executable ${path}): run 'npm test', or ` +
        "'bash tooling/bootstrap/run.sh --need temporal_test_server true' once from the repository root",
    );
  }
  return path;
}

/**
 * A fresh time-skipping server for one test file; its clock jumps whenever a workflow result is awaited.
 * It refuses search attributes it was not told of, so the job's are registered first (the dev server gets
 * them at start, tools/harness).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await startServer(timeSkippingServerPath());
  const keyword = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(Object.keys(SEARCH_ATTRIBUTE_TYPES).map((name) => [name, keyword])),
  });
  return env;
}

/**
 * The SDK gives a new server 5 s to answer. The JVM starts in ~1 s with the bootstrap's class-data
 * archive, but a machine busy with other suites can stretch that: a start that timed out is tried again.
 */
async function startServer(path: string, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path } },
      });
    } catch (error) {
      if (attempt >= attempts) throw error;
      console.warn(`the time-skipping test server did not start (attempt ${attempt}): ${String(error)}`);
    }
  }
}
