import type { JobState, JobTask } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './support/harness.ts';

// RUNWARE_PHOTOMAKER_FORM: the worker sends a job's task to Runware as the standalone photoMaker task
// or as imageInference with a nested photoMaker. Real dev server, Redis and
// emulator; the emulator renders from the parameters it received, so equal images mean equal tasks.
const harnesses: Record<'task' | 'nested', Harness | undefined> = { task: undefined, nested: undefined };

beforeAll(async () => {
  for (const form of ['task', 'nested'] as const) {
    const h = await Harness.create(`form-${form}`);
    await h.startWorkers({ photoMakerForm: form });
    harnesses[form] = h;
  }
});

afterAll(async () => {
  await harnesses.task?.close();
  await harnesses.nested?.close();
});

const LORA = [{ model: 'civitai:58390@62833', weight: 1.5 }];

async function run(form: 'task' | 'nested', task: JobTask): Promise<{ state: JobState; sentAs: unknown }> {
  const h = harnesses[form] as Harness;
  const job = await h.start(h.input(task));
  const state = await h.result(job);
  // A multi-image job goes one task per image: each is sent in the same form (image 0's stands for all).
  const [firstImage] = task.numberResults > 1 ? await h.imageTasks(job.input) : [];
  const record = firstImage ?? (await h.emulator.task(job.input.runwareTaskUUID));
  return { state, sentAs: record?.taskType };
}

const shas = (state: JobState) => state.images.map((image) => image.blob.sha256);

describe.each(['task', 'nested'] as const)('RUNWARE_PHOTOMAKER_FORM=%s', (form) => {
  const sentAs = form === 'task' ? 'photoMaker' : 'imageInference';

  it(`a one-image job (sync) goes to Runware as ${sentAs} and succeeds`, async () => {
    const h = harnesses[form] as Harness;
    const { state, sentAs: received } = await run(form, await h.task({ seed: '5', lora: LORA }));
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images).toHaveLength(1);
    expect(received).toBe(sentAs);
  });

  it(`a three-image job (async, polled) goes as ${sentAs}, every image stored once`, async () => {
    const h = harnesses[form] as Harness;
    const { state, sentAs: received } = await run(form, await h.task({ numberResults: 3, seed: '9' }));
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(received).toBe(sentAs);
  });
});

describe('both forms carry the same task', () => {
  it('the same job gives the same images in either form, and its LoRAs reach Runware', async () => {
    const { task: taskSide, nested: nestedSide } = harnesses as Record<'task' | 'nested', Harness>;
    const task = await taskSide.task({ numberResults: 2, seed: '77', lora: LORA });
    // Each harness has its own blob store: the same reference photo goes into both.
    for (const reference of task.inputImages) {
      if (reference.kind !== 'blob') continue;
      const bytes = (await taskSide.blobs.get(reference.blob.sha256)) as Uint8Array;
      await nestedSide.blobs.put(bytes, reference.blob.mediaType);
    }
    const [asTask, asNested] = await Promise.all([run('task', task), run('nested', task)]);
    expect(asTask.state.status).toBe('SUCCEEDED');
    expect(shas(asNested.state)).toEqual(shas(asTask.state));
    const { lora: _lora, ...withoutLora } = task;
    const plain = await run('nested', withoutLora);
    expect(plain.state.status).toBe('SUCCEEDED');
    expect(shas(plain.state)).not.toEqual(shas(asNested.state));
  });
});
