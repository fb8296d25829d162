import { describe, expect, it } from 'vitest';
import {
  isTerminalStage,
  JOB_STAGES,
  jobEventSchema,
  jobStateSchema,
  jobTaskSchema,
  statusForStage,
} from '../src/index.ts';

const image = {
  index: 0,
  imageUUID: '77da2d99-a6d3-44d9-b8c0-ae9fb06b6200',
  seed: '9223372036854775807',
  width: 1024,
  height: 1024,
  outputFormat: 'JPG',
  blob: { sha256: 'a'.repeat(64), mediaType: 'image/jpeg', size: 1234 },
};

describe('job model', () => {
  it('maps every stage to a status; exactly three are terminal', () => {
    expect(JOB_STAGES.map(statusForStage)).toEqual([
      'QUEUED',
      'RUNNING',
      'RUNNING',
      'RUNNING',
      'RUNNING',
      'RUNNING',
      'RUNNING',
      'SUCCEEDED',
      'FAILED',
      'CANCELLED',
    ]);
    expect(JOB_STAGES.filter(isTerminalStage)).toEqual(['succeeded', 'failed', 'cancelled']);
  });

  it('validates progress events per stage', () => {
    const at = '2026-11-24T10:00:00.000Z';
    expect(
      jobEventSchema.parse({
        jobId: 'j',
        seq: 3,
        at,
        stage: 'image_ready',
        data: { index: 0, total: 3, image },
      }),
    ).toMatchObject({ seq: 3 });
    expect(
      jobEventSchema.safeParse({ jobId: 'j', seq: 0, at, stage: 'queued', data: { numberResults: 1 } })
        .success,
    ).toBe(false);
    expect(jobEventSchema.safeParse({ jobId: 'j', seq: 1, at, stage: 'image_ready', data: {} }).success).toBe(
      false,
    );
    expect(
      jobEventSchema.parse({
        jobId: 'j',
        seq: 9,
        at,
        stage: 'failed',
        data: { error: { code: 'invalidApiKey', message: 'no', retryable: false } },
      }).stage,
    ).toBe('failed');
  });

  it('holds images by reference in the job task, never bytes', () => {
    const base = {
      positivePrompt: 'rwre, portrait',
      model: 'civitai:139562@344487',
      width: 512,
      height: 512,
    };
    expect(
      jobTaskSchema.safeParse({
        ...base,
        inputImages: [
          { kind: 'blob', blob: image.blob },
          { kind: 'runware', imageUUID: image.imageUUID },
        ],
      }).success,
    ).toBe(true);
    expect(
      jobTaskSchema.safeParse({ ...base, inputImages: ['data:image/png;base64,iVBORw0KGgo='] }).success,
    ).toBe(false);
  });

  it('describes a whole job state', () => {
    const state = jobStateSchema.parse({
      jobId: 'j1',
      tenant: 'acme',
      status: 'SUCCEEDED',
      stage: 'succeeded',
      seq: 6,
      task: jobTaskSchema.parse({
        positivePrompt: 'rwre, portrait',
        model: 'civitai:139562@344487',
        width: 512,
        height: 512,
        inputImages: [{ kind: 'blob', blob: image.blob }],
      }),
      runwareTaskUUID: '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a',
      images: [image],
      cost: 0.0013,
      error: null,
      createdAt: '2026-11-24T10:00:00.000Z',
      startedAt: '2026-11-24T10:00:00.100Z',
      finishedAt: '2026-11-24T10:00:02.000Z',
      timings: { totalMs: 2000 },
    });
    expect(state.task.steps).toBe(20);
  });
});
