import { parseArgs } from 'node:util';
import { renderReport } from './report.ts';
import { type ClusterOptions, runCluster } from './run-cluster.ts';

const HELP = `pnpm cluster [options]   (node tools/cluster/src/main.ts)

Runs API and worker replicas that share nothing but the network services: S3 (versitygw), a 3-master
Redis Cluster (a replica per master in full mode), one Temporal dev server and the Runware emulator. Each
replica runs in an empty working and data directory of its own. Jobs go in through API 1, subscribers
watch through API 2, images are fetched from API 2; on the way a whole node (an API and a worker) and the
S3 server are killed with kill -9 for a few seconds, and a node is drained with SIGTERM. Then checks:
every job terminal and as planned, Runware charges == images, subscribers gap-free, webhooks delivered,
every image readable through API 2, no file written outside the replicas' own directories except by the
services. Prints jobs, kills, time, throughput and CPU per job. Exits 1 when a check fails.

  --quick             the CI form: 2 APIs + 2 workers, 24 jobs over 40 s, no Redis replicas
  --jobs <n>          jobs (default 200; quick 24)
  --apis <n>          API replicas, at least 2 (default 2)
  --workers <n>       worker replicas, at least 2 (default 3; quick 2)
  --duration <s>      seconds of submissions and disruptions (default max(60, jobs / 2); quick 40)
  --settle <s>        seconds to wait for the last jobs after the schedule (default 240; quick 180)
  --latency <preset>  emulator latency: none | fast | realistic | JSON (default realistic; quick fast)
  --keep              keep the run's temp tree (replica and S3 directories)
  --no-build          do not build the worker's workflow bundle first
  --verbose           print every line of every process
  -h, --help
`;

function count(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer of at least ${min}, got '${value}'`);
  return n;
}

function parse() {
  return parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      apis: { type: 'string' },
      workers: { type: 'string' },
      duration: { type: 'string' },
      settle: { type: 'string' },
      latency: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

function optionsFrom(values: ReturnType<typeof parse>): ClusterOptions {
  const quick = values.quick;
  const jobs = count('jobs', values.jobs, quick ? 24 : 200);
  return {
    quick,
    jobs,
    apis: count('apis', values.apis, 2, 2),
    workers: count('workers', values.workers, quick ? 2 : 3, 2),
    durationSeconds: count('duration', values.duration, quick ? 40 : Math.max(60, Math.ceil(jobs / 2)), 10),
    settleSeconds: count('settle', values.settle, quick ? 180 : 240),
    latency: values.latency ?? (quick ? 'fast' : 'realistic'),
    build: !values['no-build'],
    keep: values.keep,
    log: (line) => process.stdout.write(`cluster: ${line}\n`),
    ...(values.verbose
      ? { onProcessLine: (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`) }
      : {}),
  };
}

async function main(): Promise<number> {
  let options: ClusterOptions;
  try {
    const values = parse();
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    options = optionsFrom(values);
  } catch (error) {
    process.stderr.write(`cluster: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const report = await runCluster(options);
  process.stdout.write(`\n${renderReport(report)}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cluster failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
