import type { Vitals } from './probe.ts';
import type { ClassOutcome } from './tally.ts';

/** The goals of issue #13 for every class. */
export const GOALS = { maxEventLoopBlockMs: 100, healthFailures: 0 } as const;

export interface ClassRow extends ClassOutcome, Vitals {
  name: string;
  workflowsStarted: number;
  seconds: number;
  /** 0 health-check failures, a block under 100 ms, no unexpected answer, nothing started. */
  ok: boolean;
}

export interface StressReport {
  date: string;
  quick: boolean;
  rows: ClassRow[];
  ok: boolean;
}

export function classRow(
  name: string,
  outcome: ClassOutcome,
  vitals: Vitals,
  workflowsStarted: number,
  seconds: number,
): ClassRow {
  const ok =
    vitals.healthFailures <= GOALS.healthFailures &&
    vitals.maxEventLoopBlockMs < GOALS.maxEventLoopBlockMs &&
    outcome.unexpected === 0 &&
    workflowsStarted === 0;
  return { name, ...outcome, ...vitals, workflowsStarted, seconds, ok };
}

/** The per-class table (markdown), then what went wrong in each failing class. */
export function renderStressMarkdown(report: StressReport): string {
  const lines = [
    '| class | attempts | unexpected answers | max event-loop block (ms) | max API RSS (MiB) | health checks failed | workflows started | goal |',
    '| --- | --: | --: | --: | --: | --: | --: | --- |',
  ];
  for (const r of report.rows) {
    lines.push(
      `| ${r.name} | ${r.attempts} | ${r.unexpected} | ${r.maxEventLoopBlockMs} | ${r.maxRssMiB} | ${r.healthFailures} / ${r.healthChecks} | ${r.workflowsStarted} | ${r.ok ? 'met' : '**not met**'} |`,
    );
  }
  lines.push('');
  for (const r of report.rows) {
    const details = [...r.notes, ...r.examples.map((e) => `unexpected: ${e}`)];
    if (details.length > 0) lines.push(`- **${r.name}**: ${details.join('; ')}`);
  }
  lines.push('', report.ok ? 'stress: every class met the goals' : 'stress: GOALS NOT MET');
  return `${lines.join('\n')}\n`;
}
