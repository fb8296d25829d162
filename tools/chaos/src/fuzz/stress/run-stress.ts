import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkerBundle, PIECE_NAMES, Platform } from '@photomaker/harness';
import { Agent } from 'undici';
import { countWorkflows } from '../run-fuzz.ts';
import { hostileImagesClass, metricLabelFlooding, prototypeNamedKeys } from './input-classes.ts';
import { ApiMonitor } from './monitor.ts';
import { type ClassRow, classRow, renderStressMarkdown, type StressReport } from './report.ts';
import { aliasAndFragmentBombs, longWrongTypedLists } from './shape-classes.ts';
import type { ClassOutcome, StressContext } from './tally.ts';
import { unauthenticatedLargeBodies, unauthenticatedSlowBodies } from './unauthenticated-classes.ts';

/** The stress classes of issue #13, in the order they run. */
export const STRESS_CLASSES: { name: string; run: (ctx: StressContext) => Promise<ClassOutcome> }[] = [
  { name: 'unauthenticated large bodies', run: unauthenticatedLargeBodies },
  { name: 'unauthenticated slow bodies', run: unauthenticatedSlowBodies },
  { name: 'alias and fragment bombs (__typename)', run: aliasAndFragmentBombs },
  { name: 'long wrong-typed lists', run: longWrongTypedLists },
  { name: 'truncated and pixel-bomb images', run: hostileImagesClass },
  { name: 'metric label flooding', run: metricLabelFlooding },
  { name: 'prototype-named keys', run: prototypeNamedKeys },
];

export interface StressOptions {
  quick: boolean;
  build: boolean;
  /** Class names to run (all when absent). */
  only?: string[];
  /** Where the markdown and JSON table go (not written when absent). */
  outDir?: string;
  log: (line: string) => void;
  onProcessLine?: (name: string, line: string) => void;
}

/**
 * Runs each stress class against a real stack with the API's default limits (as deployed; only the
 * per-key rate limit is off, the worst case of a generous tenant), 127.0.0.1 only, bounded in attempts
 * and time. Per class: attempts, unexpected answers, the API's max event-loop block (from /healthz),
 * its max RSS (/proc), failed health checks and workflows started.
 */
export async function runStress(options: StressOptions): Promise<StressReport> {
  if (options.build) await buildWorkerBundle();
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'fuzz-stress',
    tenant: 'stress',
    rateLimited: false,
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
  options.log(`stress: starting the stack (data in ${stack.dataDir})`);
  await stack.start();
  const ctx: StressContext = {
    apiUrl: stack.apiUrl,
    apiKey: stack.apiKey,
    metricsToken: stack.secrets.metricsToken,
    quick: options.quick,
    agent: new Agent({ connections: 8, headersTimeout: 120_000, bodyTimeout: 120_000 }),
  };
  // The API is not restarted during the stress run, so its pid is fixed.
  const monitor = new ApiMonitor(stack.apiUrl, stack.pid('api'));
  const rows: ClassRow[] = [];
  try {
    for (const stressClass of STRESS_CLASSES) {
      if (options.only && !options.only.includes(stressClass.name)) continue;
      const workflowsBefore = await countWorkflows(stack.temporalAddress);
      const began = performance.now();
      await monitor.start();
      const outcome = await stressClass.run(ctx);
      const vitals = await monitor.stop();
      await new Promise((r) => setTimeout(r, 1_000)); // visibility catches up with a started workflow
      const started = (await countWorkflows(stack.temporalAddress)) - workflowsBefore;
      const row = classRow(
        stressClass.name,
        outcome,
        vitals,
        started,
        Math.round((performance.now() - began) / 1000),
      );
      options.log(
        `stress: ${row.name}: ${row.attempts} attempts, ${row.unexpected} unexpected, block ${row.maxEventLoopBlockMs} ms, RSS ${row.maxRssMiB} MiB, health ${row.healthFailures}/${row.healthChecks} failed`,
      );
      rows.push(row);
    }
  } finally {
    await monitor.close();
    await ctx.agent.close();
    await stack.stop();
  }
  const report: StressReport = {
    date: new Date().toISOString(),
    quick: options.quick,
    rows,
    ok: rows.every((r) => r.ok),
  };
  if (options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    writeFileSync(join(options.outDir, 'fuzz-stress.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(options.outDir, 'fuzz-stress.md'), renderStressMarkdown(report));
  }
  return report;
}
