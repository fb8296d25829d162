import { RunwareClientError } from '@photomaker/runware';
import type { JobEvent, JobEventData, JobImage, JobStage } from '@photomaker/schema';
import { Context } from '@temporalio/activity';
import {
  createReleaseAdmissionSlot,
  createRequestAdmissionSlot,
  createRequestAdmissionSlotNow,
} from '../../src/activities/admission.ts';
import { currentInput } from '../../src/activities/collect-images.ts';
import type { JobEventDelivery } from '../../src/activities/deliver-job-event.ts';
import { toActivityFailure } from '../../src/activities/failures.ts';
import type { Activities } from '../../src/activities/index.ts';
import type { RecordUsageInput } from '../../src/activities/record-usage.ts';
import { HANDED_OVER } from '../../src/activities/single-image-step.ts';
import type {
  CollectImagesResult,
  DeliveryInput,
  DeliveryResult,
  GenerationFailure,
  SingleImageStepInput,
} from '../../src/activities/types.ts';
import { type EventRange, eventGapFailure } from '../../src/events/protocol.ts';

// Stub activities for workflow tests: typed from createActivities, so the workflow under test calls
// exactly what the real worker registers. Events go to an in-memory stream that keeps the real log's
// rules (duplicates ignored, gaps refused), so the workflow's side of the protocol is exercised.

/** One Runware step as the workflow asked for it. */
export interface StepCall {
  kind: 'local' | 'activity';
  jobId: string;
  taskUUID: string;
  numberResults: number;
  seed: string | undefined;
  accepted: boolean;
  /** One Runware task per image (multi-image jobs of this workflow version). */
  perImage?: boolean;
  /** The task came with the call (a per-image run sends image tasks for as long as it runs). */
  hasTask?: boolean;
  range: EventRange;
  /** Images the job had before this step. */
  knownImages: number;
  endsJob: boolean;
}

/** What a scripted step does; `step` writes its events as a real step would. */
export type StepScript = (call: StepCall, step: FakeStep) => Promise<CollectImagesResult>;

class FakeStep {
  readonly events: JobEvent[] = [];
  private readonly stubs: StubActivities;
  private readonly call: StepCall;

  constructor(stubs: StubActivities, call: StepCall) {
    this.stubs = stubs;
    this.call = call;
    for (const event of stubs.stream(call.jobId))
      if (event.seq >= call.range.firstSeq) this.events.push(event);
    for (const event of call.range.unpublished ?? []) {
      if (event.seq >= this.nextSeq) this.push(event);
    }
  }

  private get nextSeq(): number {
    return this.call.range.firstSeq + this.events.length;
  }

  append<S extends JobStage>(stage: S, data: JobEventData<S>): void {
    this.push({
      jobId: this.call.jobId,
      seq: this.nextSeq,
      at: new Date().toISOString(),
      stage,
      data,
    } as JobEvent);
  }

  /** `count` new images of the run, then the step's answer (the job's end when it is the last step). */
  images(count: number, answer: { done: boolean; failures?: GenerationFailure[] }): CollectImagesResult {
    const made = this.events.filter((event) => event.stage === 'image_ready').length;
    for (let i = 0; i < count; i++) {
      const index = this.call.knownImages + made + i;
      this.append('image_ready', { index, total: this.stubs.total, image: fakeImage(index) });
    }
    const images = this.call.knownImages + made + count;
    if (this.call.endsJob && images >= this.stubs.total)
      this.append('succeeded', { imageCount: images, cost: null });
    return { events: this.events, accepted: true, done: answer.done, failures: answer.failures ?? [] };
  }

  private push(event: JobEvent): void {
    this.stubs.publish(event);
    this.events.push(event);
  }
}

function fakeImage(index: number): JobImage {
  return {
    index,
    imageUUID: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    seed: String(1000 + index),
    width: 128,
    height: 128,
    outputFormat: 'PNG',
    blob: { sha256: 'a'.repeat(64), mediaType: 'image/png', size: 1 },
  };
}

export class StubActivities {
  readonly calls: StepCall[] = [];
  /** Every publishEvents call, as the seqs it carried. */
  readonly publishes: number[][] = [];
  readonly deliveries: DeliveryInput[] = [];
  /** Every job-level webhook event delivered (deliverJobEvent). */
  readonly jobEvents: JobEventDelivery[] = [];
  /** Every recordUsage call (retries included). */
  readonly usages: RecordUsageInput[] = [];
  total = 1;
  private readonly streams = new Map<string, JobEvent[]>();
  /** Scripts of the steps in call order; the last one repeats. */
  readonly steps: StepScript[];
  private readonly deliver: (input: DeliveryInput) => Promise<DeliveryResult>;

