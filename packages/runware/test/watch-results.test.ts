import type { GetResponseItem, RunwareError } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { RunwareApiError, RunwareDeadlineError, RunwareTransportError } from '../src/errors.ts';
import { DEFAULT_POLL } from '../src/poll-policy.ts';
import { ResultCollector } from '../src/result-collector.ts';
import {
  type GetResponseSnapshot,
  type ResultBatch,
  type WatchEngineOptions,
  watchSnapshots,
} from '../src/watch-results.ts';

// The one polling engine on a scripted getResponse and a fake clock (waits are numbers, never timed).
const T = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';
const OTHER = '11111111-1111-4111-8111-111111111111';

const processing = (): GetResponseItem => ({ taskType: 'photoMaker', taskUUID: T, status: 'processing' });
const success = (n: number): GetResponseItem => ({
  taskType: 'photoMaker',
  taskUUID: T,
  status: 'success',
  imageUUID: `img-${n}`,
  seed: String(100 + n),
});
const failed = (code = 'inferenceError'): RunwareError => ({
  code,
  message: 'no',
  taskUUID: T,
  status: 'error',
});

function fakeTime() {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      waits.push(ms);
      t += ms;
    },
  };
}

function scripted(steps: (GetResponseSnapshot | Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetch: async (): Promise<GetResponseSnapshot> => {
      const step = steps[Math.min(calls, steps.length - 1)];
      calls += 1;
      if (step instanceof Error) throw step;
      if (!step) throw new Error('no step');
      return step;
    },
  };
}

const retryableFailure = (retryAfterMs?: number) =>
  new RunwareTransportError({
    message: 'reset',
    category: 'network',
    retryable: true,
    code: 'connectionReset',
    retryAfterMs,
  });

async function collect(
  server: ReturnType<typeof scripted>,
  options: Partial<WatchEngineOptions> & { numberResults: number },
): Promise<ResultBatch[]> {
  const batches: ResultBatch[] = [];
  for await (const batch of watchSnapshots(server.fetch, { taskUUID: T, policy: DEFAULT_POLL, ...options }))
    batches.push(batch);
  return batches;
}

const ids = (results: readonly { imageUUID: string }[]) => results.map((r) => r.imageUUID);

