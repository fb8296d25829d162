import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@photomaker/observability';
import { addToSeed, type PhotoMakerJobTask, type RunwareError } from '@photomaker/schema';
import type { DeliveryPolicy } from '../delivery/http-delivery.ts';
import { deliver } from '../delivery/http-delivery.ts';
import type { Webhooks } from '../delivery/webhooks.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import type { ImageStore, StoredImage } from '../images/image-store.ts';
import type { Capacity } from '../state/capacity.ts';
import { generationCostNano } from '../state/cost.ts';
import type { Ledger } from '../state/ledger.ts';
import { emit, type GenerationSlot, type TaskRecord } from '../state/task-registry.ts';
import type { UsageBook } from '../state/usage-book.ts';
import { nsfwVerdict } from './nsfw.ts';
import type { RenderedImage, Renderer } from './renderer.ts';
import type { Semaphore } from './semaphore.ts';
import { slotResult } from './slot-result.ts';

export interface RunnerDeps {
  renderer: Renderer;
  renderSlots: Semaphore;
  images: ImageStore;
  ledger: Ledger;
  usage: UsageBook;
  capacity: Capacity;
  webhooks: Webhooks;
  uploadPolicy: DeliveryPolicy;
  logger: Logger;
  /** Base of image URLs, e.g. http://127.0.0.1:8787. */
  publicUrl: () => string;
  defaultTtlSeconds: number;
}

export interface RunInput {
  record: TaskRecord;
  /** Either form of the task (photoMaker or imageInference): results carry its taskType. */
  task: PhotoMakerJobTask;
  inputs: StoredImage[];
  faults: TaskFaults;
  parallelism: number;
  capacityKey: string;
}

type RenderAttempt =
  | { ok: true; rendered: RenderedImage; flagged: boolean | undefined }
  | { ok: false; code: string; message: string };

/**
 * Runs the generations of an accepted photoMaker task: each waits its share of the latency model,
 * renders with sharp, is charged, stored, PUT to uploadEndpoint and announced (listeners for sync
 * delivery, the webhook). Generations of one task run at most `parallelism` at a time, in index order.
 */
export class GenerationRunner {
  private readonly deps: RunnerDeps;

  constructor(deps: RunnerDeps) {
    this.deps = deps;
  }

  start(input: RunInput): Promise<void> {
    const { record, parallelism } = input;
    let next = 0;
    const worker = async () => {
      while (next < record.slots.length) {
        const slot = record.slots[next++] as GenerationSlot;
        await this.runSlot(input, slot).catch((error: unknown) => {
          this.deps.logger.error({ err: error, taskUUID: record.taskUUID }, 'generation crashed');
        });
      }
    };
    const workers = Array.from({ length: Math.min(parallelism, record.slots.length) }, worker);
    return Promise.all(workers).then(() => {
      record.finishedAt = Date.now();
      if (!record.cancelled) emit(record, { kind: 'done' });
    });
  }

  private async runSlot(input: RunInput, slot: GenerationSlot): Promise<void> {
    try {
      await this.generate(input, slot);
    } finally {
      if (!input.record.cancelled) this.deps.capacity.release(input.capacityKey, 1);
    }
  }

  /** One generation: rendered (or failed), then held until the latency model says it is ready. */
  private async generate(input: RunInput, slot: GenerationSlot): Promise<void> {
    const { record, task } = input;
    const cost = generationCostNano(task);
    const started = Date.now();
    slot.startedAt = started;
    const attempt = await this.render(input, slot);
    // The latency model says when the image is ready; rendering counts towards that time.
    const left = slot.expectedMs - (Date.now() - started);
    if (left > 0) await sleep(left);
    if (record.cancelled) return;
    record.generations += 1;
    if (!attempt.ok) {
      this.deps.ledger.release(cost);
      this.fail(record, slot, attempt.code, attempt.message);
      return;
    }
    record.charges += 1;
    record.costNano += cost;
    this.deps.ledger.charge(cost);
    this.deps.usage.charge(task.model, record.keyIndex, cost);
    await this.publish(input, slot, attempt.rendered, attempt.flagged, cost);
  }

