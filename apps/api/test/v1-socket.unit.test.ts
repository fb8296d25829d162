import type { JobEvent, JobImage, JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { AddressLimits } from '../src/auth/address-limits.ts';
import { AdmissionGate } from '../src/auth/admission.ts';
import { ApiKeyStore } from '../src/auth/api-keys.ts';
import type { EventSink } from '../src/events/event-hub.ts';
import { V1Results } from '../src/gateway/v1/results.ts';
import { handshake } from '../src/gateway/v1-ws/handshake.ts';
import { ResultPush } from '../src/gateway/v1-ws/result-push.ts';
import { FrameBudget, SocketCounts } from '../src/gateway/v1-ws/socket-limits.ts';
import { FollowJob } from '../src/jobs/follow-job.ts';
import { JOB_ID, logger, queuedJob } from './support/in-process.ts';

// The /v1 WebSocket's pieces in process: the handshake against the real admission gate, the bounds,
// and result pushing over the real FollowJob with an in-memory hub (the real-stack suites run the socket).

const KEY = 'acme-key-123-0123456789abcdefghijklmn';
const keys = new ApiKeyStore(`acme:${KEY}`);

function gate(freeFailures = 10) {
  return new AdmissionGate({
    keys,
    addresses: new AddressLimits({ anonymousPoints: 0, freeFailures, windowSeconds: 60 }),
    limiter: { consume: async () => ({ ok: true }) },
    onRateLimited: () => undefined,
    logger,
  });
}

describe('the /v1 WebSocket handshake', () => {
  it('admits the authentication task, with the resume UUID and the frame’s other tasks', () => {
    const verdict = handshake(
      gate(),
      JSON.stringify([
        { taskType: 'authentication', apiKey: KEY, connectionSessionUUID: 's-1' },
        { taskType: 'ping' },
      ]),
      '10.0.0.1',
    );
    expect(verdict).toEqual({
      ok: true,
      principal: expect.objectContaining({ tenant: 'acme' }),
      resumeUUID: 's-1',
      rest: [{ taskType: 'ping' }],
    });
  });

  it('refuses a frame that does not start with authentication, one error per task, before any key', () => {
    const verdict = handshake(
      gate(),
      JSON.stringify([{ taskType: 'photoMaker', taskUUID: 'u1' }, { taskType: 'ping' }]),
      undefined,
    );
    expect(verdict.ok).toBe(false);
    const frame = JSON.parse(verdict.ok ? '{}' : verdict.frame);
    expect(frame.errors.map((e: { code: string; taskUUID?: string }) => [e.code, e.taskUUID])).toEqual([
      ['missingApiKey', 'u1'],
      ['missingApiKey', undefined],
    ]);
    expect(frame.error).toEqual(frame.errors[0]);
  });

  it('answers invalidJson, invalidApiKey, and blocks an address after its free failures', () => {
    const admission = gate(2);
    const bad = (text: string) => {
      const verdict = handshake(admission, text, '10.0.0.2');
      return verdict.ok ? undefined : JSON.parse(verdict.frame).errors[0];
    };
    expect(bad('{')).toMatchObject({ code: 'invalidJson', taskType: 'authentication' });
    const wrong = JSON.stringify([
      { taskType: 'authentication', apiKey: 'wrong-key-0123456789abcdefghijklmnop' },
    ]);
    expect(bad(wrong)).toMatchObject({ code: 'invalidApiKey', parameter: 'apiKey' });
    // A few more guesses, and the address is blocked: then even the right key is refused, uncompared.
    const codes = Array.from({ length: 3 }, () => bad(wrong)?.code);
    expect(codes).toContain('rateLimitExceeded');
    expect(bad(JSON.stringify([{ taskType: 'authentication', apiKey: KEY }]))).toMatchObject({
      code: 'rateLimitExceeded',
      taskType: 'authentication',
    });
  });
});

describe('bounds', () => {
  it('FrameBudget passes a burst of its rate, refuses the next, and refills with time', () => {
    let now = 0;
    const budget = new FrameBudget(3, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now += 340;
    expect([budget.take(), budget.take()]).toEqual([true, false]);
    expect(new FrameBudget(0).take()).toBe(true);
  });

  it('SocketCounts caps per key and gives a slot back on release; 0 is no cap', () => {
    const counts = new SocketCounts(2);
    expect([counts.take('a'), counts.take('a'), counts.take('a'), counts.take('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    counts.release('a');
    expect(counts.take('a')).toBe(true);
    const free = new SocketCounts(0);
    expect(Array.from({ length: 5 }, () => free.take('a')).every(Boolean)).toBe(true);
  });
});

const at = '2026-11-24T10:00:01.000Z';
const image = (index: number): JobImage => ({
  index,
  imageUUID: `img-${index}`,
  seed: String(42 + index),
  width: 512,
  height: 512,
  outputFormat: 'JPG',
  blob: { sha256: String(index).repeat(64), mediaType: 'image/jpeg', size: 10 },
});
const event = (seq: number, stage: JobEvent['stage'], data: unknown) =>
  ({ jobId: JOB_ID, seq, at, stage, data }) as JobEvent;

function pushSetup(state: JobState) {
  const sinks: EventSink[] = [];
  const follow = new FollowJob({
    read: async () => state,
    hub: {
      attach: (_jobId, _after, sink) => {
        sinks.push(sink);
        return () => undefined;
      },
    },
    unfinished: { watch: () => () => undefined },
  });
  const frames: Record<string, unknown>[] = [];
  const results = new V1Results({
    blobs: { get: async () => undefined },
    imageUrls: { urlFor: (blob) => `http://i/${blob.sha256}` },
  });
  const push = new ResultPush(
    { follow, results, logger },
    'acme',
    { jobId: JOB_ID, taskUUID: 't-1', taskType: 'imageInference' },
    {
      send: async (text) => {
        frames.push(JSON.parse(text));
        return true;
      },
    },
  );
  return { push, sinks, frames };
}

describe('ResultPush', () => {
  it('pushes the images the job has, then one frame per image event, then its error, echoing the taskType', async () => {
    const running: JobState = {
      ...queuedJob(),
      seq: 2,
      status: 'RUNNING',
      stage: 'submitted',
      images: [image(0)],
    };
    running.task = { ...running.task, numberResults: 3 };
    const { push, sinks, frames } = pushSetup(running);
    const done = push.run();
    await new Promise((resolve) => setTimeout(resolve, 10));
    sinks[0]?.deliver([event(3, 'image_ready', { index: 1, total: 3, image: image(1) })]);
    sinks[0]?.deliver([
      event(4, 'failed', { error: { code: 'timeoutProvider', message: 'slow', retryable: true } }),
    ]);
    expect(await done).toBe('settled');
    expect(frames).toEqual([
      {
        data: [
          expect.objectContaining({
            taskType: 'imageInference',
            taskUUID: 't-1',
            imageUUID: 'img-0',
            seed: 42,
          }),
        ],
      },
      {
        data: [
          expect.objectContaining({
            taskType: 'imageInference',
            imageUUID: 'img-1',
            imageURL: `http://i/${'1'.repeat(64)}`,
          }),
        ],
      },
      {
        errors: [
          expect.objectContaining({ code: 'timeoutProvider', taskUUID: 't-1', taskType: 'imageInference' }),
        ],
      },
    ]);
  });

  it('stops when told (the socket closed) without writing more', async () => {
    const running: JobState = { ...queuedJob(), seq: 2, status: 'RUNNING', stage: 'submitted' };
    const { push, frames } = pushSetup(running);
    const done = push.run();
    await new Promise((resolve) => setTimeout(resolve, 10));
    push.stop();
    expect(await done).toBe('stopped');
    expect(frames).toEqual([]);
  });
});
