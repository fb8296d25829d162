import type { JobEvent } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { currentInput } from '../src/activities/collect-images.ts';
import type { CollectImagesInput, PreviousCollectImagesInput } from '../src/activities/types.ts';

// Running jobs of the previous workflow version have collectImages inputs under the old names in their
// histories; a retry of such a step runs on this worker.

const spec = {
  jobId: 'job-1',
  run: { taskUUID: '00000000-0000-4000-8000-000000000001', numberResults: 2 },
  accepted: true,
  knownImageUUIDs: ['a'],
  nextIndex: 1,
  total: 2,
  image: { width: 128, height: 128, outputFormat: 'PNG' as const },
};
const queued: JobEvent = {
  jobId: 'job-1',
  seq: 4,
  at: '2026-01-01T00:00:00Z',
  stage: 'queued',
  data: { numberResults: 2 },
};

describe('a collectImages input of the previous workflow version', () => {
  it('maps its range and job end to this version’s names; `resume` is dropped (every attempt adopts)', () => {
    const previous: PreviousCollectImagesInput = {
      ...spec,
      nextSeq: 4,
      prelude: [queued],
      completesJob: { costSoFar: 0.5, includeCost: true },
      resume: true,
    };
    expect(currentInput(previous)).toEqual({
      ...spec,
      firstSeq: 4,
      unpublished: [queued],
      endsJob: { costSoFar: 0.5, includeCost: true },
    });
    expect(currentInput({ ...spec, nextSeq: 7 })).toEqual({ ...spec, firstSeq: 7 });
  });

  it('leaves a current input as it is', () => {
    const input: CollectImagesInput = { ...spec, firstSeq: 3 };
    expect(currentInput(input)).toBe(input);
  });
});
