import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report.ts';
import { runCluster } from '../src/run-cluster.ts';

// The CI form of `pnpm cluster --quick`: real replicas and services, real kill -9 and SIGTERM; only
// correctness is asserted (the numbers are printed). Generous timeouts: CI machines are loaded.
describe('pnpm cluster --quick', () => {
  it('replicas that share only S3, a Redis Cluster and Temporal keep every promise through a node kill, an S3 kill and a drain', {
    timeout: 900_000,
  }, async () => {
    const report = await runCluster({
      quick: true,
      jobs: 24,
      apis: 2,
      workers: 2,
      durationSeconds: 40,
      settleSeconds: 240,
      latency: 'fast',
      // Under turbo (CI) the worker's build ran first (a devDependency for that order); locally build it here.
      build: !process.env.TURBO_HASH,
      keep: false,
      log: (line) => process.stderr.write(`cluster: ${line}\n`),
    });
    process.stderr.write(renderReport(report));
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(report.jobs).toBe(24);
    expect(report.disruptions.map((d) => d.what)).toEqual(['kill-node', 'kill-s3', 'drain-node']);
    expect(report.images).toBeGreaterThan(0);
  });
});
