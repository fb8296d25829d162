import { randomUUID } from 'node:crypto';
import type { BlobRef } from '@photomaker/schema';
import { jobTaskSchema } from '@photomaker/schema';
import {
  type PhotoMakerJobInput,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdForRunwareTask } from '../src/jobs/ids.ts';
import {
  baseInput,
  collect,
  eventually,
  gql,
  PNG_BASE64,
  setEmulatorLatency,
  startApi,
  tenants,
  v1,
  wsClient,
} from './helpers.ts';

// Queue position and ETA as a client sees them, on the real stack (Temporal with the worker's admission
// workflow, redis-server, the emulator): a tenant limited to one running job, a slow emulator, three jobs.
// The first runs; the others wait with a position and estimates, and a subscriber to the last one gets
// live JobQueued updates as the queue moves.

const who = tenants('queued');
const key = who.queued.key;
let api: Awaited<ReturnType<typeof startApi>>;

const JOB = `query($id: ID!) { job(id: $id) {
  id status priority queuePosition estimatedStartAt estimatedFinishAt startedAt finishedAt } }`;
const EVENTS = `subscription($jobId: ID!) { jobEvents(jobId: $jobId) {
  __typename seq stage status at
  ... on JobSnapshot { job { status queuePosition estimatedStartAt estimatedFinishAt } }
  ... on JobQueued { durable position estimatedStartAt estimatedFinishAt }
} }`;

interface JobView {
  id: string;
  status: string;
  priority: string | null;
  queuePosition: number | null;
  estimatedStartAt: string | null;
  estimatedFinishAt: string | null;
}
interface Item {
  __typename: string;
  seq: number;
  status: string;
  at: string;
  durable?: boolean;
  position?: number | null;
  estimatedStartAt?: string | null;
  estimatedFinishAt?: string | null;
  job?: Omit<JobView, 'id'>;
}

let reference: BlobRef;

/**
 * A job that waits for a slot when its tenant runs one already: started the way the API starts a limited
 * job (its workflow input carries the admission request), on the API's own Temporal client.
 */
async function start(images = 1, jobId: string = randomUUID()): Promise<string> {
  const task = jobTaskSchema.parse({
    inputImages: [{ kind: 'blob', blob: reference }],
    positivePrompt: 'rwre, a portrait',
    model: 'civitai:139562@344487',
    width: 512,
    height: 512,
    steps: 4,
    numberResults: images,
  });
  const input: PhotoMakerJobInput = {
    jobId,
    tenant: who.queued.tenant,
    task,
    runwareTaskUUID: randomUUID(),
    createdAt: new Date().toISOString(),
    admission: { priority: 'NORMAL', weight: images, maxRunningJobs: 1 },
  };
  await api.server.parts.temporal.workflow.start(WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdForJob(jobId),
    args: [input],
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.tenant, value: who.queued.tenant }],
  });
  return jobId;
}

const view = async (id: string) =>
  (await gql<{ job: JobView }>(api.url, key, JOB, { id })).data?.job as JobView;

/**
 * A job that holds the tenant's only slot before the test starts the next: jobs started back to back
 * reach the admission queue in the order their first workflow tasks run, which a loaded machine may swap
 * (the /v1 case below once waited 20 s for a position its job never had: it ran first).
 */
async function startRunning(images: number): Promise<string> {
  const id = await start(images);
  await eventually(async () => (await view(id)).status === 'RUNNING');
  return id;
}

const at = (iso: string | null | undefined) => Date.parse(iso ?? '');

/** At most one live update per second, and only on change. */
function expectRateLimited(live: Item[]): void {
  for (let i = 1; i < live.length; i++) {
    const [previous, item] = [live[i - 1], live[i]];
    expect(at(item?.at) - at(previous?.at)).toBeGreaterThanOrEqual(900);
    expect(item).not.toMatchObject({
      position: previous?.position,
      estimatedStartAt: previous?.estimatedStartAt,
      estimatedFinishAt: previous?.estimatedFinishAt,
    });
  }
}

/** Logged events keep their gap-free seqs; a live update repeats the seq of the last one before it. */
function expectSeqs(items: Item[]): void {
  let last = items[0]?.seq ?? 0;
  for (const item of items.slice(1)) {
    if (item.durable === false) {
      expect(item.seq).toBe(last);
      continue;
    }
    if (last > 0) expect(item.seq).toBe(last + 1);
    last = item.seq;
  }
}

