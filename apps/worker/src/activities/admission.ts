import {
  ADMISSION_WORKFLOW_TYPE,
  releaseSlotSignal,
  requestSlotSignal,
  requestSlotUpdate,
  type SlotAnswer,
  type SlotRelease,
  type SlotRequest,
  slotUpdateId,
} from '@photomaker/temporal';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { AdmissionWorkflowInput } from '../workflows/admission/workflow.ts';
import { admissionTaskQueue } from '../workflows/task-queues.ts';
import type { ActivitySettings } from './deps.ts';

/**
 * Asks the admission workflow for a slot, starting it if it does not run (signalWithStart: a workflow
 * cannot start another one with a signal itself), through the worker's client. The admission workflow runs
 * on its own task queue (admissionTaskQueue), polled by every worker of the job's queue.
 */
export function createRequestAdmissionSlot() {
  return async function requestAdmissionSlot(input: { workflowId: string; request: SlotRequest }) {
    const { client, info } = Context.current();
    const args: [AdmissionWorkflowInput] = [{}];
    await client.workflow.signalWithStart(ADMISSION_WORKFLOW_TYPE, {
      workflowId: input.workflowId,
      taskQueue: admissionTaskQueue(info.taskQueue),
      args,
      signal: requestSlotSignal,
      signalArgs: [input.request],
    });
  };
}

/** How long the update may take before the request goes by signal instead. */
const UPDATE_DEADLINE_MS = 3_000;

/**
 * Asks for a slot with an update (requestSlotUpdate): the answer holds the grant when a slot is free now
 * (the job runs on in the same workflow task). When the update cannot be delivered (the admission
 * workflow does not run yet, a worker without the handler polls it, the run is closing), asks with
 * signalWithStart as before and answers queued: the grant then comes as a signal. A request that reached
 * the queue both ways is one request (a repeated request of a running job re-sends its grant).
 */
export function createRequestAdmissionSlotNow(deps: { settings: Pick<ActivitySettings, 'admissionUpdate'> }) {
  const bySignal = createRequestAdmissionSlot();
  return async function requestAdmissionSlotNow(input: {
    workflowId: string;
    request: SlotRequest;
  }): Promise<SlotAnswer> {
    if (deps.settings.admissionUpdate === false) {
      await bySignal(input);
      return {};
    }
    const { client } = Context.current();
    const handle = client.workflow.getHandle(input.workflowId);
    const options = { args: [input.request] as [SlotRequest], updateId: slotUpdateId(input.request.jobId) };
    try {
      // An admission workflow that does not answer soon (its worker busy or gone) must not hold the job's
      // workflow task: the signal asks again, and the queue takes the second request as the same one.
      return await client.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
        handle.executeUpdate(requestSlotUpdate, options),
      );
    } catch {
      await bySignal(input);
      return {};
    }
  };
}

/**
 * Gives a job's slot back: the release signal, sent by the worker's client from inside the job's workflow
 * task (a local activity) rather than as a workflow command, whose delivery the job would wait for in a
 * workflow task of its own (and which the server drops once the job has closed). A repeated release
 * (the step run again after a crash) changes nothing; no admission workflow: nothing to release.
 */
export function createReleaseAdmissionSlot() {
  return async function releaseAdmissionSlot(input: { workflowId: string; release: SlotRelease }) {
    const { client } = Context.current();
    try {
      await client.workflow.getHandle(input.workflowId).signal(releaseSlotSignal, input.release);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      throw error;
    }
  };
}
