import type { Logger } from '@photomaker/observability';
import type { JobState, RunwareError } from '@photomaker/schema';
import { applyJobEvent, isTerminalStatus } from '@photomaker/schema/job';
import type { FollowJob, JobEventItem } from '../../jobs/follow-job.ts';
import { reportedImages } from '../v1/response-images.ts';
import { type Item, jobError, runwareError, type V1Results } from '../v1/results.ts';
import { envelope } from './frames.ts';
import type { SessionTask } from './sessions.ts';

/** Where pushed frames go: resolves true once the frame is written to the socket, false if it is gone. */
export interface PushSink {
  send(text: string): Promise<boolean>;
}

export interface ResultPushDeps {
  follow: Pick<FollowJob, 'follow'>;
  results: Pick<V1Results, 'item'>;
  logger: Logger;
  /** Counts each pushed result (metrics). */
  onPushed?: (count: number) => void;
}

/** How following a task ended: every result written (`settled`), or stopped before (socket gone). */
export type PushEnd = 'settled' | 'stopped';

/**
 * Pushes one sync task's results to a socket as its job produces them: every image the job has when
 * following starts, then each image as its event arrives (one frame per event), and the task's error in
 * Runware's shape if the job fails or is cancelled. The same job core as GraphQL's subscription
 * (FollowJob: snapshot, then the event hub), so an image reaches the socket when its event does.
 */
export class ResultPush {
  private readonly deps: ResultPushDeps;
  private readonly tenant: string;
  private readonly task: SessionTask;
  private readonly sink: PushSink;
  private stream: AsyncIterableIterator<JobEventItem> | undefined;
  private stopped = false;

  constructor(deps: ResultPushDeps, tenant: string, task: SessionTask, sink: PushSink) {
    this.deps = deps;
    this.tenant = tenant;
    this.task = task;
    this.sink = sink;
  }

  /** Stops following (the socket closed); `run` then resolves `stopped`. */
  stop(): void {
    this.stopped = true;
    void this.stream?.return?.();
  }

  async run(): Promise<PushEnd> {
    const { taskUUID, taskType } = this.task;
    const stream = await this.deps.follow.follow(this.tenant, this.task.jobId, { logger: this.deps.logger });
    if (!stream) {
      const message = 'No task with this taskUUID was found for this API key.';
      return this.finish([], [runwareError('taskNotFound', message, { taskType, taskUUID })]);
    }
    this.stream = stream;
    if (this.stopped) {
      await stream.return?.();
      return 'stopped';
    }
    try {
      return await this.pushAll(stream);
    } catch (error) {
      if (this.stopped) return 'stopped';
      this.deps.logger.warn({ err: error, taskUUID }, 'v1 websocket: following a task failed');
      const message = 'Results could not be followed; poll getResponse with this taskUUID.';
      return this.finish([], [runwareError('serviceUnavailable', message, { taskType, taskUUID })]);
    }
  }

  private async pushAll(stream: AsyncIterableIterator<JobEventItem>): Promise<PushEnd> {
    const sent = new Set<number>();
    let state: JobState | undefined;
    for await (const item of stream) {
      state = stateAfter(state, item);
      if (!state) continue;
      const items = await this.freshItems(state, sent);
      if (isTerminalStatus(state.status)) {
        const errors = state.status === 'SUCCEEDED' ? [] : [this.taskError(state)];
        return this.finish(items, errors);
      }
      if (items.length > 0 && !(await this.write(items, []))) return 'stopped';
    }
    return 'stopped';
  }

  /**
   * Items for the images not pushed yet by this follow, marked as pushed: those getResponse reports as
   * done (an image regenerateBelow may still replace waits for the job's end, as a polling client's does).
   */
  private async freshItems(state: JobState, sent: Set<number>): Promise<Item[]> {
    const fresh = reportedImages(state).done.filter((image) => !sent.has(image.index));
    for (const image of fresh) sent.add(image.index);
    const items = await Promise.all(
      fresh.map((image) => this.deps.results.item(state, image, this.task.taskUUID)),
    );
    return items.map((item) => ({ ...item, taskType: this.task.taskType }));
  }

  private taskError(state: JobState): RunwareError {
    return { ...jobError(state, this.task.taskUUID), taskType: this.task.taskType };
  }

  private async finish(items: Item[], errors: RunwareError[]): Promise<PushEnd> {
    if (items.length === 0 && errors.length === 0) return 'settled';
    return (await this.write(items, errors)) ? 'settled' : 'stopped';
  }

  private async write(items: Item[], errors: RunwareError[]): Promise<boolean> {
    if (this.stopped) return false;
    const written = await this.sink.send(envelope(items, errors));
    if (written) this.deps.onPushed?.(items.length + errors.length);
    return written;
  }
}

/** The job's state after one followed item (queue items change nothing the push reads). */
function stateAfter(state: JobState | undefined, item: JobEventItem): JobState | undefined {
  if (item.kind === 'snapshot') return item.state;
  if (item.kind === 'queue') return state;
  return state && applyJobEvent(state, item.event, { allowGaps: true });
}
