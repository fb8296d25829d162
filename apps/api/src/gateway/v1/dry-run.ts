import type { ErrorContext, PhotoMakerJobTask, ReferenceCheckMode, RunwareError } from '@photomaker/schema';
import type { EstimateJob, EstimateRequest } from '../../jobs/estimate-job.ts';
import { jobIdForRunwareTask } from '../../jobs/ids.ts';
import type { ImageIntake } from '../../jobs/image-intake.ts';
import { InvalidInputError } from '../../jobs/input-error.ts';
import type { JobReads } from '../../jobs/job-reads.ts';
import { inputErrors, runwareError, type TaskOutcome } from './results.ts';

export interface V1DryRunDeps {
  estimate: Pick<EstimateJob, 'estimate'>;
  intake: Pick<ImageIntake, 'checkUpload'>;
  reads: Pick<JobReads, 'get'>;
}

/** A dry-run caller: the tenant and its limits (for the configured price), and whether it is still there. */
export interface DryRunCaller {
  tenant: string;
  /** The tenant's reference check when a task sets none (as a submission's). */
  defaultReferenceCheck?: ReferenceCheckMode | undefined;
  limits: EstimateRequest['limits'];
  signal: AbortSignal;
}

/**
 * The tasks of a dry run (`X-Runware-Dry-Run: 1` on REST, `?dryRun=1` on the socket), Runware's way:
 * validated as a submission would be, answered with their price (`cost`, USD for every image) instead
 * of a run. No job starts, nothing is reserved against the tenant's limits (no place in the admission
 * queue, no images, no spend), nothing is stored; the taskUUID stays free for the real submission.
 */
export class V1DryRun {
  private readonly deps: V1DryRunDeps;
  constructor(deps: V1DryRunDeps) {
    this.deps = deps;
  }

  /** A PhotoMaker task of either form: `{taskType, taskUUID, cost}` or the errors a submission would get. */
  async photoMaker(
    task: PhotoMakerJobTask,
    caller: DryRunCaller,
    extras: NonNullable<EstimateRequest['options']> & {
      cancelAfter: unknown;
      priority: unknown;
    },
  ): Promise<TaskOutcome> {
    const { taskType, taskUUID, ...params } = task;
    const context: ErrorContext = { taskType, taskUUID };
    if (await this.deps.reads.get(caller.tenant, jobIdForRunwareTask(caller.tenant, taskUUID))) {
      const message = 'A task with this taskUUID was already accepted; poll getResponse for its results.';
      return failed([runwareError('conflictTaskUUID', message, { ...context, parameter: 'taskUUID' })]);
    }
    const result = await this.deps.estimate.estimate({
      tenant: caller.tenant,
      input: { params },
      cancelAfter: extras.cancelAfter,
      priority: extras.priority,
      options: {
        referenceCheck: extras.referenceCheck,
        defaultReferenceCheck: caller.defaultReferenceCheck,
        minLikeness: extras.minLikeness,
        regenerateBelow: extras.regenerateBelow,
        expiresIn: extras.expiresIn,
      },
      limits: caller.limits,
      signal: caller.signal,
    });
    if (!result.ok) return failed(inputErrors(result.errors, context));
    if (result.costUsd === null) {
      const message =
        'The price of this task is unknown: Runware could not price it and no price per image is configured.';
      return failed([runwareError('serviceUnavailable', message, { taskType, taskUUID })]);
    }
    // Not Runware's: with regenerateBelow, the price of every extra image it allows too (maxCost).
    const maxCost = result.maxImages > result.images ? { maxCost: result.maxCostUsd } : {};
    return { data: [{ taskType, taskUUID, cost: result.costUsd, ...maxCost }], errors: [] };
  }

  /** imageUpload: the image is checked as an upload would be, not stored; uploads are free. */
  async imageUpload(taskUUID: string, image: string): Promise<TaskOutcome> {
    const context = { taskType: 'imageUpload', taskUUID };
    try {
      await this.deps.intake.checkUpload(image);
    } catch (error) {
      if (error instanceof InvalidInputError) return failed(inputErrors(error.errors, context));
      throw error;
    }
    return { data: [{ taskType: 'imageUpload', taskUUID, cost: 0 }], errors: [] };
  }
}

function failed(errors: RunwareError[]): TaskOutcome {
  return { data: [], errors };
}
