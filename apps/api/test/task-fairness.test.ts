import { randomUUID } from 'node:crypto';
import { workflowIdForJob } from '@photomaker/temporal';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, eventually, GENERATE, gql, startApi, temporalClient, tenants, v1 } from './helpers.ts';

// Every job workflow starts with its tenant as Temporal fairness key, on every transport, so the task
// queue's dispatch round-robins across tenants (packages/temporal/src/task-priority.ts). That the server
// honours the key is tools/harness/test/temporal-fairness.test.ts.

const who = tenants('fairA', 'fairB');
let api: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;

beforeAll(async () => {
  api = await startApi(who);
  temporal = await temporalClient();
});
afterAll(async () => {
  await api?.server.close();
  await temporal?.connection.close();
});

const priorityOf = async (workflowId: string) =>
  (await temporal.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.priority;

describe('job workflows carry their tenant as fairness key', () => {
  it('on GraphQL and on /v1, with no priority key (HIGH does not jump other tenants)', async () => {
    const started = await gql<{ generatePhotoMaker: { id: string } }>(api.url, who.fairA.key, GENERATE, {
      input: baseInput({ priority: 'HIGH' }),
    });
    const jobId = started.data?.generatePhotoMaker.id;
    expect(jobId, JSON.stringify(started.errors)).toBeDefined();
    const graphql = await priorityOf(workflowIdForJob(String(jobId)));
    expect(graphql?.fairnessKey).toBe(who.fairA.tenant);
    expect(graphql?.priorityKey ?? 0).toBe(0);

    const v1Task = { taskType: 'photoMaker', taskUUID: randomUUID(), deliveryMethod: 'async' };
    const ack = await v1(api.url, who.fairB.key, [
      { ...v1Task, model: 'civitai:139562@344487', ...baseInput() },
    ]);
    expect(ack.status).toBe(200);
    const listed = await eventually(async () => {
      for await (const execution of temporal.workflow.list({
        query: `WorkflowType='photoMakerJob' AND PhotoMakerTenant='${who.fairB.tenant}'`,
      })) {
        return execution.workflowId;
      }
      return undefined;
    });
    expect((await priorityOf(listed))?.fairnessKey).toBe(who.fairB.tenant);
  });
});
