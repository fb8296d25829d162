import { sampleFace } from '@photomaker/likeness/samples';
import type { JobState } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Harness, type StartedJob } from './support/harness.ts';

// Likeness scores (issue #17) on the real stack: the emulator pastes the reference face into its outputs
// (squeezed off-likeness with the prompt word `offlikeness`, left out with `noface`), the vision queue
// scores every stored image with the real models, and the scores land on the job and in its events.

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('likeness');
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
});

async function run(positivePrompt: string, numberResults: number, harness = h): Promise<JobState> {
  return (await runJob(positivePrompt, numberResults, harness)).state;
}

async function runJob(
  positivePrompt: string,
  numberResults: number,
  h: Harness,
): Promise<{ state: JobState; job: StartedJob }> {
  const blob = await h.blobs.put(new Uint8Array(await sampleFace('left')), 'image/jpeg');
  const task = await h.task({
    inputImages: [{ kind: 'blob', blob }],
    positivePrompt,
    numberResults,
    width: 512,
    height: 512,
  });
  const job = await h.start(h.input(task, { referenceCheck: 'STRICT', minLikeness: 0.5 }));
  const state = await h.result(job);
  const stages = (await h.eventsOf(job.input.jobId)).map((e) => e.stage);
  // Scored before the job ends, in one event after the images.
  expect(stages.slice(-2)).toEqual(['images_scored', 'succeeded']);
  expect(stages.indexOf('images_scored')).toBeGreaterThan(stages.lastIndexOf('image_ready'));
  return { state, job };
}

describe('likeness score of every image', () => {
  let on: JobState;
  let off: JobState;

  it('outputs that show the reference face score high', async () => {
    on = await run('a portrait in a garden', 2);
    expect(on.status).toBe('SUCCEEDED');
    expect(on.images).toHaveLength(2);
    for (const image of on.images) {
      expect(image.faceFound).toBe(true);
      expect(image.likeness).toBeGreaterThan(0.6);
      expect(image.belowMinLikeness).toBe(false);
    }
  });

  it('off-likeness outputs score below one half, with a clear margin to the on-likeness ones', async () => {
    off = await run('a portrait in a garden, offlikeness', 2);
    for (const image of off.images) {
      expect(image.faceFound).toBe(true);
      expect(image.likeness).toBeLessThan(0.5);
      expect(image.belowMinLikeness).toBe(true);
    }
    const lowestOn = Math.min(...on.images.map((i) => i.likeness ?? 0));
    const highestOff = Math.max(...off.images.map((i) => i.likeness ?? 1));
    expect(lowestOn - highestOff).toBeGreaterThan(0.3);
  });

  it('an output without a face is faceFound false, likeness 0', async () => {
    const none = await run('a landscape, noface', 1);
    expect(none.images[0]).toMatchObject({ faceFound: false, likeness: 0, belowMinLikeness: true });
  });

  it('images pushed over the Runware WebSocket are all scored too', async () => {
    const ws = await Harness.create('likeness-ws');
    try {
      const workers = await ws.startWorkers({
        runware: { transport: 'websocket' },
        settings: { tasksInFlightPerJob: 4 },
      });
      await vi.waitFor(() => expect(workers.deps.runwareSocket?.ready()).toBeDefined(), { timeout: 10_000 });
      const { state, job } = await runJob('a portrait in a garden', 3, ws);
      expect(state.images).toHaveLength(3);
      for (const image of state.images)
        expect(image).toMatchObject({ faceFound: true, belowMinLikeness: false });
      // Every image task went over the socket: the scores are of pushed, stored images.
      for (const task of await ws.imageTasks(job.input)) expect(task).toMatchObject({ transport: 'ws' });
    } finally {
      await ws.close();
    }
  }, 120_000);
});
