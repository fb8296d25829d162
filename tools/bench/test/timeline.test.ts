import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXTRA, type JobPoints, STAGES } from '../src/timeline/job-timeline.ts';
import { runTimelineBench } from '../src/timeline/timeline-bench.ts';

// `pnpm bench --phase timeline` end to end on two real stacks: every job's timeline must be complete (each
// timestamp source still answers: API record, history, emulator, blob, events, subscriber) and its stages
// must chain. Timing is printed, never asserted.
/**
 * Every point there; the slot grant signal only for a job with admission that waited for it (its Runware
 * step then runs in a later workflow task): a free slot comes in the slot update's answer, and the job runs
 * on in its first workflow task. The chain adds up to the total.
 */
function checkJob(variant: string, admitted: boolean, job: JobPoints): void {
  const grantedBySignal = admitted && job.stepTaskStarted !== job.firstTaskStarted;
  for (const [name, point] of Object.entries(job)) {
    const applies = name !== 'slotGranted' || grantedBySignal;
    expect([variant, name, Number.isFinite(point)]).toEqual([variant, name, applies]);
  }
  const stages = STAGES.map(([, from, to]) => job[to] - job[from]).filter(Number.isFinite);
  // EXTRA's first row, the total: client send -> subscriber receive.
  expect(EXTRA[0]?.slice(1)).toEqual(['clientSent', 'subscriberReceived']);
  const total = job.subscriberReceived - job.clientSent;
  expect(stages.reduce((sum, ms) => sum + ms, 0)).toBeCloseTo(total, 6);
  // In causal order where one clock gives both ends (the client's; the Temporal server's).
  expect(job.mutationAnswered).toBeGreaterThan(job.clientSent);
  expect(job.subscriberReceived).toBeGreaterThan(job.mutationAnswered);
  expect(job.firstTaskStarted).toBeGreaterThan(job.workflowStarted);
  expect(job.stepTaskStarted).toBeGreaterThanOrEqual(job.firstTaskStarted);
  expect(job.workflowClosed).toBeGreaterThan(job.stepTaskStarted);
}

describe('pnpm bench --phase timeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'photomaker-timeline-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every job a complete, chained timeline, with and without admission', {
    timeout: 300_000,
  }, async () => {
    const out = join(dir, 'timeline.json');
    const args = ['--jobs', '3', '--warmup', '1', '--gap', '0', '--out', out];
    // Under turbo (CI) the worker's build ran first; locally the bench builds it.
    if (process.env.TURBO_HASH) args.push('--no-build');
    expect(await runTimelineBench([...args, '--variants', 'prerendered,admission+prerendered'])).toBe(0);
    const { summary } = JSON.parse(readFileSync(out, 'utf8')) as {
      summary: { variant: string; jobs: JobPoints[]; cpuMsPerJob: Record<string, number> }[];
    };
    expect(summary.map((s) => s.variant)).toEqual(['prerendered', 'admission+prerendered']);
    for (const { variant, jobs, cpuMsPerJob } of summary) {
      expect(jobs).toHaveLength(3);
      expect(Object.keys(cpuMsPerJob)).toEqual(expect.arrayContaining(['temporal', 'worker', 'api']));
      // JSON wrote a point that does not apply (NaN) as null.
      const points = jobs.map(
        (job) => Object.fromEntries(Object.entries(job).map(([k, v]) => [k, v ?? Number.NaN])) as JobPoints,
      );
      for (const job of points) checkJob(variant, variant.startsWith('admission'), job);
    }
  });
});
