import { setTimeout as sleep } from 'node:timers/promises';
import { CancelRequests } from '@photomaker/events';
import { recordFailure, withSpan } from '@photomaker/observability';
import { RunwareClientError, RunwareTransportError, type SubmitResult } from '@photomaker/runware';
import type { JobTask, PhotoMakerResult } from '@photomaker/schema';
import { CancelledFailure } from '@temporalio/common';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';
import { runOnSocket } from './per-image-pushed.ts';
import { imageIndexOf, imageRun, MAX_IMAGE_FOLLOW_UPS } from './per-image-tasks.ts';
import type { EnsuredReferences } from './references.ts';
import { generationFailures, isStaleReference, type RunwareStep, wireTask } from './runware-step.ts';
import type { CollectImagesResult, GenerationFailure, RunwareRun } from './types.ts';

/** Sends of one image task before the activity's own retry takes over (transient refusals only). */
const SUBMIT_ATTEMPTS = 4;

/** One task of one image: which image, and which of its tasks (0, then follow-ups after failures). */
interface Slot {
  index: number;
  followUp: number;
}

type Outcome =
  | { slot: Slot; kind: 'done' }
  | { slot: Slot; kind: 'failed'; failure: GenerationFailure }
  | { slot: Slot; kind: 'error'; error: unknown };

/** What Runware knows of one image task, found by getTaskDetails. */
type Probe = 'free' | 'running' | 'done' | { failed: GenerationFailure };

/** The activity was cancelled by the workflow (a job cancel or its deadline), not shut down or timed out. */
export function isJobCancel(reason: unknown): boolean {
  return reason instanceof CancelledFailure && reason.message === 'CANCELLED';
}

/**
 * A multi-image job as one Runware task per image (numberResults 1, seed + i, taskUUIDs derived from the
 * job's), at most `tasksInFlightPerJob` in flight, the next sent when one ends. Tasks are sent one at a
 * time in image order, so the tasks Runware holds are always a prefix of the images: after a crash,
 * getTaskDetails walks that prefix and picks every task up instead of sending it again. A cancel stops
 * the sends; the tasks already sent are still collected (they are paid) and their images kept.
 */
export class PerImageRun {
  private readonly deps: ActivityDeps;
  private readonly step: RunwareStep;
  private readonly run: RunwareRun;
  private readonly task: JobTask;
  private readonly stop: AbortSignal;
  private readonly drain: AbortSignal;
  private readonly beat: () => void;
  private references: EnsuredReferences | undefined;
  private storing: Promise<void> = Promise.resolve();
  private readonly inFlight = new Map<number, Promise<Outcome>>();
  private readonly queue: Slot[] = [];
  private failure: GenerationFailure | undefined;
  private readonly cancels: CancelRequests;
  private readonly cancelAt: number;
  /** Image tasks in flight at most: the worker's window, within the job's admission weight. */
  private readonly window: number;
  /** A cancel request Temporal never confirmed within the drain time: sending goes on. */
  private cancelIgnored = false;
  /** Ends what is still waiting (on the socket) once collect() returns or throws. */
  private readonly ended = new AbortController();

  constructor(options: {
    deps: ActivityDeps;
    step: RunwareStep;
    run: RunwareRun;
    task: JobTask;
    /** The activity's cancellation: no image task is sent after it. */
    stop: AbortSignal;
    /** Aborts collection: at once on shutdown or timeout, settings.cancelDrainMs after a job cancel. */
    drain: AbortSignal;
    beat: () => void;
    /** The job's deadline: nothing is sent past it. */
    cancelAt?: string | undefined;
    /** The job's admission weight: what it may hold toward the global budget. */
    maxTasksInFlight?: number | undefined;
  }) {
    this.deps = options.deps;
    this.step = options.step;
    this.run = options.run;
    this.task = options.task;
    this.stop = options.stop;
    this.drain = options.drain;
    this.beat = options.beat;
    this.cancels = new CancelRequests(options.deps.redis);
    this.cancelAt = options.cancelAt ? Date.parse(options.cancelAt) : Number.POSITIVE_INFINITY;
    this.window = Math.max(
      1,
      Math.min(
        options.deps.settings.tasksInFlightPerJob,
        options.maxTasksInFlight ?? Number.POSITIVE_INFINITY,
      ),
    );
  }

