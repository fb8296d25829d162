import type { BenchResults } from './results.ts';

const PROCESSES = ['temporal', 'redis', 'emulator', 'worker', 'api', 'driver'];
const n = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : String(v));

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The markdown the README quotes: one table per question the issue asks. */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [];
  out.push(
    `Measured ${results.date} on ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node.replace(/^v/, '')}, ${m.temporalCli}, ${m.redis.replace(/ sha=.*$/, '')} (${results.mode} run, ${results.durationSeconds} s).`,
  );
  out.push('', '**Targets**', '');
  out.push(
    table(
      ['target', 'goal', 'measured', 'met'],
      results.targets.map((t) => [
        t.name,
        t.target,
        t.measured,
        t.met === null ? 'n/a' : t.met ? 'yes' : '**no**',
      ]),
    ),
  );

  out.push(
    '',
    '**Latency per job (ms) and overhead (b) − (a)** — (a) `packages/runware` straight to the emulator, (b) GraphQL mutation → Temporal → worker → Redis → graphql-ws terminal event',
    '',
  );
  const rows: (string | number)[][] = [];
  for (const o of results.overhead) {
    const a = results.phases.find(
      (p) => p.path === 'direct' && p.latency === o.latency && p.concurrency === o.concurrency,
    );
    const b = results.phases.find(
      (p) => p.path === 'platform' && p.latency === o.latency && p.concurrency === o.concurrency,
    );
    if (!a || !b) continue;
    rows.push([
      o.latency === 'none' ? '0 ms' : o.latency,
      o.concurrency,
      `${a.latencyMs.p50} / ${a.latencyMs.p95} / ${a.latencyMs.p99}`,
      `${b.latencyMs.p50} / ${b.latencyMs.p95} / ${b.latencyMs.p99}`,
      `**${o.p50}** / ${o.p95} / **${o.p99}**`,
      `${a.throughput} / ${b.throughput}`,
      `${b.jobs}${b.errors ? ` (${b.errors} errors)` : ''}`,
    ]);
  }
  out.push(
    table(
      [
        'emulator latency',
        'in flight',
        '(a) p50 / p95 / p99',
        '(b) p50 / p95 / p99',
        'overhead p50 / p95 / p99',
        'jobs/s (a) / (b)',
        'jobs (b)',
      ],
      rows,
    ),
  );

  out.push('', '**Saturation** (highest sustained throughput seen while raising the concurrency)', '');
  out.push(
    table(
      ['path', 'emulator latency', 'max jobs/s', 'at in flight'],
      results.saturation.map((s) => [
        s.path,
        s.latency === 'none' ? '0 ms' : s.latency,
        s.maxThroughput,
        s.atConcurrency,
      ]),
    ),
  );

  out.push(
    '',
    "**CPU ms per job, per process** (platform path; the window's CPU time / jobs completed in it)",
    '',
  );
  const platform = results.phases.filter((p) => p.path === 'platform');
  out.push(
    table(
      ['emulator latency', 'in flight', ...PROCESSES, 'total'],
      platform.map((p) => {
        const total = PROCESSES.reduce(
          (sum, name) => sum + (Number.isFinite(p.cpuMsPerJob[name]) ? (p.cpuMsPerJob[name] ?? 0) : 0),
          0,
        );
        return [
          p.latency === 'none' ? '0 ms' : p.latency,
          p.concurrency,
          ...PROCESSES.map((name) => n(p.cpuMsPerJob[name])),
          Math.round(total * 10) / 10,
        ];
      }),
    ),
  );
  const direct = results.phases.filter((p) => p.path === 'direct');
  out.push(
    '',
    'Direct path for comparison (CPU ms per job: emulator / driver): ' +
      direct
        .map(
          (p) =>
            `${p.latency === 'none' ? '0 ms' : p.latency} ×${p.concurrency}: ${n(p.cpuMsPerJob.emulator)} / ${n(p.cpuMsPerJob.driver)}`,
        )
        .join('; '),
  );

  out.push('', '**Peak RSS (MiB) per process** (highest VmHWM over all phases)', '');
  const peaks: Record<string, number> = {};
  for (const p of results.phases)
    for (const [name, v] of Object.entries(p.peakRssMiB)) peaks[name] = Math.max(peaks[name] ?? 0, v);
  for (const f of results.fanout) peaks.api = Math.max(peaks.api ?? 0, f.apiPeakRssMiB);
  out.push(table(PROCESSES, [PROCESSES.map((name) => n(peaks[name]))]));

  if (results.fanout.length > 0) {
    out.push(
      '',
      '**Subscription fan-out** (one API process, one job, one WebSocket per subscriber; append → receipt)',
      '',
    );
    out.push(
      table(
        [
          'subscribers',
          'connected',
          'events',
          'received / expected',
          'p50 ms',
          'p99 ms',
          'max ms',
          'connect all (ms)',
          'API RSS MiB',
          'API CPU ms / delivery',
          'driver CPU ms / delivery',
        ],
        results.fanout.map((f) => [
          f.subscribers,
          f.connected,
          f.events,
          `${f.received} / ${f.expected}`,
          f.deliveryMs.p50,
          f.deliveryMs.p99,
          f.deliveryMs.max,
          f.connectMs,
          f.apiRssMiB,
          f.apiCpuMsPerDelivery,
          f.driverCpuMsPerDelivery,
        ]),
      ),
    );
  }

  if (results.temporalHistory.length > 0) {
    out.push(
      '',
      "**Where a job's time goes in Temporal** (per job, from workflow histories: server timestamps)",
      '',
    );
    out.push(
      table(
        [
          'emulator latency',
          'in flight',
          'history events',
          'workflow tasks',
          'activities',
          'local activities',
          'patch markers',
          'SA upserts',
          'workflow p50 ms',
          'WFT queue p50 (first)',
          'WFT run p50',
          'activity queue p50',
          'activity run p50',
          'other p50',
        ],
        results.temporalHistory.map(({ latency, concurrency, summary: s }) => [
          latency === 'none' ? '0 ms' : latency,
          concurrency,
          s.perJob.events,
          s.perJob.workflowTasks,
          s.perJob.activities,
          s.perJob.localActivities,
          s.perJob.patchMarkers ?? 0,
          s.perJob.searchAttributeUpserts,
          s.workflowMs.p50,
          `${s.wftQueueMs.p50} (${s.firstWftQueueMs.p50})`,
          s.wftRunMs.p50,
          s.activityQueueMs.p50,
          s.activityRunMs.p50,
          s.otherMs.p50,
        ]),
      ),
    );
  }

  for (const profile of results.cpuProfiles) {
    out.push(
      '',
      `**CPU profile** \`${profile.file.split('/').pop()}\` (${profile.busyMs} ms sampled): self time by package`,
      '',
    );
    out.push(
      table(
        ['package', 'ms', '%'],
        profile.byPackage.slice(0, 10).map((e) => [e.name, e.ms, e.share]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
