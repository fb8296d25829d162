import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report.ts';
import { runChaos } from '../src/run-chaos.ts';
import { buildSchedule } from '../src/schedule.ts';

describe('the chaos schedule', () => {
  it('kills the worker every K seconds and restarts API, Redis and Temporal once each, in time order', () => {
    const schedule = buildSchedule(40, 10);
    expect(schedule.filter((d) => d.target === 'worker').map((d) => d.at)).toEqual([10, 20, 30]);
    for (const target of ['api', 'redis', 'temporal'] as const)
      expect(schedule.filter((d) => d.target === target)).toHaveLength(1);
    expect(schedule.map((d) => d.at)).toEqual([...schedule.map((d) => d.at)].sort((a, b) => a - b));
  });
});

// The CI form of `pnpm chaos --quick`: the real stack, real faults, real kills; only correctness is asserted.
describe('pnpm chaos --quick', () => {
  it('keeps every promise under faults, worker SIGKILLs and API/Redis/Temporal restarts', {
    timeout: 400_000,
  }, async () => {
    const report = await runChaos({
      jobs: 30,
      killEvery: 10,
      durationSeconds: 40,
      settleSeconds: 150,
      seed: 11,
      faultScale: 1,
      latency: 'fast',
      // Under turbo (CI) the worker's build ran first (a devDependency for that order); locally build it here.
      build: !process.env.TURBO_HASH,
      log: (line) => process.stderr.write(`chaos: ${line}\n`),
    });
    process.stderr.write(renderReport(report));
    for (const check of report.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(report.jobs).toBe(30);
    expect(report.disruptions.map((d) => d.target).sort()).toEqual([
      'api',
      'redis',
      'temporal',
      'worker',
      'worker',
      'worker',
    ]);
    expect(Object.values(report.faultsInjected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