  /** Every image, or the first failure that a new task cannot fix; a cancel throws its CancelledFailure. */
  async collect(done: ReadonlySet<number>, recover: boolean): Promise<CollectImagesResult> {
    const from = this.run.from ?? 0;
    const pending = Array.from({ length: this.run.numberResults - from }, (_, i) => from + i).filter(
      (index) => !done.has(index),
    );
    try {
      this.references = await this.step.references(this.task);
      if (recover) await this.recover(pending);
      else this.queue.push(...pending.map((index) => ({ index, followUp: 0 })));
      await this.loop();
      await this.storing;
    } finally {
      this.ended.abort(new Error('per-image run ended'));
    }
    if (this.stop.aborted) throw this.stop.reason;
    return this.step.finish(true, this.failure ? [this.failure] : []);
  }

  /** Images done (stored by an earlier attempt), by their seeds. */
  static doneImages(run: RunwareRun, seeds: Iterable<string>): Set<number> {
    const done = new Set<number>();
    for (const seed of seeds) {
      const index = imageIndexOf(run, { seed });
      if (index !== undefined) done.add(index);
    }
    return done;
  }

  private async loop(): Promise<void> {
    const window = this.window;
    for (;;) {
      while (
        !this.failure &&
        this.queue.length > 0 &&
        this.inFlight.size < window &&
        !(await this.halted())
      ) {
        await this.launch(this.queue.shift() as Slot);
      }
      if (this.inFlight.size === 0) {
        // Halted by a cancel request or the deadline: Temporal's cancel follows with a heartbeat.
        if (this.failure || this.queue.length === 0 || this.stop.aborted) return;
        await this.awaitCancel();
        continue;
      }
      const outcome = await Promise.race(this.inFlight.values());
      this.inFlight.delete(outcome.slot.index);
      this.settle(outcome);
    }
  }

  /**
   * No more sends: the activity is cancelled, the job's deadline passed, or the API recorded a cancel
   * request (Temporal brings the cancel itself only with a heartbeat, seconds later).
   */
  private async halted(): Promise<boolean> {
    if (this.stop.aborted) return true;
    if (this.cancelIgnored) return false;
    if (Date.now() >= this.cancelAt) return true;
    return this.cancels.requested(this.step.jobId).catch(() => false);
  }

  /** Waits for Temporal's cancel after a halt; without one within the drain time, sending resumes. */
  private async awaitCancel(): Promise<void> {
    const drainMs = this.deps.settings.cancelDrainMs;
    await sleep(drainMs, undefined, { signal: this.stop }).catch(() => undefined);
    if (!this.stop.aborted) {
      this.deps.logger.warn(
        { jobId: this.step.jobId },
        'a cancel request or deadline was not followed by a cancel; sending the remaining images',
      );
      this.cancelIgnored = true;
    }
  }

  private settle(outcome: Outcome): void {
    if (outcome.kind === 'error') {
      // A cancelled job loses what it can no longer collect; anything else fails the attempt (retried).
      if (this.stop.aborted) return;
      throw outcome.error;
    }
    if (outcome.kind !== 'failed') return;
    const { slot, failure } = outcome;
    if (failure.retryable && slot.followUp < MAX_IMAGE_FOLLOW_UPS) {
      this.deps.logger.warn(
        { jobId: this.step.jobId, index: slot.index, code: failure.code },
        'an image generation failed; a new Runware task makes it again',
      );
      this.queue.unshift({ index: slot.index, followUp: slot.followUp + 1 });
    } else {
      this.failure ??= failure;
    }
  }

  /**
   * Sends one image task and watches it, as one `runware image task` span of a traced job (its send and
   * polls inside it) that ends with the image or its failure; resolves once sent, so the next may go.
   */
  private launch(slot: Slot): Promise<void> {
    const { taskUUID } = imageRun(this.run, slot.index, slot.followUp);
    const attributes = {
      'photomaker.image.index': slot.index,
      'photomaker.image.follow_up': slot.followUp,
      'runware.task_uuid': taskUUID,
    };
    return new Promise<void>((sent, failed) => {
      const span = { attributes, inTraceOnly: true };
      withSpan('photomaker-worker', 'runware image task', span, async (active) => {
        const started = await this.start(slot);
        sent();
        if (!started) return;
        const outcome = await started.outcome;
        active.setAttribute('photomaker.image.outcome', outcome.kind);
        if (outcome.kind === 'failed') {
          active.setAttribute('runware.error_code', outcome.failure.code);
          recordFailure(active, new Error(outcome.failure.code));
        }
        if (outcome.kind === 'error') recordFailure(active, outcome.error);
      }).catch(failed);
    });
  }

  /** One image task as Runware gets it (over REST or the socket): output URLs, cost asked for by default. */
  private wire(run: RunwareRun): ReturnType<typeof wireTask> {
    const includeCost = this.deps.settings.includeCost !== false;
    return wireTask(this.task, run, this.refs().imageUUIDs, { outputType: 'URL', includeCost });
  }

