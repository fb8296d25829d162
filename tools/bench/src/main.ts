import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@photomaker/harness';
import { type BenchOptions, FULL, QUICK } from './bench-options.ts';
import { runBench } from './run-bench.ts';

const HELP = `pnpm bench [options]   (node tools/bench/src/main.ts)

Starts Temporal, Redis, the Runware emulator, the worker and the API on free ports, then measures
(a) packages/runware straight to the emulator vs (b) GraphQL -> Temporal -> worker -> Redis -> graphql-ws,
at 0 ms and the emulator's realistic latency, with rising concurrency, plus graphql-ws fan-out.
Writes results.json, results.md and chart.png.

  --quick               CI smoke run (~1 min): few jobs, small levels; numbers printed, nothing asserted
  --out <dir>           output directory (default tools/bench/results, quick: tools/bench/results/quick)
  --levels <1,2,5,...>  in-flight levels at 0 ms latency (stops once throughput saturates)
  --realistic <1,10>    in-flight levels at the realistic latency (0 to skip)
  --fanout <100,10000>  subscriber counts for the fan-out phase (0 to skip; full run: 100,1000,2000,10000)
  --window <ms>         measured window per level (default 10000, quick 2500)
  --profile             run worker and API under --cpu-prof; summaries in the results
  --emulator-images <both|render|prerendered>
                        render: sharp per image (Runware's GPU work, on the same cores); prerendered:
                        each size rendered once and served again, so the platform's own ceiling is
                        measured; both (default): the 0 ms sweep on a render stack, then every phase
                        on a prerendered stack, one run; targets judged on prerendered, render beside
  --worker-env K=V      extra worker environment (repeatable), for A/B experiments, e.g.
                        WORKER_POLL_INITIAL=20 or WORKER_WORKFLOW_BUNDLE=/abs/bundle.js
  --no-build            do not run the worker build first
  --date <YYYY-MM-DD>   date stamped on the results (default today)
  --verbose             print every line of every process
  --phase queue         only the admission queue's fairness run (its own flags: --phase queue --help)
  --phase timeline      one idle job's per-stage timeline, variants A/B (its own flags: --phase timeline --help)
  --phase fanout        graphql-ws fan-out at scale, 10,000 subscribers (its own flags: --phase fanout --help)
  -h, --help
`;

const list = (text: string | undefined) =>
  text === undefined
    ? undefined
    : text
        .split(',')
        .map((v) => Number(v.trim()))
        .filter((v) => Number.isInteger(v) && v > 0);

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      levels: { type: 'string' },
      realistic: { type: 'string' },
      fanout: { type: 'string' },
      window: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'worker-env': { type: 'string', multiple: true },
      'emulator-images': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      date: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

type Values = ReturnType<typeof parse>;

/** `K=V` pairs; the value is everything after the first `=`. */
const envOf = (pairs: string[]) =>
  Object.fromEntries(
    pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );

/** The run the flags ask for: the preset (quick or full) with each given flag in its place; `0` skips a phase. */
function benchOptions(values: Values, windowMs: number | undefined): BenchOptions {
  const preset = values.quick ? QUICK : FULL;
  return {
    quick: values.quick,
    outDir: values.out ?? join(repoRoot, 'tools', 'bench', 'results', ...(values.quick ? ['quick'] : [])),
    levels: list(values.levels) ?? preset.levels,
    realisticLevels: values.realistic === '0' ? [] : (list(values.realistic) ?? preset.realisticLevels),
    fanout: values.fanout === '0' ? [] : (list(values.fanout) ?? preset.fanout),
    fanoutEvents: preset.fanoutEvents,
    settings: windowMs ? { ...preset.settings, windowMs } : preset.settings,
    profile: values.profile,
    workerEnv: envOf(values['worker-env'] ?? []),
    emulatorImages:
      (values['emulator-images'] as BenchOptions['emulatorImages'] | undefined) ?? preset.emulatorImages,
    build: !values['no-build'],
    date: values.date ?? new Date().toISOString().slice(0, 10),
    log: (line) => process.stdout.write(`bench: ${line}\n`),
    ...(values.verbose
      ? { onProcessLine: (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`) }
      : {}),
  };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const phase = args.indexOf('--phase');
  if (phase >= 0) {
    // A phase of its own, with its own stack and flags: `--phase queue` (admission queue fairness).
    const name = args[phase + 1];
    const rest = [...args.slice(0, phase), ...args.slice(phase + 2)];
    if (name === 'queue') return (await import('./queue/queue-bench.ts')).runQueueBench(rest);
    if (name === 'timeline') return (await import('./timeline/timeline-bench.ts')).runTimelineBench(rest);
    if (name === 'fanout') return (await import('./phases/fanout-scale.ts')).runFanoutBench(rest);
    process.stderr.write(`bench: unknown phase ${name ?? '(none)'}; known: queue, timeline, fanout\n`);
    return 2;
  }
  let values: Values;
  try {
    values = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const windowMs = values.window ? Number(values.window) : undefined;
  if (windowMs !== undefined && !(windowMs > 0)) {
    process.stderr.write('bench: --window must be a positive number of milliseconds\n');
    return 2;
  }
  if (!['both', 'render', 'prerendered'].includes(values['emulator-images'] ?? 'both')) {
    process.stderr.write('bench: --emulator-images must be both, render or prerendered\n');
    return 2;
  }
  const options = benchOptions(values, windowMs);
  const results = await runBench(options);
  process.stdout.write(`\n${(await import('./report/markdown.ts')).renderMarkdown(results)}\n`);
  process.stdout.write(`bench: wrote ${join(options.outDir, 'results.json')}, results.md, chart.png\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
