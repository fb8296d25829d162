import type { GetResponseItem, RunwareError } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { RunwareApiError, RunwareDeadlineError, RunwareTransportError } from '../src/errors.ts';
import { pollForResults } from '../src/flows/wait-for-results.ts';
import { DEFAULT_POLL, pollDelay } from '../src/poll-policy.ts';
import type { GetResponseSnapshot } from '../src/watch-results.ts';

const T = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';

const processing = (): GetResponseItem => ({ taskType: 'photoMaker', taskUUID: T, status: 'processing' });
const success = (n: number): GetResponseItem => ({
  taskType: 'photoMaker',
  taskUUID: T,
  status: 'success',
  imageUUID: `img-${n}`,
  seed: String(100 + n),
});

/** A fake clock: sleeping advances it, so waits are observed as numbers, never timed. */
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

type Step = GetResponseSnapshot | Error;

function scripted(steps: Step[]) {
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

describe('pollDelay', () => {
  it('starts at 250 ms, grows x1.5 and caps at 5 s', () => {
    expect([0, 1, 2, 3].map((n) => pollDelay(DEFAULT_POLL, n))).toEqual([250, 375, 562.5, 843.75]);
    expect(pollDelay(DEFAULT_POLL, 20)).toBe(5_000);
  });
});

describe('pollForResults', () => {
  it('reports each image once, in arrival order, and completes at numberResults', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [processing(), processing(), processing()], errors: [] },
      { items: [success(0), processing(), processing()], errors: [] },
      { items: [success(0), success(1), processing()], errors: [] },
      { items: [success(0), success(1), success(2)], errors: [] },
    ]);
    const seen: [string, number][] = [];
    const snapshots: number[] = [];
    const results = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 3,
      deadlineMs: 60_000,
      policy: DEFAULT_POLL,
      onResult: (result, index) => seen.push([result.imageUUID, index]),
      onSnapshot: (snapshot) => snapshots.push(snapshot.results.length),
      ...time,
    });
    expect(results.map((r) => r.imageUUID)).toEqual(['img-0', 'img-1', 'img-2']);
    expect(results[0]).not.toHaveProperty('status');
    expect(seen).toEqual([
      ['img-0', 0],
      ['img-1', 1],
      ['img-2', 2],
    ]);
    expect(snapshots).toEqual([0, 1, 2, 3]);
    expect(time.waits).toEqual([250, 375, 562.5, 843.75]);
  });

  it('returns the images in batch (seed) order whatever order they finished in', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [processing(), success(1)], errors: [] },
      { items: [success(0), success(1)], errors: [] },
    ]);
    const arrivals: [string, number][] = [];
    const results = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 2,
      deadlineMs: 60_000,
      policy: DEFAULT_POLL,
      onResult: (result, index) => arrivals.push([result.imageUUID, index]),
      ...time,
    });
    expect(arrivals).toEqual([
      ['img-1', 0],
      ['img-0', 1],
    ]);
    expect(results.map((r) => r.imageUUID)).toEqual(['img-0', 'img-1']);
  });

  it('keeps polling through stuck processing and retryable failures, never sooner than Retry-After', async () => {
    const time = fakeTime();
    const server = scripted([
      { items: [processing()], errors: [] },
      retryableFailure(4_000),
      { items: [processing()], errors: [] },
      { items: [success(0)], errors: [] },
    ]);
    const results = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 1,
      deadlineMs: 60_000,
      policy: DEFAULT_POLL,
      ...time,
    });
    expect(results).toHaveLength(1);
    expect(time.waits).toEqual([250, 375, 4_000, 843.75]);
  });

  it('a failed generation ends the wait after the finished images were reported', async () => {
    const time = fakeTime();
    const failed: RunwareError = {
      code: 'inferenceError',
      message: 'GPU fell over',
      taskUUID: T,
      status: 'error',
    };
    const server = scripted([
      { items: [processing()], errors: [failed] },
      { items: [success(0)], errors: [failed] },
    ]);
    const seen: string[] = [];
    const error = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 2,
      deadlineMs: 60_000,
      policy: DEFAULT_POLL,
      onResult: (result) => seen.push(result.imageUUID),
      ...time,
    }).catch((e: unknown) => e);
    expect(seen).toEqual(['img-0']);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'inferenceError', category: 'provider', generationFailed: true });
    expect((error as RunwareApiError).results.map((r) => r.imageUUID)).toEqual(['img-0']);
  });

  it('a failure with generations still running past the deadline reports the failure, not the deadline', async () => {
    const time = fakeTime();
    const failed: RunwareError = { code: 'timeoutProvider', message: 'slow', taskUUID: T, status: 'error' };
    const server = scripted([{ items: [processing()], errors: [failed] }]);
    const error = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 2,
      deadlineMs: 5_000,
      policy: DEFAULT_POLL,
      ...time,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'timeoutProvider', generationFailed: true, retryable: true });
  });

  it('a permanent poll failure ends the wait at once', async () => {
    const time = fakeTime();
    const notFound = new RunwareApiError({
      message: 'gone',
      category: 'notFound',
      retryable: false,
      code: 'taskExpired',
    });
    const server = scripted([notFound]);
    await expect(
      pollForResults(server.fetch, {
        taskUUID: T,
        numberResults: 1,
        deadlineMs: 60_000,
        policy: DEFAULT_POLL,
        ...time,
      }),
    ).rejects.toBe(notFound);
    expect(server.calls).toBe(1);
  });

  it('gives up at the deadline with a retryable error carrying the partial results', async () => {
    const time = fakeTime();
    const server = scripted([{ items: [success(0), processing()], errors: [] }]);
    const error = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 2,
      deadlineMs: 10_000,
      policy: DEFAULT_POLL,
      ...time,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareDeadlineError);
    expect(error).toMatchObject({ code: 'pollDeadlineExceeded', retryable: true, category: 'timeout' });
    expect((error as RunwareDeadlineError).results).toHaveLength(1);
    expect(time.now()).toBe(10_000);
  });

  it('ignores items and errors of other tasks', async () => {
    const time = fakeTime();
    const other = { ...success(9), taskUUID: '11111111-1111-4111-8111-111111111111' };
    const server = scripted([
      {
        items: [other, success(0)],
        errors: [{ code: 'inferenceError', message: 'x', taskUUID: '11111111-1111-4111-8111-111111111111' }],
      },
    ]);
    const results = await pollForResults(server.fetch, {
      taskUUID: T,
      numberResults: 1,
      deadlineMs: 60_000,
      policy: DEFAULT_POLL,
      ...time,
    });
    expect(results.map((r) => r.imageUUID)).toEqual(['img-0']);
  });

  it('stops on abort with the abort reason', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const server = scripted([{ items: [processing()], errors: [] }]);
    const reason = new Error('cancelled by caller');
    const run = pollForResults(
      async () => {
        controller.abort(reason);
        return server.fetch();
      },
      {
        taskUUID: T,
        numberResults: 1,
        deadlineMs: 60_000,
        policy: DEFAULT_POLL,
        signal: controller.signal,
        ...time,
      },
    );
    await expect(run).rejects.toBe(reason);
  });
});
