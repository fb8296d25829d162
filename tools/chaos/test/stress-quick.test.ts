import { describe, expect, it } from 'vitest';
import { renderStressMarkdown } from '../src/fuzz/stress/report.ts';
import { runStress, STRESS_CLASSES } from '../src/fuzz/stress/run-stress.ts';

// The CI form of `pnpm fuzz --stress-only --quick`: every stress class of issue #13 against the real
// stack. Asserted here: each class ran and was measured, every hostile request was refused (no
// acceptance, no 5xx, no timeout, no client string as a metric label) and nothing started. The timing
// goals (0 failed health checks, event-loop block < 100 ms) are measured and printed, not asserted: a
// loaded CI machine would make them flake (the chaos README's "no timing asserts"); `pnpm fuzz` exits 1 on them.
describe('pnpm fuzz --stress-only --quick', () => {
  it('refuses every hostile request of every class and starts nothing', { timeout: 900_000 }, async () => {
    const report = await runStress({
      quick: true,
      // Under turbo (CI) the worker's build ran first; locally build it here.
      build: !process.env.TURBO_HASH,
      log: (line) => process.stderr.write(`fuzz: ${line}\n`),
    });
    process.stderr.write(renderStressMarkdown(report));
    expect(report.rows.map((r) => r.name)).toEqual(STRESS_CLASSES.map((c) => c.name));
    for (const row of report.rows) {
      expect(row.attempts, row.name).toBeGreaterThan(0);
      expect(row.healthChecks, row.name).toBeGreaterThan(0);
    }
    const refusals = report.rows.map((r) => ({
      name: r.name,
      unexpected: r.unexpected,
      examples: r.examples,
    }));
    expect(refusals).toEqual(report.rows.map((r) => ({ name: r.name, unexpected: 0, examples: [] })));
    expect(report.rows.map((r) => ({ name: r.name, workflowsStarted: r.workflowsStarted }))).toEqual(
      report.rows.map((r) => ({ name: r.name, workflowsStarted: 0 })),
    );
  });
});
