import {
  type PhotoMakerJobInput,
  SEARCH_ATTRIBUTES,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { type Client, type WorkflowExecutionDescription, WorkflowNotFoundError } from '@temporalio/client';
import { arrayFromPayloads, type Payload } from '@temporalio/common';

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

/**
 * The input a job's workflow started with, from the first history event. Decoded with the client's own
 * codecs (last codec first, as Temporal applies them) and payload converter: public API only.
 */
export async function startInputOf(
  client: Client,
  description: WorkflowExecutionDescription,
): Promise<PhotoMakerJobInput> {
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: description.workflowId, runId: description.runId },
    maximumPageSize: 1,
  });
  const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
  let payloads: Payload[] = started?.input?.payloads ?? [];
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  const [input] = arrayFromPayloads(payloadConverter, payloads) as [PhotoMakerJobInput];
  return input;
}
