import { verifyBlobPath } from '@photomaker/blobstore';
import { derivedUuid } from '@photomaker/runware';
import {
  addToSeed,
  type JobEvent,
  type JobState,
  jobStateSchema,
  type OutputType,
  parseRunwareJson,
} from '@photomaker/schema';
import type { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, PUBLIC_URL, URL_SECRET, WEBHOOK_SECRETS } from './support/harness.ts';
import { activityRuns } from './support/history.ts';
import { Receiver } from './support/receiver.ts';
import { uploadSignatureOk, verifyWebhook } from './support/verify-delivery.ts';

let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  h = await Harness.create('happy');
  receiver = await new Receiver().start();
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await receiver?.stop();
});

interface WebhookItem {
  taskType: string;
  taskUUID: string;
  imageUUID: string;
  imageURL: string;
  imageBase64Data?: string;
  imageDataURI?: string;
  seed: string;
  cost?: number;
}

/** The image a webhook item carries inline for an outputType (none for URL). */
function inlineImageOf(item: WebhookItem, outputType: OutputType): string | undefined {
  if (outputType === 'base64Data') return item.imageBase64Data;
  if (outputType === 'dataURI') return item.imageDataURI?.replace(/^data:image\/png;base64,/, '');
  return undefined;
}

describe('a PhotoMaker job on the real dev server, Redis and the emulator', () => {
  it.each<OutputType>(['URL', 'base64Data', 'dataURI'])(
    'numberResults 1, outputType %s: images stored, webhook signed, uploadEndpoint PUT, events in order',
    async (outputType) => {
      const path = `/${outputType}`;
      const task = await h.task({
        outputType,
        seed: '42',
        webhookURL: receiver.url(`${path}/hook`),
        uploadEndpoint: receiver.url(`${path}/upload`),
      });
      const job = await h.start(h.input(task));
      const state = await h.result(job);

      expect(state).toMatchObject({ status: 'SUCCEEDED', stage: 'succeeded', error: null, seq: 6 });
      // What the api parses the workflow result with.
      expect(jobStateSchema.safeParse(state).success).toBe(true);
      expect(state.images).toHaveLength(1);
      const [image] = state.images;
      expect(image).toMatchObject({ index: 0, seed: '42', width: 128, height: 128, outputFormat: 'PNG' });
      const bytes = await h.blobs.get(image?.blob.sha256 ?? '');
      expect(bytes).toBeDefined();
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
      expect(state.cost).toBeGreaterThan(0);
      expect(state.timings.totalMs).toBeGreaterThanOrEqual(0);
      expect(state.finishedAt).not.toBeNull();

      const events = await h.eventsOf(job.input.jobId);
      expect(events.map((e) => e.stage)).toEqual([
        'queued',
        'uploading_references',
        'submitted',
        'image_ready',
        'delivering',
        'succeeded',
      ]);
      expect(events.at(-1)?.data).toEqual({ imageCount: 1, cost: state.cost });

      const [hook] = receiver.received('POST', path);
      expect(hook).toBeDefined();
      const raw = hook?.body.toString('utf8') ?? '';
      if (!hook) throw new Error('no webhook received');
      expect(verifyWebhook(WEBHOOK_SECRETS.current(job.input.tenant), hook)).toEqual(JSON.parse(raw));
      expect(() => verifyWebhook(WEBHOOK_SECRETS.current('another-tenant'), hook)).toThrow(
        'No matching signature found',
      );
      expect(hook.headers['webhook-id']).toBe(`whk_${job.input.jobId}_0`);
      const body = parseRunwareJson(raw) as { data: WebhookItem[] };
      expect(body.data).toHaveLength(1);
      const item = body.data[0] as WebhookItem;
      expect(item).toMatchObject({
        taskType: 'photoMaker',
        taskUUID: job.input.runwareTaskUUID,
        imageUUID: image?.imageUUID,
        seed: '42',
      });
      expect(raw).toContain('"seed":42');
      const link = new URL(item.imageURL);
      expect(link.origin).toBe(PUBLIC_URL);
      expect(
        verifyBlobPath(link.pathname, Object.fromEntries(link.searchParams), { secret: URL_SECRET }),
      ).toEqual({ ok: true, sha256: image?.blob.sha256 });
      const inline = inlineImageOf(item, outputType);
      if (outputType === 'URL') expect(item.imageBase64Data ?? item.imageDataURI).toBeUndefined();
      else expect(Buffer.from(inline ?? '', 'base64').equals(Buffer.from(bytes ?? []))).toBe(true);

      const [upload] = receiver.received('PUT', path);
      expect(upload?.headers['content-type']).toBe('image/png');
      expect(upload?.headers['webhook-id']).toBe(`upl_${job.input.jobId}_0`);
      expect(upload?.body.equals(Buffer.from(bytes ?? []))).toBe(true);
      if (!upload) throw new Error('no upload received');
      expect(uploadSignatureOk(WEBHOOK_SECRETS.current(job.input.tenant), upload)).toBe(true);
      expect(uploadSignatureOk(WEBHOOK_SECRETS.current('another-tenant'), upload)).toBe(false);

      const charged = await h.emulator.task(job.input.runwareTaskUUID);
      expect(charged).toMatchObject({ charges: 1, generations: 1, deliveryMethod: 'sync' });
    },
  );

  it('numberResults 20: every image stored once, in order, seeds consecutive, gap-free events', async () => {
    const task = await h.task({ numberResults: 20, seed: '9007199254740993', outputFormat: 'JPG' });
    const job = await h.start(h.input(task));
    const state = await h.result(job);

    expect(state.status).toBe('SUCCEEDED');
    expect(state.images.map((i) => i.index)).toEqual([...Array(20).keys()]);
    expect(new Set(state.images.map((i) => i.imageUUID)).size).toBe(20);
    expect(new Set(state.images.map((i) => i.seed))).toEqual(
      new Set([...Array(20).keys()].map((i) => addToSeed('9007199254740993', i))),
    );
    for (const image of state.images) expect(await h.blobs.has(image.blob.sha256)).toBe(true);

    const events = await h.eventsOf(job.input.jobId);
    const ready = events.filter(
      (e): e is Extract<JobEvent, { stage: 'image_ready' }> => e.stage === 'image_ready',
    );
    expect(ready.map((e) => e.data.index)).toEqual([...Array(20).keys()]);
    expect(ready.every((e) => e.data.total === 20)).toBe(true);
    expect(events.at(-1)?.stage).toBe('succeeded');

    // One Runware task per image, each sent once, charged once, seed + i as numberResults would give.
    const imageTasks = await h.imageTasks(job.input);
    imageTasks.forEach((charged, i) => {
      expect(charged).toMatchObject({ charges: 1, generations: 1, submissions: 1, numberResults: 1 });
      expect(charged?.images[0]?.seed).toBe(addToSeed('9007199254740993', i));
    });
    expect(await h.emulator.task(job.input.runwareTaskUUID)).toBeUndefined();
  });

  it('uploads a reference image once: a second job with the same photo reuses its Runware imageUUID', async () => {
    const task = await h.task();
    const first = await h.start(h.input(task));
    await h.result(first);
    const second = await h.start(h.input(task));
    const state = await h.result(second);
    expect(state.status).toBe('SUCCEEDED');
    const [reference] = task.inputImages;
    const sha = reference?.kind === 'blob' ? reference.blob.sha256 : '';
    const uploadOf = (job: typeof first) =>
      h.emulator.task(derivedUuid(job.input.runwareTaskUUID, `reference:0:${sha}`));
    expect(await uploadOf(first)).toMatchObject({ taskType: 'imageUpload' });
    expect(await uploadOf(second)).toBeUndefined();
    const stages = (await h.eventsOf(second.input.jobId)).map((e) => e.stage);
    expect(stages).toEqual(['queued', 'submitted', 'image_ready', 'succeeded']);
  });

  it('retries a failing webhook durably: same delivery id, a fresh valid signature each time', async () => {
    const statuses = [503, 500, 200];
    receiver.respond = (request) => (request.path.startsWith('/flaky') ? (statuses.shift() ?? 200) : 200);
    const job = await h.start(h.input(await h.task({ webhookURL: receiver.url('/flaky/hook') })));
    expect((await h.result(job)).status).toBe('SUCCEEDED');
    const received = receiver.received('POST', '/flaky');
    const hooks = received.filter((hook) => String(hook.headers['webhook-id']).startsWith('whk_'));
    expect(hooks.map((hook) => hook.status)).toEqual([503, 500, 200]);
    // Then the job's end (the default webhookEvents): one COMPLETED event, signed the same way.
    const ends = received.filter((hook) => hook.headers['webhook-id'] === `whe_${job.input.jobId}_completed`);
    expect(ends).toHaveLength(1);
    expect(JSON.parse(ends[0]?.body.toString('utf8') ?? '{}')).toMatchObject({
      type: 'job.completed',
      data: { jobId: job.input.jobId, status: 'SUCCEEDED' },
    });
    expect(new Set(hooks.map((hook) => hook.headers['webhook-id']))).toEqual(
      new Set([`whk_${job.input.jobId}_0`]),
    );
    for (const hook of hooks)
      expect(verifyWebhook(WEBHOOK_SECRETS.current(job.input.tenant), hook)).toEqual(
        JSON.parse(hook.body.toString('utf8')),
      );
    expect(await activityRuns(job.handle, 'deliverWebhook')).toMatchObject([
      { attempt: 3, outcome: 'completed' },
    ]);
  });

  it('signs each tenant’s deliveries with that tenant’s secret only', async () => {
    const task = await h.task({ webhookURL: receiver.url('/tenant-b/hook') });
    const job = await h.start(h.input(task, { tenant: 'tenant-b' }));
    expect((await h.result(job)).status).toBe('SUCCEEDED');
    const [hook] = receiver.received('POST', '/tenant-b');
    if (!hook) throw new Error('no webhook received');
    expect(verifyWebhook(WEBHOOK_SECRETS.current('tenant-b'), hook)).toEqual(
      JSON.parse(hook.body.toString('utf8')),
    );
    expect(() => verifyWebhook(WEBHOOK_SECRETS.current('tenant-test'), hook)).toThrow(
      'No matching signature found',
    );
  });

  it('fails the job at once when a target is refused (SSRF guard) or gone (410), keeping the images', async () => {
    receiver.respond = (request) => (request.path.startsWith('/gone') ? 410 : 200);
    const [refused, gone] = await Promise.all([
      h.start(h.input(await h.task({ webhookURL: 'http://169.254.169.254/latest/meta-data' }))),
      h.start(h.input(await h.task({ uploadEndpoint: receiver.url('/gone/upload') }))),
    ]);
    for (const [job, code, parameter] of [
      [refused, 'webhookDeliveryFailed', 'webhookURL'],
      [gone, 'uploadDeliveryFailed', 'uploadEndpoint'],
    ] as const) {
      const error = await job.handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      const state = ((error as WorkflowFailedError).cause as ApplicationFailure).details?.[0] as JobState;
      expect(state).toMatchObject({ status: 'FAILED', error: { code, parameter } });
      expect(state.images).toHaveLength(1);
      const runs = await activityRuns(
        job.handle,
        parameter === 'webhookURL' ? 'deliverWebhook' : 'deliverUpload',
      );
      expect(runs).toMatchObject([{ attempt: 1, outcome: 'failed' }]);
    }
    expect(receiver.received('PUT', '/gone')).toHaveLength(1);
  });
});
