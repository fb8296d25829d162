import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { sampleFace } from '@photomaker/likeness/samples';
import { AesGcmPayloadCodec, createDataConverter, ENCRYPTED_ENCODING } from '@photomaker/temporal/codec';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Harness, RUNWARE_KEY, type StartedJob } from './support/harness.ts';
import { Receiver } from './support/receiver.ts';

// Determinism and privacy, checked on the histories of real finished jobs.

// Histories of earlier workflow code that must keep replaying: photomaker-job-history.json (2 images,
// webhook + upload), single-image*-v1.json (before the local Runware step), single-image-local-step.json.
const FIXTURES = new URL('./fixtures/', import.meta.url);
const FIXTURE = new URL('photomaker-job-history.json', FIXTURES);
const LOCAL_STEP_FIXTURE = new URL('single-image-local-step.json', FIXTURES);
/** A job started with a trace (the API's tracing interceptor): the workflow's tracing interceptors ran. */
const TRACED_FIXTURE = new URL('traced-webhook.json', FIXTURES);
/** A face-checked, scored job (reference-check, likeness-score) telling its webhook the job's events. */
const SCORED_FIXTURE = new URL('reference-check-scored.json', FIXTURES);
const REGENERATED_FIXTURE = new URL('regenerate-below.json', FIXTURES);
/**
 * Jobs started by the code that records one patch marker for all earlier patches (job-patches-2026-12):
 * a single image (its usage line written by the local step), a per-image job with webhook and upload,
 * and a traced job that waited for an admission slot and gave it back by a local activity.
 */
const PATCHES_FIXTURES = {
  single: new URL('job-patches-single-image.json', FIXTURES),
  perImage: new URL('job-patches-per-image.json', FIXTURES),
  tracedQueued: new URL('traced-queued-job-patches.json', FIXTURES),
};

let h: Harness;
let receiver: Receiver;
const finished: StartedJob[] = [];
/** A credential in a webhook URL's path and query: Temporal's clear-text failure fields must not show it. */
const URL_TOKEN = 'whk7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0';
let leaky: StartedJob;