describe('watchSnapshots', () => {
  it('yields one batch per answered poll; fresh holds each image once; ends with the done batch', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [processing(), processing()], errors: [] },
      { items: [processing(), success(1)], errors: [] },
      { items: [success(0), success(1)], errors: [] },
      { items: [success(0), success(1)], errors: [] },
    ]);
    const batches = await collect(server, { numberResults: 2, ...time });
    expect(batches.map((b) => ids(b.fresh))).toEqual([[], ['img-1'], ['img-0']]);
    expect(batches.map((b) => ids(b.results))).toEqual([[], ['img-1'], ['img-1', 'img-0']]);
    expect(batches.map((b) => [b.processing, b.polls, b.done])).toEqual([
      [2, 1, false],
      [1, 2, false],
      [0, 3, true],
    ]);
    expect(batches[2]?.fresh[0]).not.toHaveProperty('status');
    expect(server.calls).toBe(3);
    expect(time.waits).toEqual([250, 375, 562.5]);
  });

  it('known imageUUIDs (a resumed attempt) are results but never fresh', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [success(0), success(1), processing()], errors: [] },
      { items: [success(0), success(1), processing()], errors: [] },
      { items: [success(0), success(1), success(2)], errors: [] },
    ]);
    const watch = watchSnapshots(server.fetch, {
      taskUUID: T,
      numberResults: 3,
      policy: DEFAULT_POLL,
      known: ['img-0'],
      firstDelayMs: 0,
      ...time,
    });
    const { value } = await watch.next();
    expect(ids((value as ResultBatch).fresh)).toEqual(['img-1']);
    expect(ids((value as ResultBatch).results)).toEqual(['img-0', 'img-1']);
    expect(time.waits).toEqual([0]);
    expect(ids(((await watch.next()).value as ResultBatch).fresh)).toEqual([]);
    expect(ids(((await watch.next()).value as ResultBatch).fresh)).toEqual(['img-2']);
    // Polling at once does not use up a step of the cadence: then 250, 375 as usual.
    expect(time.waits).toEqual([0, 250, 375]);
    expect((await watch.next()).done).toBe(true);
  });

  it('images of a seeded collector count toward done but are not fresh', async () => {
    const time = fakeTime();
    const collector = new ResultCollector();
    collector.add([{ taskType: 'photoMaker', taskUUID: T, imageUUID: 'img-0', seed: '100' }]);
    const server = scripted([{ items: [success(0), success(1)], errors: [] }]);
    const batches = await collect(server, { numberResults: 2, collector, ...time });
    expect(batches.map((b) => [ids(b.fresh), b.done])).toEqual([[['img-1'], true]]);
  });

  it('stops polling as soon as the caller stops iterating', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [processing(), processing()], errors: [] },
      { items: [success(0), processing()], errors: [] },
    ]);
    for await (const batch of watchSnapshots(server.fetch, {
      taskUUID: T,
      numberResults: 2,
      policy: DEFAULT_POLL,
      ...time,
    })) {
      if (batch.fresh.length > 0) break;
    }
    expect(server.calls).toBe(2);
  });

  it('failed generations are data: the done batch carries them, nothing is thrown', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [processing(), processing()], errors: [failed()] },
      { items: [success(1)], errors: [failed()] },
    ]);
    const batches = await collect(server, { numberResults: 2, ...time });
    expect(batches.map((b) => [b.errors.length, b.done])).toEqual([
      [1, false],
      [1, true],
    ]);
    expect(batches[1]?.errors[0]).toMatchObject({ code: 'inferenceError' });
  });

  it('retryable poll failures slow the cadence (never below Retry-After) and yield nothing', async () => {
    const time = fakeTime();
    const failures: [string, number][] = [];
    const server = scripted([
      { items: [processing()], errors: [] },
      retryableFailure(4_000),
      retryableFailure(),
      { items: [success(0)], errors: [] },
    ]);
    const batches = await collect(server, {
      numberResults: 1,
      onPollFailure: (error, next) => failures.push([error.code, next]),
      ...time,
    });
    expect(batches.map((b) => [b.polls, b.done])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(time.waits).toEqual([250, 375, 4_000, 843.75]);
    expect(failures).toEqual([
      ['connectionReset', 4_000],
      ['connectionReset', 843.75],
    ]);
  });

  it('a permanent poll failure throws at once', async () => {
    const time = fakeTime();
    const notFound = new RunwareApiError({
      message: 'gone',
      category: 'notFound',
      retryable: false,
      code: 'taskExpired',
    });
    const server = scripted([notFound]);
    await expect(collect(server, { numberResults: 1, ...time })).rejects.toBe(notFound);
    expect(server.calls).toBe(1);
  });

  it('taskNotFound is transient within the grace period (the task was accepted), final after it', async () => {
    const notFound = () =>
      new RunwareApiError({
        message: 'not yet',
        category: 'notFound',
        retryable: false,
        code: 'taskNotFound',
      });
    const policy = { ...DEFAULT_POLL, notFoundGraceMs: 1_000 };
    const time = fakeTime();
    const visibleLate = scripted([notFound(), notFound(), { items: [success(0)], errors: [] }]);
    const batches = await collect(visibleLate, { numberResults: 1, policy, ...time });
    expect(batches.map((batch) => batch.done)).toEqual([true]);
    expect(visibleLate.calls).toBe(3);

    const never = scripted(Array.from({ length: 20 }, notFound));
    const late = fakeTime();
    await expect(collect(never, { numberResults: 1, ...late, policy })).rejects.toMatchObject({
      code: 'taskNotFound',
    });
    // Polled while inside the grace period, then the first answer past it stands.
    expect(late.now()).toBeGreaterThanOrEqual(1_000);
    expect(never.calls).toBeLessThan(20);
  });

  it('has no deadline by default; with deadlineMs it ends in a retryable RunwareDeadlineError', async () => {
    const stuck = () => scripted([{ items: [success(0), processing()], errors: [] }]);
    const endless = stuck();
    let polls = 0;
    for await (const batch of watchSnapshots(endless.fetch, {
      taskUUID: T,
      numberResults: 2,
      policy: DEFAULT_POLL,
      ...fakeTime(),
    })) {
      polls = batch.polls;
      if (polls === 500) break; // 500 polls at up to 5 s: well past any default deadline
    }
    expect(polls).toBe(500);

    const time = fakeTime();
    const error = await collect(stuck(), { numberResults: 2, deadlineMs: 10_000, ...time }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunwareDeadlineError);
    expect(error).toMatchObject({ code: 'pollDeadlineExceeded', retryable: true });
    expect(ids((error as RunwareDeadlineError).results)).toEqual(['img-0']);
    expect(time.now()).toBe(10_000);
  });

  it('ignores items and errors of other tasks', async () => {
    const time = fakeTime();
    const server = scripted([
      {
        items: [{ ...success(9), taskUUID: OTHER }, success(0)],
        errors: [{ code: 'inferenceError', message: 'x', taskUUID: OTHER }],
      },
    ]);
    const batches = await collect(server, { numberResults: 1, ...time });
    expect(batches.map((b) => [ids(b.fresh), b.errors, b.done])).toEqual([[['img-0'], [], true]]);
  });

  it('runs every poll through wrapPoll, failed ones too', async () => {
    const time = fakeTime();
    const outcomes: string[] = [];
    const server = scripted([retryableFailure(), { items: [success(0)], errors: [] }]);
    await collect(server, {
      numberResults: 1,
      wrapPoll: async (poll) => {
        try {
          const value = await poll();
          outcomes.push('ok');
          return value;
        } catch (error) {
          outcomes.push('failed');
          throw error;
        }
      },
      ...time,
    });
    expect(outcomes).toEqual(['failed', 'ok']);
  });

  it('stops on abort with the abort reason, also during a failing poll', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by caller');
    const watch = watchSnapshots(
      async () => {
        controller.abort(reason);
        throw retryableFailure();
      },
      { taskUUID: T, numberResults: 1, policy: DEFAULT_POLL, signal: controller.signal, ...fakeTime() },
    );
    await expect(watch.next()).rejects.toBe(reason);
  });
});
