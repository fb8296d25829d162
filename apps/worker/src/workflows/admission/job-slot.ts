import {
  admissionWorkflowId,
  type JobAdmission,
  type PhotoMakerJobInput,
  releaseSlotSignal,
  type SlotRequest,
  slotGrantedSignal,
} from '@photomaker/temporal';
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { jobPatched } from '../patches.ts';
import { workflowSpan } from '../tracing-interceptors.ts';

// The job's side of admission (admission-contract.ts): ask the admission workflow for a slot, wait for
// it, give it back when the job ends. Waiting is a workflow condition: durable, costs nothing while queued.

/** Guards the commands admission adds to a job, so histories from before it replay unchanged. */
export const ADMISSION_PATCH = 'admission-queue';
/**
 * A cancel (or the deadline) that comes while the slot request is on its way waits for it, so the
 * release reaches the admission workflow after the request. Before, the cancelled local activity's
 * signal could land after the release (ignored: an unknown job), and the job stayed queued there.
 */
const REQUEST_SETTLES_PATCH = 'admission-request-settles';

/**
 * The slot is asked for with an update (requestAdmissionSlotNow): a free slot comes in the answer, and
 * the job runs on in the same workflow task. Histories from before ask with a signal and wait for the
 * grant signal.
 */
const REQUEST_UPDATE_PATCH = 'admission-request-update';

/**
 * The release is a local activity (the worker's client signals): no workflow task waits for its delivery,
 * so a job whose slot came with the update answer is one workflow task. Histories from before signal
 * with a workflow command.
 */
const RELEASE_LOCAL_PATCH = 'admission-release-local';

const { requestAdmissionSlot, requestAdmissionSlotNow, releaseAdmissionSlot } =
  proxyLocalActivities<Activities>({
    startToCloseTimeout: '10 seconds',
    // Temporal unreachable for a while: keep asking (the job waits for its slot anyway).
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
  });

export class JobSlot {
  private readonly input: PhotoMakerJobInput;
  private readonly admission: JobAdmission;
  private readonly admissionId: string;
  private requested = false;
  /** Workflow time the grant arrived (ms); undefined while queued. */
  private grantedAt: number | undefined;

  constructor(input: PhotoMakerJobInput, admission: JobAdmission) {
    this.input = input;
    this.admission = admission;
    this.admissionId = admissionWorkflowId(workflowInfo().taskQueue);
    setHandler(slotGrantedSignal, () => {
      this.grantedAt ??= Date.now();
    });
  }

  /** Resolves when the job holds a slot; a cancellation (or the job's deadline) rejects it. */
  async acquire(): Promise<void> {
    this.requested = true;
    const { task } = this.input;
    const request: SlotRequest = {
      jobId: this.input.jobId,
      tenant: this.input.tenant,
      priority: this.admission.priority,
      weight: this.admission.weight,
      ...(this.admission.maxRunningJobs !== undefined
        ? { maxRunningJobs: this.admission.maxRunningJobs }
        : {}),
      ...(this.admission.maxInFlight !== undefined ? { maxInFlight: this.admission.maxInFlight } : {}),
      service: {
        model: task.model,
        width: task.width,
        height: task.height,
        numberResults: task.numberResults,
      },
      requestedAt: this.input.createdAt,
    };
    // A traced job's wait in the queue is a span of its trace (the request activity inside it).
    await workflowSpan('admission slot wait', { 'photomaker.priority': request.priority }, async () => {
      const ask = async () => {
        if (!jobPatched(this.input, REQUEST_UPDATE_PATCH)) {
          await requestAdmissionSlot({ workflowId: this.admissionId, request });
          return;
        }
        const answer = await requestAdmissionSlotNow({ workflowId: this.admissionId, request });
        if (answer.grantedAt !== undefined) this.grantedAt ??= Date.now();
      };
      if (jobPatched(this.input, REQUEST_SETTLES_PATCH)) await CancellationScope.nonCancellable(ask);
      else await ask();
      // Already cancelled (it came during the request): rejects at once.
      await condition(() => this.grantedAt !== undefined);
    });
  }

  /**
   * Gives the slot back (or leaves the queue), whatever ended the job; with how long it held the slot, the
   * sample the queue's service-time estimates learn from. Never throws: the admission workflow frees a
   * lost release's slot after its maxHoldMs.
   */
  async release(): Promise<void> {
    if (!this.requested) return;
    const ranMs = this.grantedAt === undefined ? undefined : Date.now() - this.grantedAt;
    const release = { jobId: this.input.jobId, ...(ranMs !== undefined ? { ranMs } : {}) };
    await CancellationScope.nonCancellable(async () => {
      try {
        if (jobPatched(this.input, RELEASE_LOCAL_PATCH))
          await releaseAdmissionSlot({ workflowId: this.admissionId, release });
        else await getExternalWorkflowHandle(this.admissionId).signal(releaseSlotSignal, release);
      } catch {
        log.warn('slot release not delivered; the admission workflow frees it later', {
          jobId: this.input.jobId,
        });
      }
    });
  }
}