  /** Sends one image task; false when nothing needs watching (its result or its failure is in). */
  private async send(slot: Slot): Promise<boolean> {
    const run = imageRun(this.run, slot.index, slot.followUp);
    for (let attempt = 1; ; attempt++) {
      const wire = this.wire(run);
      let ack: SubmitResult;
      try {
        ack = await timeRunware(this.deps.metrics, 'photoMaker', () =>
          this.deps.runware.submit(wire, { signal: this.drain, retry: false }),
        );
      } catch (error) {
        const next = await this.afterFailedSend(slot, error, attempt);
        if (next === 'again') continue;
        return next === 'watch';
      }
      this.accepted();
      if (ack.results.length > 0) await this.store(ack.results);
      return true;
    }
  }

  /** What a failed send leaves: a task Runware holds anyway, one to send again, or the error thrown. */
  private async afterFailedSend(
    slot: Slot,
    error: unknown,
    attempt: number,
  ): Promise<'watch' | 'settled' | 'again'> {
    const found = await this.foundAfterNoAnswer(slot, error);
    if (found !== undefined) return found ? 'watch' : 'settled';
    if (isStaleReference(error) && this.refs().cachedKeys.length > 0) {
      // Refused tasks leave no trace: the same taskUUID goes again with fresh uploads.
      this.references = await this.step.refreshReferences(this.task, this.refs());
      return 'again';
    }
    if (!(error instanceof RunwareClientError) || !error.retryable || attempt >= SUBMIT_ATTEMPTS) throw error;
    await sleep(Math.max(error.retryAfterMs ?? 0, 250 * 2 ** attempt), undefined, { signal: this.drain });
    return 'again';
  }

  /**
   * A send that got no answer may still have reached Runware: getTaskDetails says whether it did.
   * Undefined when it did not (send again); otherwise whether the task needs watching.
   */
  private async foundAfterNoAnswer(slot: Slot, error: unknown): Promise<boolean | undefined> {
    if (!(error instanceof RunwareTransportError)) return undefined;
    const probe = await this.probe(slot);
    if (probe === 'free') return undefined;
    this.accepted();
    if (typeof probe === 'object') this.settle({ slot, kind: 'failed', failure: probe.failed });
    return probe === 'running';
  }

  private accepted(): void {
    this.step.accepted = true;
    this.step.announceSubmitted();
    this.beat();
  }

  /**
   * After a crash: which image tasks Runware holds. Image tasks go out one at a time in order, so the
   * first image whose first task Runware does not know ends the walk: nothing after it was sent.
   */
  private async recover(pending: readonly number[]): Promise<void> {
    let walking = true;
    for (const index of pending) {
      if (walking) walking = await this.recoverImage(index);
      else this.queue.push({ index, followUp: 0 });
    }
  }

  /** Walks one image's tasks (first, then follow-ups); false when Runware never got its first task. */
  private async recoverImage(index: number): Promise<boolean> {
    for (let followUp = 0; ; followUp++) {
      const slot = { index, followUp };
      const probe = await this.probe(slot);
      if (probe === 'free') {
        this.queue.push(slot);
        return followUp > 0;
      }
      this.accepted();
      if (probe === 'running') void this.watch(slot);
      if (typeof probe !== 'object') return true;
      if (!probe.failed.retryable || followUp >= MAX_IMAGE_FOLLOW_UPS) {
        this.failure ??= probe.failed;
        return true;
      }
    }
  }

  /** getTaskDetails of one image task; a finished image found there is stored at once. */
  private async probe(slot: Slot): Promise<Probe> {
    const { taskUUID } = imageRun(this.run, slot.index, slot.followUp);
    const details = await timeRunware(this.deps.metrics, 'getTaskDetails', () =>
      this.deps.runware.getTaskDetails(taskUUID, { signal: this.drain }),
    );
    if (!details) return 'free';
    const results = details.items.flatMap((item) =>
      item.status === 'success' ? [stripStatus(item) as PhotoMakerResult] : [],
    );
    if (results.length > 0) {
      await this.store(results);
      return 'done';
    }
    if (details.items.some((item) => item.status === 'processing')) return 'running';
    const failure = generationFailures(details.errors)[0];
    return failure ? { failed: failure } : 'running';
  }

  /**
   * Over the socket when it is open (results pushed); otherwise over REST (results polled). Undefined
   * when nothing needs watching (a REST send that settled at once).
   */
  private async start(slot: Slot): Promise<{ outcome: Promise<Outcome> } | undefined> {
    if (this.deps.runwareSocket?.ready()) return { outcome: this.push(slot) };
    return (await this.send(slot)) ? { outcome: this.watch(slot) } : undefined;
  }

