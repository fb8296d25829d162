import type { CheckResult } from '@photomaker/chaos';
import { type DisruptionOutcome, describeDisruption } from './disruptions.ts';
import type { ClusterOptions } from './run-cluster.ts';
import type { Topology } from './topology.ts';

/** What one cluster run found and measured. */
export interface ClusterReport {
  checks: CheckResult[];
  ok: boolean;
  mode: 'quick' | 'full';
  apis: number;
  workers: number;
  jobs: number;
  succeeded: number;
  failed: number;
  images: number;
  disruptions: DisruptionOutcome[];
  subscriberResumes: number;
  submitRetries: number;
  webhookPosts: number;
  /** Log lines of the replicas about failed S3 calls (the S3 kill met work in flight when > 0). */
  s3FailuresLogged: number;
  startupSeconds: number;
  /** First submission to the last terminal event. */
  runSeconds: number;
  totalSeconds: number;
  jobsPerSecond: number;
  imagesPerSecond: number;
  /** CPU seconds during the run (restarts included, start-up not) of the API and worker tiers and each service. */
  cpuSeconds: { api: number; worker: number; services: Record<string, number> };
  /** CPU milliseconds per job of the API and worker tiers (what sizing multiplies). */
  cpuMsPerJob: { api: number; worker: number };
  replicaStarts: Record<string, number>;
}

interface ReportInput {
  options: ClusterOptions;
  played: {
    submitted: { jobId: string }[];
    outcomes: DisruptionOutcome[];
    submitRetries: number;
    runMs: number;
  };
  observed: {
    states: Map<string, { status: string; images: unknown[] }>;
    cpu: ClusterReport['cpuSeconds'];
    resumes: number;
    webhookPosts: number;
  };
  checks: CheckResult[];
  topology: Topology;
  startupSeconds: number;
  began: number;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export function buildReport(input: ReportInput): ClusterReport {
  const { options, played, observed, checks, topology } = input;
  const states = [...observed.states.values()];
  const images = states.reduce((sum, s) => sum + (s.status === 'SUCCEEDED' ? s.images.length : 0), 0);
  const runSeconds = played.runMs / 1000;
  const jobs = played.submitted.length;
  return {
    checks,
    ok: checks.every((c) => c.ok),
    mode: options.quick ? 'quick' : 'full',
    apis: topology.apis.length,
    workers: topology.workers.length,
    jobs,
    succeeded: states.filter((s) => s.status === 'SUCCEEDED').length,
    failed: states.filter((s) => s.status === 'FAILED').length,
    images,
    disruptions: played.outcomes,
    subscriberResumes: observed.resumes,
    submitRetries: played.submitRetries,
    webhookPosts: observed.webhookPosts,
    s3FailuresLogged: topology.s3Failures(),
    startupSeconds: round(input.startupSeconds),
    runSeconds: round(runSeconds),
    totalSeconds: round((performance.now() - input.began) / 1000),
    jobsPerSecond: round(jobs / Math.max(runSeconds, 0.001), 2),
    imagesPerSecond: round(images / Math.max(runSeconds, 0.001), 2),
    cpuSeconds: observed.cpu,
    cpuMsPerJob: {
      api: Math.round((observed.cpu.api * 1000) / Math.max(jobs, 1)),
      worker: Math.round((observed.cpu.worker * 1000) / Math.max(jobs, 1)),
    },
    replicaStarts: Object.fromEntries(topology.all.map((r) => [r.name, r.starts])),
  };
}

/** The summary the CLI prints and CI logs. */
export function renderReport(report: ClusterReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`${'check'.padEnd(width)}  result  detail`, `${'-'.repeat(width)}  ------  ------`];
  for (const c of report.checks)
    lines.push(`${c.name.padEnd(width)}  ${c.ok ? 'PASS  ' : 'FAIL  '}  ${c.detail}`);
  const services = Object.entries(report.cpuSeconds.services)
    .map(([name, s]) => `${name} ${s.toFixed(1)}`)
    .join(', ');
  lines.push(
    '',
    `mode ${report.mode}: ${report.apis} API + ${report.workers} worker replicas; 3-master Redis Cluster, versitygw, Temporal dev server, emulator`,
    `jobs ${report.jobs} (${report.succeeded} succeeded, ${report.failed} failed), ${report.images} images`,
    `disruptions: ${report.disruptions.map((d) => `${describeDisruption(d)} at ${d.at}s (${(d.downMs / 1000).toFixed(1)}s)`).join('; ')}`,
    `time: startup ${report.startupSeconds}s, run ${report.runSeconds}s (first submission to last terminal event), total ${report.totalSeconds}s`,
    `throughput: ${report.jobsPerSecond} jobs/s, ${report.imagesPerSecond} images/s`,
    `CPU seconds during the run: APIs ${report.cpuSeconds.api.toFixed(1)}, workers ${report.cpuSeconds.worker.toFixed(1)}; services ${services}`,
    `CPU per job: API ${report.cpuMsPerJob.api} ms, worker ${report.cpuMsPerJob.worker} ms`,
    `S3 failures logged by replicas ${report.s3FailuresLogged}; subscriber resumes ${report.subscriberResumes}; webhook POSTs ${report.webhookPosts}; submit retries ${report.submitRetries}; replica starts ${Object.entries(
      report.replicaStarts,
    )
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}`,
    report.ok ? 'cluster: ALL CHECKS PASSED' : 'cluster: CHECKS FAILED',
  );
  return `${lines.join('\n')}\n`;
}
