import { ADMISSION_WORKFLOW_TYPE, requestSlotSignal, type SlotRequest } from '@photomaker/temporal';
import { Context } from '@temporalio/activity';
import type { AdmissionWorkflowInput } from '../workflows/admission/workflow.ts';
import { admissionTaskQueue } from '../workflows/task-queues.ts';

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