beforeAll(async () => {
  h = await Harness.create('history');
  receiver = await new Receiver().start();
  await h.startWorkers();
  const single = await h.start(h.input(await h.task()));
  const succeeded = await h.start(
    h.input(
      await h.task({
        numberResults: 2,
        outputType: 'base64Data',
        webhookURL: receiver.url('/hook'),
        uploadEndpoint: receiver.url('/upload'),
      }),
    ),
  );
  const failing = h.input(await h.task());
  await h.emulator.addFaults([
    {
      match: { taskType: 'photoMaker', taskUUID: failing.runwareTaskUUID },
      fault: { kind: 'error', status: 402, code: 'insufficientCredits' },
    },
  ]);
  const failed = await h.start(failing);
  const retried = h.input(await h.task({ numberResults: 2 }));
  // Image 0's task fails: a new task (the per-image run's follow-up) makes it again.
  await h.emulator.addFaults([
    {
      match: { taskType: 'photoMaker', taskUUID: h.imageTaskUUIDs(retried)[0] },
      fault: { kind: 'generationError', images: [0] },
    },
  ]);
  const followUp = await h.start(retried);
  const stuck = h.input(await h.task({ numberResults: 2 }));
  await h.stuck(stuck);
  const cancelled = await h.start(stuck);
  await h.waitForEvent(stuck.jobId, (event) => event.stage === 'submitted');
  await cancelled.handle.cancel();
  // A deadline (cancelAt) that passes while Runware is still working: the job's own timer ends it.
  const late = h.input(await h.task({ numberResults: 2 }));
  await h.stuck(late);
  const timedOut = await h.start({ ...late, cancelAt: new Date(Date.now() + 2_000).toISOString() });
  // 410 Gone: a permanent delivery failure, so the job ends failed quoting the delivery's error.
  receiver.respond = (request) => (request.path.startsWith('/gone') ? 410 : 200);
  leaky = await h.start(
    h.input(await h.task({ webhookURL: receiver.url(`/gone/${URL_TOKEN}?token=${URL_TOKEN}`) })),
  );
  // Started as the API starts jobs when it traces: Temporal's client interceptor puts the trace header
  // on the start, so the workflow runs Temporal's tracing interceptors (spans, SDK flags).
  const tracing = new Client({
    connection: h.client.connection,
    dataConverter: createDataConverter(h.keys),
    interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
  });
  const traced = await h.start(
    h.input(await h.task({ numberResults: 2, webhookURL: receiver.url('/traced-hook') })),
    h.taskQueue,
    tracing,
  );
  // Traced and queued: its admission slot wait is a span of the workflow (no command), per-image tasks.
  const tracedQueued = await h.start(
    {
      ...h.input(await h.task({ numberResults: 2 })),
      admission: { priority: 'NORMAL', weight: 1, maxRunningJobs: 4 },
    },
    h.taskQueue,
    tracing,
  );
  // Its references checked (WARN), every image scored, job events to its webhook: all patches at once.
  const face = await h.blobs.put(new Uint8Array(await sampleFace('left')), 'image/jpeg');
  const scoredTask = await h.task({
    numberResults: 2,
    width: 512,
    height: 512,
    inputImages: [{ kind: 'blob', blob: face }],
    webhookURL: receiver.url('/scored-hook'),
  });
  const scored = await h.start(
    h.input(scoredTask, {
      referenceCheck: 'WARN',
      minLikeness: 0.5,
      webhookEvents: ['STARTED', 'IMAGE', 'COMPLETED'],
    }),
  );
  // regenerateBelow: every image off-likeness, so it makes its one extra image and scores it (issue #17).
  const regenerated = await h.start(
    h.input(
      await h.task({
        numberResults: 2,
        width: 512,
        height: 512,
        inputImages: [{ kind: 'blob', blob: face }],
        positivePrompt: 'a portrait, offlikeness',
      }),
      { minLikeness: 0.5, regenerateBelow: 1 },
    ),
  );
  finished.push(
    single,
    succeeded,
    failed,
    followUp,
    cancelled,
    timedOut,
    traced,
    tracedQueued,
    scored,
    regenerated,
  );
  await Promise.allSettled([...finished, leaky].map((job) => job.handle.result()));
  if (process.env.PHOTOMAKER_RECORD_HISTORY === '1') {
    // Re-record the committed fixtures (after an intentional, versioned workflow change; keep the old
    // ones next to them under a new name: running jobs still have those histories). Then format them
    // (`biome check --write test/fixtures`): lint checks their layout.
    writeFileSync(FIXTURE, `${historyToJSON(await succeeded.handle.fetchHistory())}\n`);
    writeFileSync(LOCAL_STEP_FIXTURE, `${historyToJSON(await single.handle.fetchHistory())}\n`);
  }
  if (process.env.PHOTOMAKER_RECORD_TRACED_HISTORY === '1') {
    writeFileSync(TRACED_FIXTURE, `${historyToJSON(await traced.handle.fetchHistory())}\n`);
  }
  if (process.env.PHOTOMAKER_RECORD_SCORED_HISTORY === '1') {
    writeFileSync(SCORED_FIXTURE, `${historyToJSON(await scored.handle.fetchHistory())}\n`);
  }
  if (process.env.PHOTOMAKER_RECORD_PATCHES_HISTORY === '1') {
    writeFileSync(PATCHES_FIXTURES.single, `${historyToJSON(await single.handle.fetchHistory())}\n`);
    writeFileSync(PATCHES_FIXTURES.perImage, `${historyToJSON(await succeeded.handle.fetchHistory())}\n`);
    writeFileSync(
      PATCHES_FIXTURES.tracedQueued,
      `${historyToJSON(await tracedQueued.handle.fetchHistory())}\n`,
    );
  }
  if (process.env.PHOTOMAKER_RECORD_REGENERATED_HISTORY === '1') {
    writeFileSync(REGENERATED_FIXTURE, `${historyToJSON(await regenerated.handle.fetchHistory())}\n`);
  }
}, 60_000);

