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

/** A markdown table with padded cells (the layout the repository's formatter keeps). */
export function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The per-class table (markdown), then what each class measured and what went wrong in it. */
export function renderStressMarkdown(report: StressReport): string {
  const lines = markdownTable(
    [
      'class',
      'attempts',
      'unexpected answers',
      'max event-loop block (ms)',
      'API RSS start -> max (MiB)',
      'health checks failed',
      'workflows started',
      'goal',
    ],
    report.rows.map((r) => [
      r.name,
      String(r.attempts),
      String(r.unexpected),
      String(r.maxEventLoopBlockMs),
      `${r.startRssMiB} -> ${r.maxRssMiB}`,
      `${r.healthFailures} / ${r.healthChecks}`,
      String(r.workflowsStarted),
      r.ok ? 'met' : '**not met**',
    ]),
  );
  lines.push('');
  for (const r of report.rows) {
    const details = [...r.notes, ...r.examples.map((e) => `unexpected: \`${e.replaceAll('`', "'")}\``)];
    if (details.length > 0) lines.push(`- **${r.name}**: ${details.join('; ')}`);
  }
  lines.push('', report.ok ? 'stress: every class met the goals' : 'stress: GOALS NOT MET');
  return `${lines.join('\n')}\n`;
}
