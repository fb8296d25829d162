import { machineLine } from './machine.ts';
import type { BenchResults } from './results.ts';
import { CPU_LEVEL } from './targets.ts';

const PROCESSES = ['temporal', 'redis', 'emulator', 'worker', 'api', 'driver'];
const n = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : String(v));

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const latencyLabel = (latency: string) => (latency === 'none' ? '0 ms' : latency);

/** A bold section title, then its table (or text), separated by blank lines. */
const section = (title: string, body: string) => ['', title, '', body];

/** Date, commit and machine: what the README's table cites. */
function header(results: BenchResults): string {
  const modes = results.emulatorImages.join(' then ');
  return `Measured ${results.date} at commit \`${results.commit}\` on ${machineLine(results.machine)} (${results.mode} run, ${results.durationSeconds} s, emulator images: ${modes}).`;
}

const metLabel = (met: boolean | null) => {
  if (met === null) return 'n/a';
  return met ? 'yes' : '**no**';
};

/** How the rows were read: which emulator mode judges which row, at which level. */
function targetsNote(results: BenchResults): string {
  const level = `CPU rows: ${CPU_LEVEL} in flight, 0 ms emulator latency, the window's CPU time / jobs completed. Subscribers: the largest fan-out run, API RSS with everyone connected.`;
  if (results.emulatorImages.length < 2)
    return `Only the emulator's \`${results.emulatorImages[0]}\` mode ran: every row is judged on it (\`--emulator-images both\` measures both). ${level}`;
  return `Judged on the emulator mode named in the row; the other mode's number is beside it, not judged. Latency and CPU rows: \`prerendered\` (no sharp render per image standing in for Runware's GPUs on the same cores: the platform's own cost). Throughput ratio: \`render\` (prerendered, the direct path is the emulator's HTTP ceiling, not Runware's). ${level}`;
}

function targetsSection(results: BenchResults): string[] {
  return [
    ...section(
      '**Targets** (issue #18)',
      table(
        ['target', 'goal', 'emulator images', 'measured', 'met', 'other mode (not judged)'],
        results.targets.map((t) => [
          t.name,
          t.goal,
          t.images ?? '–',
          t.measured,
          metLabel(t.met),
          t.otherMode ?? '–',
        ]),
      ),
    ),
    '',
    targetsNote(results),
  ];
}

type Phase = BenchResults['phases'][number];
type Overhead = BenchResults['overhead'][number];

const findPhase = (results: BenchResults, path: Phase['path'], o: Overhead) =>
  results.phases.find(
    (p) =>
      p.path === path && p.images === o.images && p.latency === o.latency && p.concurrency === o.concurrency,
  );

const percentiles = (p: Phase) => `${p.latencyMs.p50} / ${p.latencyMs.p95} / ${p.latencyMs.p99}`;

function overheadRow(results: BenchResults, o: Overhead): (string | number)[] | undefined {
  const a = findPhase(results, 'direct', o);
  const b = findPhase(results, 'platform', o);
  if (!a || !b) return undefined;
  return [
    o.images,
    latencyLabel(o.latency),
    o.concurrency,
    percentiles(a),
    percentiles(b),
    `**${o.p50}** / ${o.p95} / **${o.p99}**`,
    `${a.throughput} / ${b.throughput}`,
    `${b.jobs}${b.errors ? ` (${b.errors} errors)` : ''}`,
  ];
}

function overheadSection(results: BenchResults): string[] {
  const rows = results.overhead
    .map((o) => overheadRow(results, o))
    .filter((row): row is (string | number)[] => row !== undefined);
  return section(
    '**Latency per job (ms) and overhead (b) − (a)** — (a) `packages/runware` straight to the emulator, (b) GraphQL mutation → Temporal → worker → Redis → graphql-ws terminal event',
    table(
      [
        'emulator images',
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
}

function saturationSection(results: BenchResults): string[] {
  return section(
    '**Saturation** (highest sustained throughput seen while raising the concurrency)',
    table(
      ['emulator images', 'path', 'emulator latency', 'max jobs/s', 'at in flight'],
      results.saturation.map((s) => [
        s.images,
        s.path,
        latencyLabel(s.latency),
        s.maxThroughput,
        s.atConcurrency,
      ]),
    ),
  );
}

function cpuRow(p: Phase): (string | number)[] {
  const total = PROCESSES.reduce(
    (sum, name) => sum + (Number.isFinite(p.cpuMsPerJob[name]) ? (p.cpuMsPerJob[name] ?? 0) : 0),
    0,
  );
  return [
    p.images,
    latencyLabel(p.latency),
    p.concurrency,
    ...PROCESSES.map((name) => n(p.cpuMsPerJob[name])),
    Math.round(total * 10) / 10,
  ];
}

function cpuSection(results: BenchResults): string[] {
  const platform = results.phases.filter((p) => p.path === 'platform');
  const direct = results.phases
    .filter((p) => p.path === 'direct')
    .map(
      (p) =>
        `${p.images} ${latencyLabel(p.latency)} ×${p.concurrency}: ${n(p.cpuMsPerJob.emulator)} / ${n(p.cpuMsPerJob.driver)}`,
    );
  return [
    ...section(
      "**CPU ms per job, per process** (platform path; the window's CPU time / jobs completed in it)",
      table(
        ['emulator images', 'emulator latency', 'in flight', ...PROCESSES, 'total'],
        platform.map(cpuRow),
      ),
    ),
    '',
    `Direct path for comparison (CPU ms per job: emulator / driver): ${direct.join('; ')}`,
  ];
}

function rssSection(results: BenchResults): string[] {
  const peaks: Record<string, number> = {};
  for (const p of results.phases)
    for (const [name, v] of Object.entries(p.peakRssMiB)) peaks[name] = Math.max(peaks[name] ?? 0, v);
  for (const f of results.fanout) peaks.api = Math.max(peaks.api ?? 0, f.apiPeakRssMiB);
  return section(
    '**Peak RSS (MiB) per process** (highest VmHWM over all phases)',
    table(PROCESSES, [PROCESSES.map((name) => n(peaks[name]))]),
  );
}

function fanoutSection(results: BenchResults): string[] {
  if (results.fanout.length === 0) return [];
  return section(
    '**Subscription fan-out** (one API process, one job, one WebSocket per subscriber; append → receipt)',
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

function historySection(results: BenchResults): string[] {
  if (results.temporalHistory.length === 0) return [];
  return section(
    "**Where a job's time goes in Temporal** (per job, from workflow histories: server timestamps)",
    table(
      [
        'emulator images',
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
      results.temporalHistory.map(({ images, latency, concurrency, summary: s }) => [
        images,
        latencyLabel(latency),
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

function profileSections(results: BenchResults): string[] {
  return results.cpuProfiles.flatMap((profile) =>
    section(
      `**CPU profile** \`${profile.file.split('/').pop()}\` (${profile.busyMs} ms sampled): self time by package`,
      table(
        ['package', 'ms', '%'],
        profile.byPackage.slice(0, 10).map((e) => [e.name, e.ms, e.share]),
      ),
    ),
  );
}

/** The markdown the README quotes: one table per question the issue asks. */
export function renderMarkdown(results: BenchResults): string {
  const out = [
    header(results),
    ...targetsSection(results),
    ...overheadSection(results),
    ...saturationSection(results),
    ...cpuSection(results),
    ...rssSection(results),
    ...fanoutSection(results),
    ...historySection(results),
    ...profileSections(results),
  ];
  return `${out.join('\n')}\n`;
}
