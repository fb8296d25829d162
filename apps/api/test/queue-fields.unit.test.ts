import type { JobState } from '@photomaker/schema';
import type { QueueStatus } from '@photomaker/temporal';
import { describe, expect, it } from 'vitest';
import type { JobEventItem } from '../src/jobs/follow-job.ts';
import { QueueStatuses } from '../src/jobs/queue-statuses.ts';
import { fakeDeps, JOB_ID, logger, queuedJob, run, subscribeAll } from './support/in-process.ts';

// Job.queuePosition / estimatedStartAt / estimatedFinishAt and the live JobQueued update, resolved by the
// real schema with the real QueueStatuses loader over a faked admission query.

const START = '2026-11-24T10:00:40.000Z';
const FINISH = '2026-11-24T10:01:10.000Z';
const idOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function queueOf(answer: (ids: string[]) => QueueStatus[]) {
  const calls: string[][] = [];
  const statuses = new QueueStatuses({
    source: async (ids) => {
      calls.push(ids);
      return answer(ids);
    },
    logger,
  });
  return { calls, statuses };
}

const QUEUE_FIELDS =
  'query { jobs(first: 100) { nodes { id status queuePosition estimatedStartAt estimatedFinishAt } } }';

type Nodes = {
  jobs: {
    nodes: {
      id: string;
      status: string;
      queuePosition: number | null;
      estimatedStartAt: string | null;
      estimatedFinishAt: string | null;
    }[];
  };
};

function listOf(nodes: JobState[]) {
  return { list: async () => ({ nodes, hasNextPage: false, endCursor: null }) };
}

describe('Job queue fields', () => {
  it('a page of 100 jobs costs one queueStatuses query, for the queued ones only', async () => {
    const jobs = Array.from({ length: 100 }, (_, i) =>
      i % 10 === 9
        ? { ...queuedJob('acme', idOf(i)), status: 'RUNNING' as const }
        : queuedJob('acme', idOf(i)),
    );
    const { calls, statuses } = queueOf((ids) =>
      ids.map((jobId, i) => ({
        jobId,
        state: 'queued' as const,
        position: i + 1,
        estimatedStartAt: START,
        estimatedFinishAt: FINISH,
      })),
    );
    const result = await run<Nodes>(fakeDeps({ queue: statuses, list: listOf(jobs) }), QUEUE_FIELDS);
    expect(result.errors).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(90);
    const nodes = result.data?.jobs.nodes ?? [];
    expect(nodes[0]).toEqual({
      id: idOf(0),
      status: 'QUEUED',
      queuePosition: 1,
      estimatedStartAt: START,
      estimatedFinishAt: FINISH,
    });
    // A running job: nothing asked, every queue field null.
    expect(nodes[9]).toEqual({
      id: idOf(9),
      status: 'RUNNING',
      queuePosition: null,
      estimatedStartAt: null,
      estimatedFinishAt: null,
    });
  });

  it('reads null, never an error, when the admission workflow is not there', async () => {
    const statuses = new QueueStatuses({
      source: async () => {
        throw new Error('workflow not found for ID: photomaker-admission');
      },
      logger,
    });
    const result = await run<Nodes>(fakeDeps({ queue: statuses, list: listOf([queuedJob()]) }), QUEUE_FIELDS);
    expect(result.errors).toBeUndefined();
    expect(result.data?.jobs.nodes).toEqual([
      { id: JOB_ID, status: 'QUEUED', queuePosition: null, estimatedStartAt: null, estimatedFinishAt: null },
    ]);
  });

  it('a job admission holds a slot for (not started yet) has no position but keeps its estimates', async () => {
    const { statuses } = queueOf((ids) =>
      ids.map((jobId) => ({ jobId, state: 'running' as const, estimatedFinishAt: FINISH })),
    );
    const result = await run<Nodes>(fakeDeps({ queue: statuses, list: listOf([queuedJob()]) }), QUEUE_FIELDS);
    expect(result.data?.jobs.nodes[0]).toMatchObject({ queuePosition: null, estimatedFinishAt: FINISH });
  });
});

describe('Job.priority', () => {
  it('is the admission priority the job started with, null when it never needed a slot', async () => {
    const JOBS = 'query { jobs(first: 2) { nodes { id priority } } }';
    const waited = { ...queuedJob('acme', idOf(1)), priority: 'HIGH' as const };
    const result = await run<{ jobs: { nodes: { id: string; priority: string | null }[] } }>(
      fakeDeps({ list: listOf([waited, queuedJob('acme', idOf(2))]) }),
      JOBS,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.jobs.nodes).toEqual([
      { id: idOf(1), priority: 'HIGH' },
      { id: idOf(2), priority: null },
    ]);
  });
});

describe('JobQueued in jobEvents', () => {
  const EVENTS = `subscription($jobId: ID!) { jobEvents(jobId: $jobId) {
    __typename seq stage status
    ... on JobSnapshot { job { queuePosition estimatedStartAt } }
    ... on JobQueued { durable numberResults position estimatedStartAt estimatedFinishAt }
  } }`;

  it('carries the logged event (durable, no position) and live updates (not durable, at the last seq)', async () => {
    const state = { ...queuedJob(), seq: 1, stage: 'queued' as const };
    let options: unknown;
    const { statuses } = queueOf((ids) =>
      ids.map((jobId) => ({ jobId, state: 'queued' as const, position: 4, estimatedStartAt: START })),
    );
    async function* stream(): AsyncGenerator<JobEventItem> {
      yield { kind: 'snapshot', at: START, state };
      yield {
        kind: 'event',
        event: { jobId: JOB_ID, seq: 2, at: START, stage: 'queued', data: { numberResults: 1 } },
      };
      yield {
        kind: 'queue',
        at: START,
        jobId: JOB_ID,
        seq: 2,
        numberResults: 1,
        update: { position: 3, estimatedStartAt: START, estimatedFinishAt: FINISH },
      };
    }
    const deps = fakeDeps({
      queue: statuses,
      follow: {
        follow: async (_tenant, _jobId, given) => {
          options = given;
          return stream();
        },
      },
    });
    const items = await subscribeAll(deps, EVENTS, { jobId: JOB_ID });
    expect(options).toMatchObject({ queueUpdates: true });
    expect(items.map((item) => item.errors)).toEqual([undefined, undefined, undefined]);
    expect(items.map((item) => item.data?.jobEvents)).toEqual([
      {
        __typename: 'JobSnapshot',
        seq: 1,
        stage: 'QUEUED',
        status: 'QUEUED',
        job: { queuePosition: 4, estimatedStartAt: START },
      },
      {
        __typename: 'JobQueued',
        seq: 2,
        stage: 'QUEUED',
        status: 'QUEUED',
        durable: true,
        numberResults: 1,
        position: null,
        estimatedStartAt: null,
        estimatedFinishAt: null,
      },
      {
        __typename: 'JobQueued',
        seq: 2,
        stage: 'QUEUED',
        status: 'QUEUED',
        durable: false,
        numberResults: 1,
        position: 3,
        estimatedStartAt: START,
        estimatedFinishAt: FINISH,
      },
    ]);
  });
});