  /** The image, or the failure a generationError fault or a render error stands for. */
  private async render(input: RunInput, slot: GenerationSlot): Promise<RenderAttempt> {
    const { record, task } = input;
    const injected = input.faults.generationError;
    if (injected && (!injected.images || injected.images.includes(slot.index))) {
      return { ok: false, code: injected.code, message: injected.message };
    }
    const flagged = nsfwVerdict(task.safety, task.positivePrompt);
    try {
      const rendered = await this.deps.renderSlots.run(() =>
        this.deps.renderer.render({
          references: input.inputs.map((image) => ({ hash: image.sha256 ?? image.uuid, bytes: image.bytes })),
          width: task.width,
          height: task.height,
          style: task.style,
          strength: task.strength,
          lora: task.lora ?? [],
          seed: slot.seed,
          positivePrompt: task.positivePrompt,
          outputFormat: task.outputFormat,
          outputQuality: task.outputQuality,
          flagged: flagged === true,
        }),
      );
      return { ok: true, rendered, flagged };
    } catch (error) {
      this.deps.logger.error({ err: error, taskUUID: record.taskUUID }, 'render failed');
      return {
        ok: false,
        code: 'inferenceError',
        message: 'The image could not be generated from these reference images.',
      };
    }
  }

  /** A charged image: stored, PUT to uploadEndpoint when asked, then announced (listeners, webhook). */
  private async publish(
    input: RunInput,
    slot: GenerationSlot,
    rendered: RenderedImage,
    flagged: boolean | undefined,
    cost: number,
  ): Promise<void> {
    const { record, task } = input;
    const ttl = task.outputType === 'URL' && task.ttl !== undefined ? task.ttl : this.deps.defaultTtlSeconds;
    const stored = this.deps.images.put({
      bytes: rendered.bytes,
      mediaType: rendered.mediaType,
      kind: 'output',
      expiresAt: this.deps.images.now() + ttl * 1000,
    });
    if (task.uploadEndpoint && !(await this.upload(record, slot, task.uploadEndpoint, rendered))) return;
    const result = slotResult({
      task,
      image: { uuid: stored.uuid, ext: stored.ext, bytes: rendered.bytes, mediaType: rendered.mediaType },
      inputImageUUIDs: input.inputs.map((image) => image.uuid),
      seed: slot.seed,
      flagged,
      costNano: cost,
      publicUrl: this.deps.publicUrl(),
    });
    slot.result = result;
    slot.status = 'success';
    emit(record, { kind: 'slot', slot });
    if (task.webhookURL) this.deps.webhooks.send(task.webhookURL, { data: [result] }, record, input.faults);
  }

  /** PUTs the image; false when the task was cancelled meanwhile or the upload failed (the slot fails). */
  private async upload(
    record: TaskRecord,
    slot: GenerationSlot,
    url: string,
    rendered: RenderedImage,
  ): Promise<boolean> {
    const outcome = await deliver(
      { method: 'PUT', url, body: rendered.bytes, contentType: rendered.mediaType },
      this.deps.uploadPolicy,
      () => {
        record.upload.attempts += 1;
      },
    );
    if (record.cancelled) return false;
    if (outcome.ok) {
      record.upload.delivered += 1;
      return true;
    }
    record.upload.failed += 1;
    this.fail(
      record,
      slot,
      'uploadFailed',
      `The image could not be uploaded to uploadEndpoint (${outcome.lastError ?? 'failed'} after ${outcome.attempts} attempts).`,
    );
    return false;
  }

  private fail(record: TaskRecord, slot: GenerationSlot, code: string, message: string): void {
    const error: RunwareError = {
      code,
      message,
      taskType: record.taskType,
      taskUUID: record.taskUUID,
      documentation: 'https://runware.ai/docs/platform/errors',
    };
    slot.error = error;
    slot.status = 'error';
    emit(record, { kind: 'slot', slot });
    const url = record.webhookURL;
    if (url) this.deps.webhooks.send(url, { errors: [error] }, record, record.faults);
  }
}

/** The slots of a new task: seeds `seed + i`, expected duration from the latency model. */
export function planSlots(seed: string, numberResults: number, expectedMs: number): GenerationSlot[] {
  return Array.from({ length: numberResults }, (_, index) => ({
    index,
    seed: addToSeed(seed, index),
    status: 'processing' as const,
    expectedMs,
  }));
}
