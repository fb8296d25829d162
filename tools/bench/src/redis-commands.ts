import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWorkerBundle, PIECE_NAMES, Platform } from '@photomaker/harness';
import {
  GENERATE,
  GraphQLFailure,
  PlatformClient,
  pngDataUri,
  referencePng,
  smallTask,
} from '@photomaker/harness/client';
import { Redis } from 'ioredis';
import { UsageWindow } from './harness/proc-stats.ts';
import { cpuProfilesIn, summarizeCpuProfile } from './profile/cpu-profile.ts';

// Redis commands per job, by connection name and command (issue #18: round trips per job), and CPU ms per
// job per process: N idle jobs one at a time (the bench's small task, emulator at 0 ms, prerendered
// images) while a MONITOR connection counts every command Redis runs. A script's inner calls show as
// their own lines after the EVALSHA (MONITOR prints them with the `lua` address): counted apart.
// Usage: node tools/bench/src/redis-commands.ts [--jobs 30] [--api-env K=V ...] [--profile] (the API's)

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '30' },
    'api-env': { type: 'string', multiple: true, default: [] },
    'no-build': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const apiEnv = Object.fromEntries(
  (values['api-env'] ?? []).map((kv) => [kv.split('=')[0], kv.split('=').slice(1).join('=')]),
);
if (!values['no-build']) await buildWorkerBundle();
const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'redis-commands-prof-')) : undefined;
const platform = new Platform({
  ...(profileDir
    ? { nodeArgs: { api: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }, stopGraceMs: 20_000 }
    : {}),
  pieces: PIECE_NAMES,
  name: 'redis-commands',
  tenant: 'bench',
  emulator: { latency: 'none', args: ['--capacity', '100000', '--images', 'prerendered'] },
  rateLimited: false,
  env: { api: apiEnv },
});
await platform.start();
try {
  const client = new PlatformClient(platform.apiUrl, platform.apiKey);
  const referenceId = await client.uploadReference(pngDataUri(await referencePng()));
  const runJob = async () => {
    const result = await client.http.post<{ generatePhotoMaker: { id: string } }>(GENERATE, {
      input: smallTask(referenceId),
    });
    const job = result.data?.generatePhotoMaker;
    if (!job) throw new GraphQLFailure(`generatePhotoMaker failed (${result.status})`, result.errors);
    const terminal = await client.waitTerminal(job.id);
    if (terminal.status !== 'SUCCEEDED') throw new Error(`job ${job.id} ended ${terminal.status}`);
  };
  for (let i = 0; i < 5; i++) await runJob();
  const admin = new Redis(platform.redisUrl);
  const names = new Map<string, string>();
  for (const line of String(await admin.client('LIST')).split('\n')) {
    const addr = /addr=(\S+)/.exec(line)?.[1];
    if (addr) names.set(addr, /name=(\S*)/.exec(line)?.[1] || 'unnamed');
  }
  const monitor = await admin.monitor();
  const counts = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const who = source === 'lua' ? 'lua' : (names.get(source) ?? source);
    const key = `${who} ${String(args[0]).toUpperCase()}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  // The API's user and system CPU apart (system: socket writes and reads in the kernel).
  const apiTimes = () => {
    const fields =
      readFileSync(`/proc/${platform.pid('api')}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
  };
  const apiBefore = apiTimes();
  // Idle CPU (pollers, timers) per second, to set apart from the jobs' own.
  const idle = new UsageWindow(() => platform.pids());
  idle.begin();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const idleCpu = idle.end();
  const apiIdle = apiTimes();
  const usage = new UsageWindow(() => platform.pids());
  const started = Date.now();
  usage.begin();
  // --concurrency N: N clients in a closed loop (no pause); failed jobs are counted, not fatal.
  const concurrency = Number(values.concurrency);
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        next++;
        await runJob().catch((error: unknown) => failures.push(String(error)));
        if (concurrency === 1) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  if (failures.length > 0) process.stdout.write(`${failures.length} jobs failed; first: ${failures[0]}\n`);
  const cpu = usage.end();
  const seconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 200));
  monitor.disconnect();
  admin.disconnect();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `${jobs} jobs in ${seconds.toFixed(1)} s; Redis commands per job (connection command), idle polls included:`,
  );
  const byWho = new Map<string, number>();
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1])) {
    out(`  ${key.padEnd(40)} ${(n / jobs).toFixed(2)}`);
    const who = key.split(' ')[0] ?? '';
    byWho.set(who, (byWho.get(who) ?? 0) + n);
  }
  out(`totals per job: ${[...byWho].map(([w, n]) => `${w} ${(n / jobs).toFixed(1)}`).join(', ')}`);
  out(
    `CPU ms per job: ${Object.entries(cpu)
      .map(([p, u]) => `${p} ${(u.cpuMs / jobs).toFixed(1)}`)
      .join(', ')}`,
  );
  const idleMs = (p: string) => ((idleCpu[p]?.cpuMs ?? 0) / 5_000) * seconds * 1000;
  out(
    `idle CPU ms/s: ${Object.entries(idleCpu)
      .map(([p, u]) => `${p} ${(u.cpuMs / 5).toFixed(1)}`)
      .join(', ')}`,
  );
  out(
    `CPU ms per job minus idle: ${Object.entries(cpu)
      .map(([p, u]) => `${p} ${((u.cpuMs - idleMs(p)) / jobs).toFixed(1)}`)
      .join(', ')}`,
  );
  const apiAfter = apiTimes();
  out(
    `API user / system CPU ms per job (idle rate removed): ${((apiAfter.user - apiIdle.user - ((apiIdle.user - apiBefore.user) / 5) * seconds) / jobs).toFixed(1)} / ${((apiAfter.system - apiIdle.system - ((apiIdle.system - apiBefore.system) / 5) * seconds) / jobs).toFixed(1)}`,
  );
} finally {
  await platform.stop();
}
for (const file of profileDir ? cpuProfilesIn(profileDir) : []) {
  const summary = summarizeCpuProfile(file, 40);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nAPI CPU profile (${summary.busyMs} ms sampled, warm-up and start included):`);
  for (const e of summary.byPackage.slice(0, 15)) out(`  package  ${e.name.padEnd(60)} ${e.ms} ms`);
  for (const e of summary.topFunctions) out(`  function ${e.name.padEnd(60)} ${e.ms} ms`);
  for (const e of summary.inclusive) out(`  incl.    ${e.name.padEnd(60)} ${e.ms} ms`);
}
