import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QUICK } from '../src/bench-options.ts';
import { runBench } from '../src/run-bench.ts';

// The CI smoke run of `pnpm bench --quick`: it must run the whole stack end to end and write its reports.
// Numbers are printed, never asserted (the machine is shared); only correctness is checked here.
describe('pnpm bench --quick', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'photomaker-bench-test-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('measures both paths and the fan-out, every job succeeds, every subscriber gets every event', {
    timeout: 400_000,
  }, async () => {
    const lines: string[] = [];
    const results = await runBench({
      ...QUICK,
      quick: true,
      outDir,
      profile: false,
      // Under turbo (CI) the worker's build ran first (a devDependency for that order); locally build it here.
      build: !process.env.TURBO_HASH,
      date: new Date().toISOString().slice(0, 10),
      log: (line) => {
        lines.push(line);
        process.stderr.write(`bench: ${line}\n`);
      },
    });
    // Both emulator modes in one run: the 0 ms sweep on each, the realistic sweep on the last (prerendered).
    expect(results.emulatorImages).toEqual(['render', 'prerendered']);
    const paths = new Set(results.phases.map((p) => `${p.images}/${p.path}/${p.latency}`));
    expect(paths).toEqual(
      new Set([
        'render/direct/none',
        'render/platform/none',
        'prerendered/direct/none',
        'prerendered/platform/none',
        'prerendered/direct/realistic',
        'prerendered/platform/realistic',
      ]),
    );
    for (const phase of results.phases) {
      expect(phase.errors, `${phase.path} ${phase.latency} x${phase.concurrency}: ${phase.firstError}`).toBe(
        0,
      );
      expect(phase.jobs).toBeGreaterThan(0);
      expect(Object.keys(phase.cpuMsPerJob)).toEqual(
        expect.arrayContaining(['temporal', 'redis', 'emulator', 'worker', 'api', 'driver']),
      );
    }
    expect(results.overhead.length).toBe(results.phases.length / 2);
    expect(results.fanoutFailures).toEqual([]);
    expect(results.fanout).toHaveLength(1);
    const [fanout] = results.fanout;
    expect(fanout?.connected).toBe(fanout?.subscribers);
    expect(fanout?.received).toBe(fanout?.expected);
    expect(results.temporalHistory[0]?.summary.perJob.workflowTasks).toBeGreaterThan(0);
    const json = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as { phases: unknown[] };
    expect(json.phases.length).toBe(results.phases.length);
    // Every row of the table, with a value in both modes where the quick levels reach it.
    expect(results.targets).toHaveLength(6);
    expect(results.targets[0]).toMatchObject({ images: 'prerendered', met: expect.any(Boolean) });
    expect(results.targets[0]?.otherMode).toMatch(/ms$/);
    expect(results.commit).toMatch(/^[0-9a-f]{7,}(\+dirty)?$/);
    const markdown = readFileSync(join(outDir, 'results.md'), 'utf8');
    expect(markdown).toContain('overhead p50 / p95 / p99');
    expect(markdown).toContain(`at commit \`${results.commit}\``);
    expect(markdown).toContain('overhead p50, 1 in flight, 0 ms');
    const png = readFileSync(join(outDir, 'chart.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(outDir, 'chart.png'))).toBe(true);
  });
});
