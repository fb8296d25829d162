import { parseArgs } from 'node:util';
import { renderReport } from './report.ts';
import { runChaos } from './run-chaos.ts';

const HELP = `pnpm chaos [options]   (node tools/chaos/src/main.ts)

Runs N PhotoMaker jobs with live graphql-ws subscribers and a webhook receiver while the Runware emulator
injects faults (5xx, 429 + Retry-After, connection resets, slow bodies, stuck processing) and a schedule
SIGKILLs the worker every K seconds, restarts the API once, redis-server once and the Temporal dev server
once (on their persisted data). Then checks: every job terminal, the right ones succeeded, one Runware
charge per image, every subscriber saw the terminal event without gaps or duplicate seqs, every webhook
delivery id arrived. Exits 1 when a check fails.

  --jobs <n>          jobs to run (default 200; 1000+ works, give it --duration)
  --kill-every <s>    seconds between worker SIGKILLs (default 15; 0 = none)
  --duration <s>      seconds of submissions + disruptions (default: max(90, jobs / 3))
  --settle <s>        seconds to wait for the last jobs after the schedule (default 300)
  --seed <n>          fault RNG seed (default 7)
  --fault-scale <x>   multiply every fault probability (default 1)
  --latency <preset>  emulator latency: none | fast | realistic | JSON (default fast)
  --quick             the CI schedule: 30 jobs, 40 s, worker killed every 10 s, one of each restart
  --no-build          do not build the worker's workflow bundle first
  --verbose           print every line of every process
  -h, --help
`;

function positive(name: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${value}'`);
  return n;
}

async function main(): Promise<number> {
  const parse = () =>
    parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        jobs: { type: 'string' },
        'kill-every': { type: 'string' },
        duration: { type: 'string' },
        settle: { type: 'string' },
        seed: { type: 'string' },
        'fault-scale': { type: 'string' },
        latency: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let options: Parameters<typeof runChaos>[0];
  try {
    const jobs = positive('jobs', values.jobs, values.quick ? 30 : 200);
    options = {
      jobs,
      killEvery: positive('kill-every', values['kill-every'], values.quick ? 10 : 15, true),
      durationSeconds: positive(
        'duration',
        values.duration,
        values.quick ? 40 : Math.max(90, Math.ceil(jobs / 3)),
      ),
      settleSeconds: positive('settle', values.settle, values.quick ? 150 : 300),
      seed: positive('seed', values.seed, 7, true),
      faultScale: positive('fault-scale', values['fault-scale'], 1, true),
      latency: values.latency ?? 'fast',
      build: !values['no-build'],
      log: (line) => process.stdout.write(`chaos: ${line}\n`),
      ...(values.verbose
        ? { onProcessLine: (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`) }
        : {}),
    };
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n`);
    return 2;
  }
  const report = await runChaos(options);
  process.stdout.write(`\n${renderReport(report)}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
