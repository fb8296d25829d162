import { SEARCH_ATTRIBUTES, WORKFLOW_TYPE, workflowIdForJob } from '@photomaker/temporal';
import { type Client, type WorkflowExecutionDescription, WorkflowNotFoundError } from '@temporalio/client';

/** gRPC INVALID_ARGUMENT: a malformed workflow id, or a visibility query the server does not support. */
export function isInvalidArgument(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 3;
}

/** The workflow of a job if it is one of ours and belongs to `tenant`; another tenant's job is not found. */
export async function describeJob(
  client: Client,
  tenant: string,
  jobId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  const handle = client.workflow.getHandle(workflowIdForJob(jobId));
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    if (isInvalidArgument(error)) return undefined;
    throw error;
  }
  if (description.type !== WORKFLOW_TYPE) return undefined;
  if (description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.tenant) !== tenant) return undefined;
  return description;
}
