import type { JobEventLog } from '@photomaker/events';
import { applyJobEvent, closedWorkflowState, initialJobState, type JobState } from '@photomaker/schema';
import { SEARCH_ATTRIBUTES, WORKFLOW_TYPE, workflowIdForJob } from '@photomaker/temporal';
import { startInputOf } from '@photomaker/temporal/history';
import { type Client, type WorkflowExecutionDescription, WorkflowNotFoundError } from '@temporalio/client';

/** gRPC NOT_FOUND / INVALID_ARGUMENT: no such execution (or an id that cannot be one). */
const isNotFound = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof WorkflowNotFoundError || code === 5 || code === 3;
};

/** A job's workflow as Temporal has it: whose it is, whether it still runs, and what it held. */
export interface TemporalJob {
  tenant: string;
  running: boolean;
  description: WorkflowExecutionDescription;
  state: JobState;
}

/** The job's workflow (one of ours), or undefined when Temporal has none (never, or deleted). */
export async function describeJobWorkflow(
  client: Client,
  jobId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowIdForJob(jobId)).describe();
    return description.type === WORKFLOW_TYPE ? description : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * A job from Temporal alone (the sweep has no job records): its start input (first history event,
 * decoded with the client's codecs) folded with its event stream, closed as the workflow closed. Enough
 * to know what the job holds: its reference photos and the outputs it stored.
 */
export async function loadTemporalJob(
  client: Client,
  events: Pick<JobEventLog, 'range'>,
  jobId: string,
): Promise<TemporalJob | undefined> {
  const description = await describeJobWorkflow(client, jobId);
  if (!description) return undefined;
  const tenant = description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.tenant);
  const input = await startInputOf(client, description);
  let state = initialJobState(input);
  for (const event of await events.range(jobId, 0)) state = applyJobEvent(state, event, { allowGaps: true });
  const running = description.status.name === 'RUNNING';
  if (!running) {
    const closedAt = description.closeTime?.toISOString() ?? new Date().toISOString();
    state = closedWorkflowState(state, description.status.name, closedAt);
  }
  return { tenant: tenant ?? input.tenant, running, description, state };
}

/**
 * Deletes a closed job's execution: its history and its visibility record (the server removes both,
 * asynchronously). `absent` when Temporal has none (deleted already, or past the namespace retention).
 */
export async function deleteJobWorkflow(client: Client, jobId: string): Promise<'deleted' | 'absent'> {
  try {
    await client.workflowService.deleteWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId: workflowIdForJob(jobId) },
    });
    return 'deleted';
  } catch (error) {
    if (isNotFound(error)) return 'absent';
    throw error;
  }
}