  constructor(options: { steps: StepScript[]; deliver?: (input: DeliveryInput) => Promise<DeliveryResult> }) {
    this.steps = [...options.steps];
    this.deliver =
      options.deliver ??
      (async (input) => ({ status: 200, deliveryId: `d-${input.image.index}`, attempt: 1 }));
  }

  stream(jobId: string): JobEvent[] {
    return this.streams.get(jobId) ?? [];
  }

  /** The log's rules: a seq already there is a duplicate (ignored), one past the end is a gap. */
  publish(event: JobEvent): void {
    const stream = this.streams.get(event.jobId) ?? [];
    this.streams.set(event.jobId, stream);
    const last = stream.at(-1)?.seq ?? 0;
    if (event.seq <= last) return;
    if (event.seq !== last + 1) throw eventGapFailure(`gap after ${last}`, last);
    stream.push(event);
  }

  /** Redis lost the job's stream after `seq`. */
  lose(jobId: string, afterSeq: number): void {
    this.streams.set(
      jobId,
      this.stream(jobId).filter((event) => event.seq <= afterSeq),
    );
  }

  private async step(call: StepCall): Promise<CollectImagesResult> {
    this.calls.push(call);
    const script = this.steps.length > 1 ? this.steps.shift() : this.steps[0];
    if (!script) throw new Error('no step script left');
    return script(call, new FakeStep(this, call));
  }

  activities(): Activities {
    return {
      publishEvents: async (events: JobEvent[]) => {
        this.publishes.push(events.map((event) => event.seq));
        for (const event of events) this.publish(event);
      },
      readEvents: async ({ jobId, afterSeq }) => this.stream(jobId).filter((event) => event.seq > afterSeq),
      // The real one: it only talks to Temporal (the test server), starting the real admission workflow.
      requestAdmissionSlot: createRequestAdmissionSlot(),
      // The time-skipping server leaves updates unanswered: the signal path (the dev server tests the update).
      requestAdmissionSlotNow: createRequestAdmissionSlotNow({ settings: { admissionUpdate: false } }),
      releaseAdmissionSlot: createReleaseAdmissionSlot(),
      recordUsage: async (input: RecordUsageInput) => {
        this.usages.push(input);
        return true;
      },
      collectImagesLocally: async (input: SingleImageStepInput) => {
        const { task } = input;
        return this.step({
          kind: 'local',
          jobId: input.jobId,
          taskUUID: input.taskUUID,
          numberResults: task.numberResults,
          seed: task.seed,
          accepted: false,
          range: {
            firstSeq: input.firstSeq,
            ...(input.unpublished ? { unpublished: input.unpublished } : {}),
          },
          knownImages: 0,
          endsJob: true,
        });
      },
      collectImages: async (raw) => {
        const input = currentInput(raw);
        return this.step({
          kind: 'activity',
          jobId: input.jobId,
          taskUUID: input.run.taskUUID,
          numberResults: input.run.numberResults,
          seed: input.run.seed,
          accepted: input.accepted,
          perImage: input.run.perImage === true,
          hasTask: input.task !== undefined,
          range: {
            firstSeq: input.firstSeq,
            ...(input.unpublished ? { unpublished: input.unpublished } : {}),
          },
          knownImages: input.knownImageUUIDs.length,
          endsJob: input.endsJob !== undefined,
        });
      },
      deliverWebhook: async (input: DeliveryInput) => {
        this.deliveries.push(input);
        return this.deliver(input);
      },
      deliverUpload: async (input: DeliveryInput) => {
        this.deliveries.push(input);
        return this.deliver(input);
      },
      // Jobs here run with referenceCheck OFF; the gate is tested on the real stack (reference-check.test.ts).
      checkReferences: async () => {
        throw new Error('stub harness: checkReferences is not scripted');
      },
      checkReferenceImage: async () => {
        throw new Error('stub harness: checkReferenceImage is not scripted');
      },
      scoreLikeness: async () => {
        throw new Error('stub harness: scoreLikeness is not scripted');
      },
      deliverJobEvent: async (input: JobEventDelivery) => {
        this.jobEvents.push(input);
        return { status: 200, deliveryId: `e-${input.event}`, attempt: 1 };
      },
    };
  }
}

/** A step that heartbeats until the workflow cancels it (a run stuck on Runware). */
export const stuckStep: StepScript = async (_call, step) => {
  step.append('submitted', { runwareTaskUUID: 'stuck', numberResults: 1 });
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(100);
  }
};

export { HANDED_OVER };

/** Runware's rate limit as the real activity reports it (Retry-After in details and as nextRetryDelay). */
export const rateLimited = (retryAfterMs: number) =>
  toActivityFailure(
    new RunwareClientError({
      message: 'slow down',
      category: 'rateLimit',
      retryable: true,
      code: 'rateLimited',
      retryAfterMs,
    }),
  );