  /** Sends one image task over the socket; its image is stored as soon as Runware pushes it. */
  private push(slot: Slot): Promise<Outcome> {
    const outcome = this.pushTask(slot).catch((error: unknown): Outcome => ({ slot, kind: 'error', error }));
    this.inFlight.set(slot.index, outcome);
    return outcome;
  }

  private async pushTask(slot: Slot): Promise<Outcome> {
    const link = this.deps.runwareSocket;
    const run = imageRun(this.run, slot.index, slot.followUp);
    for (;;) {
      const socket = link?.ready();
      if (!link || !socket) return this.pickUp(slot, undefined);
      this.accepted();
      const ended = await runOnSocket({
        socket,
        link,
        wire: this.wire(run),
        signal: AbortSignal.any([this.drain, this.ended.signal]),
        store: (results) => this.store(results),
      });
      this.beat();
      if (ended.kind === 'done') return { slot, kind: 'done' };
      if (ended.kind === 'failed') return { slot, kind: 'failed', failure: ended.failure };
      if (ended.kind === 'rest') return this.pickUp(slot, ended.reason);
      this.references = await this.step.refreshReferences(this.task, this.refs());
    }
  }

  /**
   * A task the socket could not see through, over REST: getTaskDetails says whether Runware holds it
   * (then getResponse polls it, or its result is already stored); only a task it never got is sent.
   */
  private async pickUp(slot: Slot, reason: unknown): Promise<Outcome> {
    const { taskUUID } = imageRun(this.run, slot.index, slot.followUp);
    if (reason !== undefined) {
      const code = (reason as { code?: unknown }).code;
      this.deps.logger.warn(
        { jobId: this.step.jobId, index: slot.index, code: typeof code === 'string' ? code : undefined },
        'an image task left the Runware WebSocket: picking it up over REST',
      );
    }
    const probe = await this.probe(slot);
    if (probe === 'running') return this.watchTask(taskUUID, slot);
    if (probe === 'done') return { slot, kind: 'done' };
    if (typeof probe === 'object') return { slot, kind: 'failed', failure: probe.failed };
    // Runware never got it. send() settles what it finds itself, so `false` leaves nothing to report.
    return (await this.send(slot)) ? this.watchTask(taskUUID, slot) : { slot, kind: 'done' };
  }

  /** Polls one image task (getResponse) until its image is stored or its generation failed. */
  private watch(slot: Slot): Promise<Outcome> {
    const { taskUUID } = imageRun(this.run, slot.index, slot.followUp);
    const outcome = this.watchTask(taskUUID, slot).catch(
      (error: unknown): Outcome => ({ slot, kind: 'error', error }),
    );
    this.inFlight.set(slot.index, outcome);
    return outcome;
  }

  private async watchTask(taskUUID: string, slot: Slot): Promise<Outcome> {
    const { initialMs, factor, maxMs } = this.deps.settings.poll;
    const batches = this.deps.runware.watchResults(taskUUID, {
      numberResults: 1,
      known: this.step.known,
      firstDelayMs: initialMs,
      poll: { initialDelayMs: initialMs, factor, maxDelayMs: maxMs },
      signal: this.drain,
      onPollFailure: this.beat,
      wrapPoll: (poll) => timeRunware(this.deps.metrics, 'getResponse', poll),
    });
    for await (const batch of batches) {
      this.beat();
      if (batch.fresh.length > 0) await this.store(batch.fresh);
      if (!batch.done) continue;
      if (batch.results.length > 0) return { slot, kind: 'done' };
      const failure = generationFailures(batch.errors)[0] ?? {
        code: 'incompleteResults',
        message: `Runware ended task ${taskUUID} without its image and without an error`,
        retryable: true,
      };
      return { slot, kind: 'failed', failure };
    }
    throw new Error(`getResponse stopped before task ${taskUUID} ended`);
  }

  /** Stores (and announces) images one batch at a time, so their indexes follow arrival order. */
  private store(results: readonly PhotoMakerResult[]): Promise<void> {
    const stored = this.storing.then(() => this.step.store(results));
    this.storing = stored.catch(() => undefined);
    return stored;
  }

  private refs(): EnsuredReferences {
    if (!this.references) throw new Error('per-image run: references are ensured before any send');
    return this.references;
  }
}

function stripStatus(item: { status: string }): Record<string, unknown> {
  const { status: _status, ...result } = item;
  return result;
}
