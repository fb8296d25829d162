import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@photomaker/observability';
import { addToSeed, type PhotoMakerTask, type RunwareError } from '@photomaker/schema';
import type { DeliveryPolicy } from '../delivery/http-delivery.ts';
import { deliver } from '../delivery/http-delivery.ts';
import type { Webhooks } from '../delivery/webhooks.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import type { ImageStore, StoredImage } from '../images/image-store.ts';
import type { Capacity } from '../state/capacity.ts';
import { generationCostNano, nanoToUsd } from '../state/cost.ts';
import type { Ledger } from '../state/ledger.ts';
import { emit, type GenerationSlot, type TaskRecord } from '../state/task-registry.ts';
import { nsfwVerdict } from './nsfw.ts';
import type { Renderer } from './renderer.ts';
import type { Semaphore } from './semaphore.ts';

export interface RunnerDeps {
  renderer: Renderer;
  renderSlots: Semaphore;
  images: ImageStore;
  ledger: Ledger;
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
  task: PhotoMakerTask;
  inputs: StoredImage[];
  faults: TaskFaults;
  parallelism: number;
  capacityKey: string;
}

function toBase64(bytes: Buffer): string {
  return bytes.toString('base64');
}

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
    const { record, task, faults } = input;
    const cost = generationCostNano(task.width, task.height, task.steps);
    const started = Date.now();
    slot.startedAt = started;
    // The latency model says when the image is ready; rendering counts towards that time.
    const untilReady = async () => {
      const left = slot.expectedMs - (Date.now() - started);
      if (left > 0) await sleep(left);
    };
    try {
      const injected = faults.generationError;
      if (injected && (!injected.images || injected.images.includes(slot.index))) {
        await untilReady();
        if (record.cancelled) return;
        record.generations += 1;
        this.deps.ledger.release(cost);
        this.fail(record, slot, injected.code, injected.message);
        return;
      }
      const flagged = nsfwVerdict(task.safety, task.positivePrompt);
      let rendered: Awaited<ReturnType<Renderer['render']>>;
      try {
        rendered = await this.deps.renderSlots.run(() =>
          this.deps.renderer.render({
            references: input.inputs.map((image) => ({
              hash: image.sha256 ?? image.uuid,
              bytes: image.bytes,
            })),
            width: task.width,
            height: task.height,
            style: task.style,
            strength: task.strength,
            seed: slot.seed,
            positivePrompt: task.positivePrompt,
            outputFormat: task.outputFormat,
            outputQuality: task.outputQuality,
            flagged: flagged === true,
          }),
        );
      } catch (error) {
        this.deps.logger.error({ err: error, taskUUID: record.taskUUID }, 'render failed');
        await untilReady();
        if (record.cancelled) return;
        record.generations += 1;
        this.deps.ledger.release(cost);
        this.fail(
          record,
          slot,
          'inferenceError',
          'The image could not be generated from these reference images.',
        );
        return;
      }
      await untilReady();
      if (record.cancelled) return;
      record.generations += 1;
      record.charges += 1;
      record.costNano += cost;
      this.deps.ledger.charge(cost);
      const ttl =
        task.outputType === 'URL' && task.ttl !== undefined ? task.ttl : this.deps.defaultTtlSeconds;
      const stored = this.deps.images.put({
        bytes: rendered.bytes,
        mediaType: rendered.mediaType,
        kind: 'output',
        expiresAt: this.deps.images.now() + ttl * 1000,
      });
      if (task.uploadEndpoint) {
        const outcome = await deliver(
          { method: 'PUT', url: task.uploadEndpoint, body: rendered.bytes, contentType: rendered.mediaType },
          this.deps.uploadPolicy,
          () => {
            record.upload.attempts += 1;
          },
        );
        if (record.cancelled) return;
        if (outcome.ok) record.upload.delivered += 1;
        else {
          record.upload.failed += 1;
          this.fail(
            record,
            slot,
            'uploadFailed',
            `The image could not be uploaded to uploadEndpoint (${outcome.lastError ?? 'failed'} after ${outcome.attempts} attempts).`,
          );
          return;
        }
      }
      const result: Record<string, unknown> = {
        taskType: 'photoMaker',
        taskUUID: record.taskUUID,
        imageUUID: stored.uuid,
      };
      if (task.outputType === 'URL')
        result.imageURL = `${this.deps.publicUrl()}/images/${stored.uuid}.${stored.ext}`;
      else if (task.outputType === 'base64Data') result.imageBase64Data = toBase64(rendered.bytes);
      else result.imageDataURI = `data:${rendered.mediaType};base64,${toBase64(rendered.bytes)}`;
      result.inputImagesUUID = input.inputs.map((image) => image.uuid);
      result.seed = slot.seed;
      if (flagged !== undefined) result.NSFWContent = flagged;
      if (task.includeCost) result.cost = nanoToUsd(cost);
      slot.result = result;
      slot.status = 'success';
      emit(record, { kind: 'slot', slot });
      if (task.webhookURL) this.deps.webhooks.send(task.webhookURL, { data: [result] }, record, faults);
    } finally {
      if (!record.cancelled) this.deps.capacity.release(input.capacityKey, 1);
    }
  }

  private fail(record: TaskRecord, slot: GenerationSlot, code: string, message: string): void {
    const error: RunwareError = {
      code,
      message,
      taskType: 'photoMaker',
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
