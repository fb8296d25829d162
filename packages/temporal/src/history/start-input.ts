import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { arrayFromPayloads, type Payload } from '@temporalio/common';
import type { PhotoMakerJobInput } from '../contract.ts';

/**
 * The input a job's workflow started with, from the first history event. Decoded with the client's own
 * codecs (last codec first, as Temporal applies them) and payload converter: public API only. Node-only
 * (the client), so not in the workflow-safe entry.
 */
export async function startInputOf(
  client: Client,
  description: Pick<WorkflowExecutionDescription, 'workflowId' | 'runId'>,
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
