import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuProfilesIn, summarizeCpuProfile } from '../profile/cpu-profile.ts';
import { type Distribution, distribution, rounded } from '../stats/percentiles.ts';
import type { latencyDelta } from './core-metrics.ts';
import { EXTRA, type JobHistoryCounts, type JobPoints, STAGES } from './job-timeline.ts';

// The timeline bench's output: the stage table, history counts, CPU and core metrics per variant, the
// worker's CPU profiles, and the JSON of every job's points.

/** What the report needs of one variant's stack. */
export interface MeasuredStack {
  variant: string;
  jobs: JobPoints[];
  counts: JobHistoryCounts[];
  profileDir: string | undefined;
  core?: ReturnType<typeof latencyDelta>;
  cpuMsPerJob?: Record<string, number>;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

type StageRow = { stage: string; dist: Distribution };

function stageRows(jobs: readonly JobPoints[]): StageRow[] {
  return [...STAGES, ...EXTRA].map(([stage, from, to]) => ({
    stage,
    dist: rounded(distribution(jobs.map((j) => j[to] - j[from]).filter((v) => Number.isFinite(v)))),
  }));
}

function table(stacks: readonly MeasuredStack[]): string {
  const rows = stacks.map((s) => stageRows(s.jobs));
  const header = `| stage (ms) | ${stacks.map((s) => `${s.variant} p50 / p99`).join(' | ')} |`;
  const rule = `| --- | ${stacks.map(() => '---').join(' | ')} |`;
  const lines = (rows[0] ?? []).map((row, i) => {
    const cells = rows.map((r) => {
      const d = r[i]?.dist;
      return d && d.count > 0 ? `${d.p50} / ${d.p99}` : 'n/a';
    });
    const chained = i < STAGES.length ? row.stage : `*${row.stage}*`;
    return `| ${chained} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...lines].join('\n');
}

/** The worker's profiles (one per thread), warm-up included: where its CPU goes per job. */
function printProfiles(variant: string, dir: string): void {
  for (const file of cpuProfilesIn(dir)) {
    const summary = summarizeCpuProfile(file, 20);
    print(`\nworker CPU profile, ${variant}, ${file.split('/').pop()} (${summary.busyMs} ms sampled):`);
    for (const e of summary.byPackage.slice(0, 8)) print(`  package  ${e.name.padEnd(60)} ${e.ms} ms`);
    for (const e of summary.topFunctions) print(`  function ${e.name.padEnd(60)} ${e.ms} ms`);
    for (const e of summary.inclusive) print(`  incl.    ${e.name.padEnd(60)} ${e.ms} ms`);
  }
}

/** Mean per job of each history count (the job's own workflow; admission's is in Temporal's CPU). */
function meanCounts(counts: readonly JobHistoryCounts[]): Record<string, number> {
  const keys = ['events', 'workflowTasks', 'activities', 'localActivities', 'patchMarkers'] as const;
  const mean = (pick: (c: JobHistoryCounts) => number) =>
    Math.round((counts.reduce((sum, c) => sum + pick(c), 0) / Math.max(1, counts.length)) * 10) / 10;
  return {
    ...Object.fromEntries(keys.map((k) => [k, mean((c) => c[k])])),
    searchAttributeUpserts: mean((c) => c.searchAttributeUpserts),
  };
}

export function report(stacks: readonly MeasuredStack[], gapMs: number, out: string): void {
  print(`\n${table(stacks)}\n`);
  print('Stages in order add up to the total (n/a: not on this path); italic rows are side measures.');
  for (const stack of stacks) {
    print(`\nhistory per job, ${stack.variant}: ${JSON.stringify(meanCounts(stack.counts))}`);
    print(`  last job's events: ${stack.counts.at(-1)?.types.join(' ')}`);
  }
  for (const stack of stacks) {
    print(`\nCPU ms per job, ${stack.variant}: ${JSON.stringify(stack.cpuMsPerJob)}`);
    print(`worker core metrics, ${stack.variant} (measured jobs; count, mean):`);
    for (const m of stack.core ?? [])
      print(`  ${m.name.padEnd(56)} ${String(m.count).padStart(5)}  ${m.mean}`);
  }
  for (const stack of stacks) if (stack.profileDir) printProfiles(stack.variant, stack.profileDir);
  mkdirSync(join(out, '..'), { recursive: true });
  const summary = stacks.map((s) => ({
    variant: s.variant,
    stages: stageRows(s.jobs),
    coreMetrics: s.core,
    cpuMsPerJob: s.cpuMsPerJob,
    history: meanCounts(s.counts),
    jobs: s.jobs,
  }));
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), gapMs, summary }, null, 2)}\n`);
  print(`timeline: wrote ${out}`);
}
