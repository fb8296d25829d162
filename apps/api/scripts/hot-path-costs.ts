import { performance } from 'node:perf_hooks';
import { JOB_EVENTS_FULL, JOB_EVENTS_MINIMAL } from '@photomaker/harness/client';
import { type JobEvent, jobEventSchema } from '@photomaker/schema';
import { limitsFromEnv } from '../src/config.ts';
import { schema } from '../src/graphql/schema.ts';
import { checkOperation, operationRules } from '../src/guards/operation-check.ts';

// CPU of two per-job steps of the API in process, A/B in one run (issue #18, tools/bench/README.md
// "Leads (issue #18): API and Redis"): a graphql-ws subscribe's parse + validate + guards without and
// with the document cache, and reading a job's stored events without and with the parsed-event cache.
// Usage: node apps/api/scripts/hot-path-costs.ts [rounds=5]

const rounds = Number(process.argv[2] ?? 5);
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Median µs per call over `rounds` rounds of `n` calls. */
function micros(n: number, run: () => unknown): number {
  const each: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) run();
    each.push(((performance.now() - start) * 1000) / n);
  }
  return each.sort((a, b) => a - b)[Math.floor(each.length / 2)] ?? 0;
}

const limits = limitsFromEnv({});
const rules = operationRules(limits);
for (const [name, query] of [
  ['minimal', JOB_EVENTS_MINIMAL],
  ['full', JOB_EVENTS_FULL],
] as const) {
  const request = { query, variables: { jobId: 'job-1', afterSeq: 0 }, operationName: 'Events' };
  const uncached = micros(500, () => checkOperation(schema, request, limits));
  const cached = micros(500, () => checkOperation(schema, request, limits, rules));
  out(
    `subscribe check (${name} document): ${uncached.toFixed(1)} µs parsed+validated, ${cached.toFixed(1)} µs cached`,
  );
}

// A job's events as the stream stores them (the worker's JSON), read whole as every snapshot does.
const at = new Date().toISOString();
const image = {
  index: 0,
  imageUUID: '6a3d2c1b-5e4f-4a0b-8c7d-9e8f7a6b5c4d',
  seed: '1234567890123',
  width: 128,
  height: 128,
  outputFormat: 'PNG',
  blob: { sha256: 'a'.repeat(64), mediaType: 'image/png', size: 4321 },
  cost: 0.0019,
};
const events: JobEvent[] = [
  { jobId: 'job-1', seq: 1, at, stage: 'queued', data: { numberResults: 1 } },
  {
    jobId: 'job-1',
    seq: 2,
    at,
    stage: 'submitted',
    data: { runwareTaskUUID: '3f1c1a9e-3b8e-4a53-9f54-1f0c1c2a1b11', numberResults: 1 },
  },
  { jobId: 'job-1', seq: 3, at, stage: 'image_ready', data: { index: 0, total: 1, image } },
  { jobId: 'job-1', seq: 4, at, stage: 'succeeded', data: { imageCount: 1, cost: 0.0019 } },
] as unknown as JobEvent[];
const payloads = events.map((event) => JSON.stringify(jobEventSchema.parse(event)));
const cache = new Map<string, JobEvent>();
const uncachedRead = micros(2_000, () => payloads.map((p) => jobEventSchema.parse(JSON.parse(p))));
const cachedRead = micros(2_000, () =>
  payloads.map((p) => {
    const known = cache.get(p);
    if (known) return known;
    const event = jobEventSchema.parse(JSON.parse(p));
    cache.set(p, event);
    return event;
  }),
);
out(
  `read of ${payloads.length} stored events: ${uncachedRead.toFixed(1)} µs parsed, ${cachedRead.toFixed(1)} µs cached`,
);
