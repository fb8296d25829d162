import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { findNeedles, type Needle } from './needles.ts';
import type { AreaScan } from './scan-blobs.ts';

export interface TemporalScan extends AreaScan {
  /** Executions listed by visibility (running and closed). */
  workflows: number;
  /** History events read (`scanned` counts them too). */
  events: number;
  /** Payloads decoded with the codec and searched in clear. */
  payloads: number;
}

const isPayload = (value: unknown): value is Payload =>
  typeof value === 'object' &&
  value !== null &&
  'data' in value &&
  (value as { data?: unknown }).data instanceof Uint8Array &&
  'metadata' in value;

/**
 * Every string, byte array and payload (decoded with the codec, as the Temporal UI's codec server would)
 * inside a history event or a visibility record.
 */
async function searchTree(
  where: string,
  value: unknown,
  needles: readonly Needle[],
  codec: PayloadCodec,
  scan: TemporalScan,
): Promise<void> {
  if (value === null || value === undefined) return;
  if (typeof value === 'string') {
    scan.hits.push(...findNeedles(where, value, needles));
    return;
  }
  if (value instanceof Uint8Array) {
    scan.hits.push(...findNeedles(where, value, needles));
    return;
  }
  if (typeof value !== 'object') return;
  if (isPayload(value)) {
    scan.payloads += 1;
    scan.hits.push(...findNeedles(`${where} (payload, raw)`, value.data ?? new Uint8Array(), needles));
    const [decoded] = await codec.decode([value]).catch(() => [value]);
    scan.hits.push(...findNeedles(`${where} (payload, decoded)`, decoded?.data ?? new Uint8Array(), needles));
  }
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    await searchTree(where, child, needles, codec, scan);
  }
}

async function scanHistory(
  client: Client,
  execution: { workflowId: string; runId?: string },
  needles: readonly Needle[],
  codec: PayloadCodec,
  scan: TemporalScan,
): Promise<void> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService
      .getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution,
        maximumPageSize: 1000,
        ...(nextPageToken ? { nextPageToken } : {}),
      })
      .catch((error: unknown) => {
        // Deleted between the listing and this read: nothing of it is left to search.
        if ((error as { code?: unknown }).code === 5) return undefined;
        throw error;
      });
    if (!page) return;
    for (const event of page.history?.events ?? []) {
      scan.scanned += 1;
      scan.events += 1;
      await searchTree(`history of ${execution.workflowId}`, event, needles, codec, scan);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}

/**
 * Every execution the namespace's visibility lists (its record: memo, search attributes) and its whole
 * history. `workflowIds` are also asked for directly: a deleted execution must answer not found.
 */
export async function scanTemporal(
  client: Client,
  codec: PayloadCodec,
  needles: readonly Needle[],
  options: { workflowIds?: readonly string[] } = {},
): Promise<TemporalScan> {
  const scan: TemporalScan = { scanned: 0, hits: [], workflows: 0, events: 0, payloads: 0 };
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: 1000,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const info of page.executions ?? []) {
      const workflowId = info.execution?.workflowId ?? '';
      scan.workflows += 1;
      await searchTree(`visibility of ${workflowId}`, info, needles, codec, scan);
      await scanHistory(client, { workflowId, runId: info.execution?.runId ?? '' }, needles, codec, scan);
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  for (const workflowId of options.workflowIds ?? []) {
    if (await exists(client, workflowId)) scan.hits.push(`workflow ${workflowId} still exists`);
  }
  return scan;
}

async function exists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflowService.describeWorkflowExecution({
      namespace: client.options.namespace,
      execution: { workflowId },
    });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 5) throw error;
    return false;
  }
}
