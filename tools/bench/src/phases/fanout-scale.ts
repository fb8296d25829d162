import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JobEventLog } from '@photomaker/events';
import { buildWorkerBundle, PIECE_NAMES, Platform, repoRoot, startNodeApp } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng } from '@photomaker/harness/client';
import { EmulatorAdmin, LATENCY_PRESETS } from '@photomaker/runware-emulator/admin';
import { Redis } from 'ioredis';
import { startHeldJobs } from './fanout-jobs.ts';
import { Drivers, measureRound, type ScaleResult } from './fanout-round.ts';

const FANOUT_HELP = `pnpm bench --phase fanout [options]

graphql-ws fan-out at scale on one API process: N subscribers (one WebSocket each, held by forked driver
processes so the receiving side is not the bench's event loop) spread over J real jobs held in Runware;
the bench appends events straight to the jobs' Redis streams and times append -> receipt.
Several --api variants run on the same stack, interleaved per round (A/B in one run).

  --subscribers <n>      subscribers per measurement (default 10000; quick 40)
  --jobs <1,1000>        job counts to spread them over (default 1,1000; quick 1,4)
  --events <n>           events appended to every job per measurement (default 10; quick 3)
  --rounds <n>           rounds; each runs every shape on every variant (default 1)
  --drivers <n>          driver processes holding the sockets (default 2)
  --api <label=entry>    an API build to measure, its own process (repeatable, interleaved; entry relative
                         to the repo root; default current=apps/api/src/main.ts), e.g. for an A/B
                         --api base=../../../tmp/base/apps/api/src/main.ts --api current=apps/api/src/main.ts
  --out <dir>            where fanout-scale.json goes (default tools/bench/results)
  --quick                a small run
  --no-build             do not build the worker bundle first
  --verbose              print every line of every process
`;

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      subscribers: { type: 'string' },
      jobs: { type: 'string' },
      events: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      drivers: { type: 'string', default: '2' },
      api: { type: 'string', multiple: true },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
}

interface Variant {
  label: string;
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

const say = (line: string) => process.stdout.write(`fanout: ${line}\n`);

function row(r: ScaleResult): string {
  const d = r.deliveryMs;
  return `| ${r.variant} | ${r.round} | ${r.subscribers} | ${r.jobs} | ${r.connected} | ${r.received} / ${r.expected} | ${d.p50} | ${d.p99} | ${d.max} | ${r.apiRssMiB} (${r.apiIdleRssMiB} idle) | ${r.rssBytesPerSubscriber} | ${r.apiCpuMsPerDelivery} | ${r.driverCpuMsPerDelivery} | ${r.dropped} |`;
}

function renderScale(results: ScaleResult[]): string {
  return [
    '| variant | round | subscribers | jobs | connected | received / expected | p50 ms | p99 ms | max ms | API RSS MiB | RSS bytes / subscriber | API CPU ms / delivery | driver CPU ms / delivery | dropped |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(row),
  ].join('\n');
}

/**
 * Each variant is an API process of its own, started the same way: the stack's API takes the setup's
 * mutations (its heap grows with them), so measuring it would flatter its RSS per subscriber.
 */
async function startVariants(stack: Platform, specs: string[], verbose: boolean): Promise<Variant[]> {
  const variants: Variant[] = [];
  for (const spec of specs) {
    const [label = '', entry = ''] = spec.split('=');
    const app = await startNodeApp({
      name: `api-${label}`,
      entry,
      args: ['--port', '0'],
      env: { ...stack.envs.api, PHOTOMAKER_MAX_CONNECTIONS: '0' },
      readyTimeoutMs: 120_000,
      ...(verbose ? { onLine: (line: string) => process.stdout.write(`[api-${label}] ${line}\n`) } : {}),
    });
    variants.push({ label, url: app.url ?? '', pid: app.process.pid ?? 0, stop: () => app.stop() });
  }
  return variants;
}

/** The flags with the full or quick defaults filled in. */
function settingsOf(values: ReturnType<typeof parse>) {
  const quick = values.quick;
  return {
    subscribers: Number(values.subscribers ?? (quick ? 40 : 10_000)),
    shapes: (values.jobs ?? (quick ? '1,4' : '1,1000')).split(',').map(Number),
    events: Number(values.events ?? (quick ? 3 : 10)),
    rounds: Number(values.rounds),
    outDir: values.out ?? join(repoRoot, 'tools', 'bench', 'results'),
  };
}

export async function runFanoutBench(args: string[]): Promise<number> {
  const values = parse(args);
  if (values.help) {
    process.stdout.write(FANOUT_HELP);
    return 0;
  }
  const { subscribers, shapes, events, rounds, outDir } = settingsOf(values);
  if (!values['no-build']) await buildWorkerBundle();
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'fanout',
    tenant: 'bench',
    emulator: { latency: 'none', args: ['--capacity', '100000', '--images', 'prerendered'] },
    rateLimited: false,
    env: { api: { PHOTOMAKER_MAX_CONNECTIONS: '0' } },
    ...(values.verbose
      ? { onLine: (name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`) }
      : {}),
  });
  // A stopped bench stops its stack too (its worker would outlive it).
  const abort = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  say(`starting the stack (data in ${stack.dataDir})`);
  await stack.start();
  const client = new PlatformClient(stack.apiUrl, stack.apiKey);
  const emulator = new EmulatorAdmin(stack.emulatorUrl);
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 2 });
  const log = new JobEventLog(redis);
  const drivers = new Drivers(Number(values.drivers));
  const variants: Variant[] = [];
  const results: ScaleResult[] = [];
  try {
    const specs = values.api ?? ['current=apps/api/src/main.ts'];
    variants.push(...(await startVariants(stack, specs, values.verbose)));
    const referenceId = await client.uploadReference(pngDataUri(await referencePng()));
    const jobs = await startHeldJobs(client, emulator, log, referenceId, Math.max(...shapes), say);
    for (let round = 1; round <= rounds; round++) {
      for (const shape of shapes) {
        // Odd rounds in the given order, even rounds reversed: going first or second is not a variant's.
        for (const variant of round % 2 === 1 ? variants : [...variants].reverse()) {
          const result = await measureRound({
            variant: variant.label,
            round,
            apiUrl: variant.url,
            apiKey: stack.apiKey,
            apiPid: variant.pid,
            drivers,
            log,
            jobs: jobs.slice(0, shape),
            subscribers,
            events,
          });
          results.push(result);
          say(row(result));
        }
      }
    }
  } finally {
    drivers.stop();
    await emulator.setLatency(LATENCY_PRESETS.none).catch(() => undefined);
    redis.disconnect();
    await client.close();
    await Promise.all(variants.map((v) => v.stop()));
    await stack.stop();
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'fanout-scale.json'),
    `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`,
  );
  process.stdout.write(`\n${renderScale(results)}\n`);
  return 0;
}
