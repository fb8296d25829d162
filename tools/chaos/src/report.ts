import type { CheckResult, DisruptionOutcome } from './checks.ts';

/** What one chaos run found: the checks, and counts of what happened on the way. */
export interface ChaosReport {
  checks: CheckResult[];
  ok: boolean;
  jobs: number;
  succeeded: number;
  failed: number;
  disruptions: DisruptionOutcome[];
  faultsInjected: Record<string, number>;
  resumes: number;
  webhookDeliveries: number;
  submitRetries: number;
  durationSeconds: number;
}

/** The summary the CLI prints (and CI logs). */
export function renderReport(report: ChaosReport): string {
  const lines: string[] = [];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  lines.push(`${'check'.padEnd(width)}  result  detail`);
  lines.push(`${'-'.repeat(width)}  ------  ------`);
  for (const c of report.checks)
    lines.push(`${c.name.padEnd(width)}  ${c.ok ? 'PASS  ' : 'FAIL  '}  ${c.detail}`);
  const counts = (items: string[]) => {
    const tally = new Map<string, number>();
    for (const item of items) tally.set(item, (tally.get(item) ?? 0) + 1);
    return [...tally].map(([k, v]) => `${k} x${v}`).join(', ');
  };
  lines.push('');
  lines.push(
    `jobs ${report.jobs} (${report.succeeded} succeeded, ${report.failed} failed), ${report.durationSeconds} s`,
  );
  lines.push(`disruptions: ${counts(report.disruptions.map((d) => `${d.how} ${d.target}`))}`);
  lines.push(
    `emulator faults injected: ${
      Object.entries(report.faultsInjected)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
  );
  lines.push(
    `subscriber resumes: ${report.resumes}; submit retries: ${report.submitRetries}; webhook POSTs: ${report.webhookDeliveries}`,
  );
  lines.push(report.ok ? 'chaos: ALL CHECKS PASSED' : 'chaos: CHECKS FAILED');
  return `${lines.join('\n')}\n`;
}
