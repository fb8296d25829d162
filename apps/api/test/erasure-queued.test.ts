import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMISSION_WORKFLOW_ID } from '@photomaker/temporal';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionQuery } from '../src/jobs/queue-statuses.ts';
import {
  baseInput,
  eventually,
  GENERATE,
  gql,
  setEmulatorLatency,
  temporalClient,
  tenants,
} from './helpers.ts';
import { asDataUri } from './support/bad-images.ts';
import { DELETE_JOB, expectPhotoErased, startLoggedApi, uniquePng } from './support/erasure.ts';

// deleteJob of a job still waiting in the admission queue (its tenant runs one job at a time): it is
// cancelled out of the queue (its place goes to the next job), and nothing of it is left: no Redis key
// (cancel flag, ledger entry, record, events), no trace of its photo anywhere, the admission workflow's
// history included (the scan reads every execution of the namespace).

const JOB = `query($id: ID!) { job(id: $id) { status queuePosition } }`;

describe('deleteJob of a queued job on the real stack (one running job per tenant)', {
  timeout: 240_000,
}, () => {
  const who = tenants('limited');
  const logDir = mkdtempSync(join(tmpdir(), 'api-erasure-queued-logs-'));
  let api: Awaited<ReturnType<typeof startLoggedApi>>;
  let temporal: Client;

  const generate = async (input: Record<string, unknown>) => {
    const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(
      api.url,
      who.limited.key,
      GENERATE,
      { input: baseInput(input) },
    );
    expect(errors).toBeUndefined();
    return data?.generatePhotoMaker.id ?? '';
  };
  const view = async (id: string) =>
    (
      await gql<{ job: { status: string; queuePosition: number | null } | null }>(
        api.url,
        who.limited.key,
        JOB,
        {
          id,
        },
      )
    ).data?.job;

  beforeAll(async () => {
    api = await startLoggedApi(who, logDir, 'erasure-queued', {
      PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1',
    });
    temporal = await temporalClient();
  });
  afterAll(async () => {
    await setEmulatorLatency(0);
    await api?.close();
    await temporal?.connection.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('cancels it out of the admission queue, frees its place and erases it: found nowhere', async () => {
    const photo = await uniquePng();
    await setEmulatorLatency(3000);
    const running = await generate({ numberResults: 2 });
    await eventually(async () => (await view(running))?.status === 'RUNNING', 30_000);
    const queued = await generate({ inputImages: [asDataUri(photo)] });
    await eventually(async () => (await view(queued))?.queuePosition === 1, 30_000);

    const erased = await gql<{ deleteJob: Record<string, unknown> | null }>(
      api.url,
      who.limited.key,
      DELETE_JOB,
      {
        id: queued,
      },
    );
    expect(erased.errors).toBeUndefined();
    expect(erased.data?.deleteJob).toMatchObject({
      referenceImages: 1,
      outputImages: 0,
      workflow: 'DELETED',
    });
    expect(await view(queued)).toBeNull();
    // Out of the admission queue: it knows nothing of the job, and the next job is first in line.
    expect(await admissionQuery(api.server.parts.temporal, ADMISSION_WORKFLOW_ID)([queued])).toEqual([]);
    const next = await generate({});
    await eventually(async () => (await view(next))?.queuePosition === 1, 30_000);
    // No key of the job: the cancel flag deleteJob set for the worker, the ledger's entry, record, events.
    const keys = ['cancel', 'record', 'events', 'tenant'].map((part) => `photomaker:job:${queued}:${part}`);
    expect(await api.server.parts.redis.exists(...keys, `photomaker:usage:job:${queued}`)).toBe(0);

    await expectPhotoErased({ temporal, logDir, photo, jobIds: [queued], label: 'deleting a queued job' });
    // The queue moves on: both remaining jobs run to their end.
    await setEmulatorLatency(0);
    await eventually(async () => (await view(next))?.status === 'SUCCEEDED', 90_000, 500);
    expect((await view(running))?.status).toBe('SUCCEEDED');
  });
});