afterAll(async () => {
  await h?.close();
  await receiver?.stop();
});

describe('determinism', () => {
  it('replays the histories of finished jobs (single image, succeeded, failed, follow-up run, cancelled, deadline, traced, traced and queued, face-checked and scored, regenerated)', async () => {
    const histories = await Promise.all(
      finished.map(async (job) => ({
        workflowId: job.handle.workflowId,
        history: await job.handle.fetchHistory(),
      })),
    );
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: h.dataConverter },
      histories,
    )) {
      results.push(result);
    }
    expect(results).toHaveLength(10);
    // The queued one really waited for its slot: granted by signal, given back by its local activity.
    const queued = (await finished[7]?.handle.fetchHistory())?.events ?? [];
    expect(queued.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toContain(
      'slotGranted',
    );
    const localActivities = queued.flatMap((e) => {
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName !== 'core_local_activity') return [];
      const payload = marker.details?.data?.payloads?.[0]?.data;
      return [JSON.parse(Buffer.from(payload ?? []).toString('utf8') || '{}').activity_type];
    });
    expect(localActivities).toContain('releaseAdmissionSlot');
    // The deadline's job completed (nobody cancelled the workflow) with its state CANCELLED.
    await expect(finished[5]?.handle.result()).resolves.toMatchObject({ status: 'CANCELLED' });
    for (const result of results) expect(result.error).toBeUndefined();
    // The scored job ran its face steps: a check, then one score per image, on the vision queue.
    const scoredEvents = (await finished[8]?.handle.fetchHistory())?.events ?? [];
    const activities = scoredEvents.flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    expect(activities.filter((name) => name === 'checkReferences')).toHaveLength(1);
    expect(activities.filter((name) => name === 'scoreLikeness')).toHaveLength(2);
    // The regenerated job: its images, then one extra image's run, each scored.
    const regenerated = (await finished[9]?.handle.fetchHistory())?.events ?? [];
    const regeneratedSteps = regenerated.flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    expect(regeneratedSteps.filter((name) => name === 'collectImages')).toHaveLength(2);
    expect(regeneratedSteps.filter((name) => name === 'scoreLikeness')).toHaveLength(3);
    await expect(finished[9]?.handle.result()).resolves.toMatchObject({ images: { length: 3 } });
  });

  it('replays the committed history fixtures: workflow changes must stay compatible with running jobs', async () => {
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual([
      // One patch marker (job-patches-2026-12) for every earlier patch: PATCHES_FIXTURES.
      'job-patches-per-image.json',
      'job-patches-single-image.json',
      'photomaker-job-history.json',
      'photomaker-job-per-image.json',
      // A per-image job with usage-record and webhook-events (STARTED, IMAGE, COMPLETED to its webhookURL).
      'photomaker-job-usage-events.json',
      // referenceCheck WARN + minLikeness: the reference-check and likeness-score patches (issue #17).
      'reference-check-scored.json',
      // minLikeness + regenerateBelow: one extra image made and scored (regenerate-below patch).
      'regenerate-below.json',
      'single-image-local-step.json',
      'single-image-v1.json',
      'single-image-webhook-v1.json',
      'traced-queued-job-patches.json',
      'traced-webhook.json',
    ]);
    for (const name of files) {
      const history = historyFromJSON(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')));
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: h.dataConverter },
        history,
        `photomaker-fixture-${name}`,
      );
      expect(history.events?.length).toBeGreaterThan(8);
      // Only the traced job's start carries the trace header its tracing interceptors act on.
      const header = history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields;
      expect([name, header?.['_tracer-data'] !== undefined]).toEqual([name, name.startsWith('traced')]);
    }
  });
});

interface FoundPayload {
  path: string;
  payload: Payload;
}

