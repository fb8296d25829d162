import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '@photomaker/blobstore';
import { UrlGuard } from '@photomaker/url-guard';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageIntake } from '../src/jobs/image-intake.ts';
import type { StartJobRequest } from '../src/jobs/job-service.ts';
import type { ReferenceImageRegistry } from '../src/jobs/reference-images.ts';
import { SubmitJob } from '../src/jobs/submit-job.ts';
import { createApiMetrics } from '../src/metrics.ts';
import { baseInput, GENERATE } from './helpers.ts';
import { fakeDeps, queuedJob, run } from './support/in-process.ts';
import { expectRefused, inputOf, rows } from './support/validation-rows.ts';

// The whole validation table in process: the real schema, the real submit-job use case with the real
// validation, SSRF guard (real DNS) and image intake (a temporary blob directory); only the job starter is
// faked, and records what would have been started. validation-table.test.ts keeps a sample over HTTP.

const blobDir = mkdtempSync(join(tmpdir(), 'api-validation-'));
afterAll(() => rmSync(blobDir, { recursive: true, force: true }));

const guard = new UrlGuard({ allow: '' });
const noRegistry = {
  resolve: async () => undefined,
  register: async () => {
    throw new Error('no uploads in this table');
  },
} as unknown as ReferenceImageRegistry;
const started: StartJobRequest[] = [];
const metrics = createApiMetrics();
const submit = new SubmitJob({
  jobs: {
    existing: async () => undefined,
    start: async (request) => {
      started.push(request);
      return { state: queuedJob(request.tenant, request.jobId), created: true };
    },
  },
  reads: {
    describe: async () => undefined,
    get: async (tenant, jobId) => queuedJob(tenant, jobId),
  },
  // A small per-image limit so the size rule is testable with small images (as on the real stack).
  intake: new ImageIntake({
    blobs: new LocalBlobStore(blobDir),
    guard,
    registry: noRegistry,
    owners: { ownerOf: async () => ({ known: false }) },
    usage: { use: async () => ({ ok: true, totalBytes: 0 }), renew: async () => undefined },
    inputLifetimeMs: 60_000,
    maxImageBytes: 4096,
    maxImagePixels: 50_000_000,
    fetchTimeoutMs: 2_000,
  }),
  guard,
  follow: { follow: async () => undefined },
  metrics,
  // Limits are not what this table checks (usage-ledger.test.ts does): nothing is limited.
  usage: {
    reserve: async (_tenant, _limits, jobs) => ({ ok: true, held: jobs.map((job) => job.jobId) }),
    refund: async () => undefined,
    settleWhenDone: () => undefined,
  },
  syncWaitMs: 50,
});
const deps = fakeDeps({ submit });

describe('invalid generatePhotoMaker input, in process: Runware code and path, nothing started', () => {
  it.each(rows)('%s', async (...row) => {
    expectRefused(await run(deps, GENERATE, { input: inputOf(row[1]) }), row);
  });

  it('reports every bad parameter of one request', async () => {
    const response = await run(deps, GENERATE, {
      input: baseInput({ strength: 99, steps: 0, positivePrompt: 'x' }),
    });
    const details = response.errors?.[0]?.extensions?.runwareErrors as { runwareCode: string }[];
    expect(details.map((d) => d.runwareCode).sort()).toEqual([
      'invalidPositivePrompt',
      'invalidSteps',
      'invalidStrength',
    ]);
  });

  it('refuses a bad idempotencyKey', async () => {
    const response = await run(deps, GENERATE, { input: baseInput(), key: '' });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidIdempotencyKey',
      path: ['idempotencyKey'],
    });
  });

  it('started no job for any of them, counted each refusal, and a valid request does start one', async () => {
    expect(started).toEqual([]);
    const rejected = await metrics.inputRejected.get();
    const codes = new Set(rejected.values.map((value) => value.labels.code));
    // Refusals of the use case (schema, images, SSRF); a variable GraphQL cannot coerce never reaches it.
    for (const code of [
      'invalidStrength',
      'invalidInputImages',
      'invalidWebhookURL',
      'invalidUploadEndpoint',
    ])
      expect(codes).toContain(code);
    const valid = await run(deps, GENERATE, { input: baseInput() });
    expect(valid.errors).toBeUndefined();
    expect(started).toHaveLength(1);
    expect(started[0]?.task.inputImages).toEqual([
      { kind: 'blob', blob: expect.objectContaining({ mediaType: 'image/png' }) },
    ]);
  });
});
