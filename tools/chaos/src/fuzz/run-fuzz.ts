import { buildWorkerBundle, PIECE_NAMES, Platform } from '@photomaker/harness';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { FuzzClient, MAX_BODY_BYTES, MAX_IMAGE_BYTES } from './driver.ts';
import { makeFixtures } from './fixtures.ts';
import { type FuzzProperty, fuzzProperties } from './properties.ts';

export interface FuzzOptions {
  /** Cases per property. */
  runs: number;
  seed: number;
  build: boolean;
  log: (line: string) => void;
  onProcessLine?: (name: string, line: string) => void;
}

interface FuzzFailure {
  property: string;
  message: string;
}

export interface FuzzReport {
  /** Requests sent, per property (shrinking included). */
  tried: Record<string, number>;
  total: number;
  serverErrors: number;
  workflowsStarted: number;
  runwareTasks: number;
  crashedProcesses: string[];
  failures: FuzzFailure[];
  ok: boolean;
  durationSeconds: number;
}

/** What the stack must show after the fuzz: nothing started anywhere, no process died. */
interface Aftermath {
  workflowsStarted: number;
  runwareTasks: number;
  crashedProcesses: string[];
}

/** Runs one property; a failure is recorded with its counterexample and seed, not thrown. */
async function checkProperty(
  { name, property }: FuzzProperty,
  client: FuzzClient,
  options: FuzzOptions,
): Promise<FuzzFailure | undefined> {
  const result = await fc.check(property, { numRuns: options.runs, seed: options.seed, endOnFailure: false });
  options.log(`${name}: ${client.tried[name] ?? 0} requests, ${result.failed ? 'FAILED' : 'ok'}`);
  if (!result.failed) return undefined;
  return {
    property: name,
    message: `${String((result.errorInstance as Error)?.message ?? result.errorInstance)} (counterexample ${JSON.stringify(result.counterexample)?.slice(0, 400)}, seed ${options.seed})`,
  };
}

export async function countWorkflows(temporalAddress: string): Promise<number> {
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection });
    const count = await client.workflowService.countWorkflowExecutions({
      namespace: 'default',
      query: "WorkflowType='photoMakerJob'",
    });
    return Number(count.count ?? 0);
  } finally {
    await connection.close();
  }
}

/** Nothing may have started: no workflow in Temporal visibility, no task at Runware, every process alive. */
async function aftermath(stack: Platform): Promise<Aftermath> {
  await new Promise((r) => setTimeout(r, 1_500));
  const workflowsStarted = await countWorkflows(stack.temporalAddress);
  const inspect = await new EmulatorAdmin(stack.emulatorUrl).inspect();
  const crashedProcesses = PIECE_NAMES.filter(
    (name) => !stack.process(name)?.running || stack.starts[name] !== 1,
  );
  return { workflowsStarted, runwareTasks: Object.keys(inspect.tasks).length, crashedProcesses };
}

/**
 * Property-based bad input against a real API (worker running, so a mistakenly accepted job would really
 * start): every rule of every parameter alone and in random combinations, over GraphQL and /v1, plus
 * malformed, oversized and unauthenticated requests. Each must be refused with the code that names the
 * broken field, never with a 5xx; afterwards no workflow exists, Runware saw no task, no process died.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const began = performance.now();
  if (options.build) await buildWorkerBundle();
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'fuzz',
    tenant: 'bench',
    rateLimited: false,
    env: {
      api: {
        PHOTOMAKER_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        PHOTOMAKER_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
      },
    },
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
  options.log(`starting the stack (data in ${stack.dataDir})`);
  await stack.start();
  const client = new FuzzClient(stack.apiUrl, stack.apiKey);
  const failures: FuzzFailure[] = [];
  try {
    for (const property of fuzzProperties(client, await makeFixtures())) {
      const failure = await checkProperty(property, client, options);
      if (failure) failures.push(failure);
    }
  } finally {
    await client.close();
  }
  const after = await aftermath(stack);
  await stack.stop();
  const { tried, serverErrors } = client;
  return {
    tried,
    total: Object.values(tried).reduce((a, b) => a + b, 0),
    serverErrors,
    ...after,
    failures,
    ok:
      failures.length === 0 &&
      serverErrors === 0 &&
      after.workflowsStarted === 0 &&
      after.runwareTasks === 0 &&
      after.crashedProcesses.length === 0,
    durationSeconds: Math.round((performance.now() - began) / 1000),
  };
}

export function renderFuzzReport(report: FuzzReport): string {
  const lines = ['property                                          requests'];
  for (const [name, count] of Object.entries(report.tried)) lines.push(`${name.padEnd(50)}${count}`);
  lines.push(`${'total'.padEnd(50)}${report.total}`);
  lines.push('');
  lines.push(
    `5xx answers: ${report.serverErrors}; workflows started: ${report.workflowsStarted}; Runware tasks: ${report.runwareTasks}; crashed processes: ${report.crashedProcesses.join(', ') || 'none'}`,
  );
  for (const f of report.failures) lines.push(`FAIL ${f.property}: ${f.message}`);
  lines.push(report.ok ? 'fuzz: ALL INPUTS REFUSED CORRECTLY' : 'fuzz: FAILURES');
  return `${lines.join('\n')}\n`;
}
