import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderFuzzReport, runFuzz } from './fuzz/run-fuzz.ts';
import { renderStressMarkdown } from './fuzz/stress/report.ts';
import { runStress, STRESS_CLASSES } from './fuzz/stress/run-stress.ts';

const HELP = `pnpm fuzz [options]   (node tools/chaos/src/fuzz-main.ts)

Property-based bad input (fast-check) against a real stack: every photoMaker rule broken alone and in
random combinations over GraphQL and /v1, malformed JSON and GraphQL, unknown fields, wrong types,
oversized bodies and images, missing/wrong keys. Each must be refused with the code naming the field;
0 5xx, 0 workflows started, 0 Runware tasks, 0 crashed processes.
Then the stress classes (issue #13), on a stack with the API's default limits, each bounded in attempts
and time: per class attempts, the API's max event-loop block and RSS, failed health checks; goal 0 failed
health checks and a block under 100 ms. Table written to <out>/fuzz-stress.{md,json}. Exits 1 otherwise.

  --runs <n>     cases per property (default 300; --quick 40)
  --seed <n>     fast-check seed (default: random, printed)
  --quick        the CI size (properties and stress classes)
  --no-stress    the properties only
  --stress-only  the stress classes only
  --class <name> run only this stress class (repeatable): ${STRESS_CLASSES.map((c) => `"${c.name}"`).join(', ')}
  --out <dir>    where the stress table goes (default tools/chaos/results)
  --no-build     do not build the worker's workflow bundle first
  --verbose      print every line of every process
  -h, --help
`;

/** Cases per property and the fast-check seed, or undefined when either is not a usable integer. */
function sizesOf(values: {
  runs?: string | undefined;
  seed?: string | undefined;
  quick?: boolean | undefined;
}) {
  const quickRuns = values.quick ? 40 : 300;
  const runs = values.runs ? Number(values.runs) : quickRuns;
  const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) return undefined;
  return { runs, seed };
}

async function main(): Promise<number> {
  const parse = () =>
    parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'no-stress': { type: 'boolean', default: false },
        'stress-only': { type: 'boolean', default: false },
        class: { type: 'string', multiple: true },
        out: { type: 'string' },
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
  const sizes = sizesOf(values);
  if (!sizes) {
    process.stderr.write('fuzz: --runs and --seed must be integers (runs >= 1)\n');
    return 2;
  }
  const { runs, seed } = sizes;
  const common = {
    log: (line: string) => process.stdout.write(`fuzz: ${line}\n`),
    ...(values.verbose
      ? { onProcessLine: (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`) }
      : {}),
  };
  let ok = true;
  if (!values['stress-only']) {
    process.stdout.write(`fuzz: seed ${seed}, ${runs} cases per property\n`);
    const report = await runFuzz({ runs, seed, build: !values['no-build'], ...common });
    process.stdout.write(`\n${renderFuzzReport(report)}`);
    ok = report.ok;
  }
  if (!values['no-stress']) {
    const stress = await runStress({
      quick: values.quick,
      build: !values['no-build'] && values['stress-only'],
      outDir: values.out ?? fileURLToPath(new URL('../results', import.meta.url)),
      ...(values.class ? { only: values.class } : {}),
      ...common,
    });
    process.stdout.write(`\n${renderStressMarkdown(stress)}`);
    ok = ok && stress.ok;
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