/** Every Payload in a history message, with where it sits (search attributes excepted: never encrypted). */
function payloadsOf(node: unknown, out: FoundPayload[] = [], path = ''): FoundPayload[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  if (/searchAttributes$|upsertWorkflowSearchAttributesEventAttributes$/.test(path)) return out;
  const record = node as Record<string, unknown>;
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object' && metadata.encoding instanceof Uint8Array) {
    out.push({ path, payload: record as Payload });
    return out;
  }
  for (const [child, value] of Object.entries(record)) {
    if (Array.isArray(value)) for (const item of value) payloadsOf(item, out, `${path}.${child}[]`);
    else payloadsOf(value, out, `${path}.${child}`);
  }
  return out;
}

/**
 * Markers keep Core's own bookkeeping in clear: local activities (activity id, type, attempt, time) and
 * patches (the patch id).
 */
const CORE_MARKER_DATA = /markerRecordedEventAttributes\.details\.(data|patch-data)\.payloads\[\]$/;

/** Temporal's tracing interceptors' header (W3C trace context) on starts and scheduled activities. */
const TRACE_HEADER = /header\.fields\._tracer-data$/;

async function rawHistory(handle: WorkflowHandle) {
  const response = await h.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: handle.workflowId },
  });
  return response.history;
}

/**
 * Every payload of ours is encrypted on the server: the key id is visible, the content is not. Core's
 * markers and the trace header (which skips the codec, and is W3C trace context only) stay in clear.
 */
function expectEncrypted(found: FoundPayload[]): void {
  for (const { path, payload } of found) {
    if (CORE_MARKER_DATA.test(path)) continue;
    if (TRACE_HEADER.test(path)) {
      const context = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8')) as object;
      for (const key of Object.keys(context)) expect(['traceparent', 'tracestate']).toContain(key);
      continue;
    }
    expect([path, Buffer.from(payload.metadata?.encoding ?? []).toString()]).toEqual([
      path,
      ENCRYPTED_ENCODING,
    ]);
  }
}

const IMAGE_DATA = [/data:image\//i, /iVBORw0KGgo/, /\/9j\/4/, /UklGR/, /[A-Za-z0-9+/]{200,}/];

describe('history scan', () => {
  it('no Runware key and no image bytes in any event, raw or decoded through the codec', async () => {
    const codec = new AesGcmPayloadCodec(h.keys);
    for (const job of finished) {
      const history = await rawHistory(job.handle);
      const found = payloadsOf(history);
      expect(found.length).toBeGreaterThan(5);
      const rawText = historyToJSON(history as never);
      expect(rawText).not.toContain(RUNWARE_KEY);
      expectEncrypted(found);
      const decoded = await codec.decode(found.map(({ payload }) => payload));
      const text = decoded.map((payload) => Buffer.from(payload.data ?? []).toString('utf8')).join('\n');
      expect(text).toContain(job.input.jobId);
      expect(text).not.toContain(RUNWARE_KEY);
      for (const pattern of IMAGE_DATA) expect(text).not.toMatch(pattern);
    }
    // The deliveries did carry image bytes (base64Data webhook, PUT): they came from the blob store.
    expect(receiver.received('POST', '/hook')[0]?.body.toString()).toMatch(/"imageBase64Data":"iVBORw0KGgo/);
    expect(receiver.received('PUT', '/upload')).toHaveLength(2);
  });

  it('failure messages and stack traces (clear text in history and describe) hold no URL path, token or file path', async () => {
    await expect(leaky.handle.result()).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/webhook POST to webhookURL failed/) },
    });
    for (const job of [...finished, leaky]) {
      const rawText = historyToJSON((await rawHistory(job.handle)) as never);
      const described = JSON.stringify(await job.handle.describe(), (_key, value) =>
        typeof value === 'bigint' ? String(value) : value,
      );
      for (const text of [rawText, described]) {
        expect(text).not.toContain(URL_TOKEN);
        expect(text).not.toContain(process.cwd());
        expect(text).not.toMatch(/"stackTrace":"[^"]/);
      }
    }
    // The failure still says what failed and where: the receiver's origin, its answer.
    const rawText = historyToJSON((await rawHistory(leaky.handle)) as never);
    expect(rawText).toMatch(/webhook to http:\/\/127\.0\.0\.1:\d+ answered HTTP 410/);
  });
});
