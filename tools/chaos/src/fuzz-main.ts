import { parseArgs } from 'node:util';
import { renderFuzzReport, runFuzz } from './fuzz/run-fuzz.ts';

const HELP = `pnpm fuzz [options]   (node tools/chaos/src/fuzz-main.ts)

Property-based bad input (fast-check) against a real stack: every photoMaker rule broken alone and in
random combinations over GraphQL and /v1, malformed JSON and GraphQL, unknown fields, wrong types,
oversized bodies and images, missing/wrong keys. Each must be refused with the code naming the field;
0 5xx, 0 workflows started, 0 Runware tasks, 0 crashed processes. Exits 1 otherwise.

  --runs <n>     cases per property (default 300; --quick 40)
  --seed <n>     fast-check seed (default: random, printed)
  --quick        the CI size
  --no-build     do not build the worker's workflow bundle first
  --verbose      print every line of every process
  -h, --help
`;

async function main(): Promise<number> {
  const parse = () =>
    parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
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
    process.stderr.write(`fuzz: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const runs = values.runs ? Number(values.runs) : values.quick ? 40 : 300;
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
    process.stderr.write('fuzz: --runs and --seed must be integers (runs >= 1)\n');
    return 2;
  }
  process.stdout.write(`fuzz: seed ${seed}, ${runs} cases per property\n`);
  const report = await runFuzz({
    runs,
    seed,
    build: !values['no-build'],
    log: (line) => process.stdout.write(`fuzz: ${line}\n`),
    ...(values.verbose
      ? { onProcessLine: (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`) }
      : {}),
  });
  process.stdout.write(`\n${renderFuzzReport(report)}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