beforeAll(async () => {
  api = await startApi(who, { PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1' });
  reference = await api.server.parts.blobs.put(Buffer.from(PNG_BASE64, 'base64'), 'image/png');
  // ~2 s per image: long enough to watch the queue move, short enough for a test.
  await setEmulatorLatency(2_000);
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await api?.server.close();
});

describe('queue position and ETA on the real stack', () => {
  it('queued jobs show their place and estimates, a running one none; a subscriber sees the queue move', async () => {
    const first = await startRunning(2);
    const second = await start();
    const third = await start();
    // Admission hears of each job from its workflow's first task: give it a moment.
    const waiting = await eventually(async () => {
      const seen = await view(third);
      return seen.queuePosition === 2 ? seen : undefined;
    });
    // The first holds the slot; its state says RUNNING once its first step is logged.
    const running = await eventually(async () => {
      const seen = await view(first);
      return seen.status === 'RUNNING' ? seen : undefined;
    });
    const next = await view(second);
    expect(running).toMatchObject({ status: 'RUNNING', queuePosition: null, estimatedStartAt: null });
    expect(running.estimatedFinishAt).toBeNull();
    expect(next).toMatchObject({ status: 'QUEUED', queuePosition: 1, priority: 'NORMAL' });
    expect(waiting.status).toBe('QUEUED');
    // In order: the second starts before the third, and each ends after it starts.
    expect(at(next.estimatedStartAt)).toBeLessThanOrEqual(at(waiting.estimatedStartAt));
    expect(at(waiting.estimatedFinishAt)).toBeGreaterThan(at(waiting.estimatedStartAt));
    expect(at(waiting.estimatedStartAt)).toBeGreaterThan(Date.now() - 5_000);

    const client = wsClient(api.url, key);
    try {
      const items = (await collect<{ jobEvents: Item }>(client, EVENTS, { jobId: third }).done).map(
        (item) => item.jobEvents,
      );
      const [snapshot] = items;
      expect(snapshot?.__typename).toBe('JobSnapshot');
      expect(snapshot?.job?.queuePosition).toBeGreaterThanOrEqual(1);
      const live = items.filter((item) => item.__typename === 'JobQueued' && item.durable === false);
      // When the first job ended, the third moved up to 1: a live update said so.
      expect(live.map((item) => item.position)).toContain(1);
      for (const item of live) {
        expect(item.status).toBe('QUEUED');
        expect(item.estimatedStartAt).not.toBeNull();
        expect(item.estimatedFinishAt).not.toBeNull();
      }
      expectRateLimited(live);
      expectSeqs(items);
      expect(items.at(-1)?.status).toBe('SUCCEEDED');
    } finally {
      await client.dispose();
    }
    // Done: nothing queued about it any more.
    expect(await view(third)).toMatchObject({
      status: 'SUCCEEDED',
      queuePosition: null,
      estimatedStartAt: null,
    });
  }, 90_000);

  it('/v1 getResponse of a task still waiting carries queuePosition on its processing items', async () => {
    const running = await startRunning(2);
    // The job a /v1 photoMaker task with this taskUUID names.
    const taskUUID = randomUUID();
    await start(1, jobIdForRunwareTask(who.queued.tenant, taskUUID));
    const processing = await eventually(async () => {
      const answer = await v1(api.url, key, [{ taskType: 'getResponse', taskUUID }]);
      const item = answer.body.data?.[0];
      return item && typeof item.queuePosition === 'number' ? item : undefined;
    });
    expect(processing).toMatchObject({
      taskType: 'photoMaker',
      taskUUID,
      status: 'processing',
      queuePosition: 1,
    });
    await eventually(async () => (await view(running)).status === 'SUCCEEDED', 60_000, 500);
  }, 90_000);

  it('a job the API queues (generatePhotoMaker over maxRunningJobs) reads its priority and place from its record', async () => {
    const running = await startRunning(2);
    const { data, errors } = await gql<{ generatePhotoMaker: { id: string; status: string } }>(
      api.url,
      key,
      `mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id status priority } }`,
      { input: { ...baseInput(), priority: 'LOW' } },
    );
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker).toMatchObject({ status: 'QUEUED', priority: 'LOW' });
    const id = data?.generatePhotoMaker.id ?? '';
    const queued = await eventually(async () => {
      const seen = await view(id);
      return seen.queuePosition === 1 ? seen : undefined;
    });
    expect(queued).toMatchObject({ status: 'QUEUED', priority: 'LOW' });
    expect(queued.estimatedStartAt).not.toBeNull();
    await eventually(async () => (await view(id)).status === 'SUCCEEDED', 60_000, 500);
    expect((await view(running)).status).toBe('SUCCEEDED');
  }, 90_000);
});
