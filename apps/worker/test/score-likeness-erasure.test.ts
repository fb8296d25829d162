import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '@photomaker/blobstore';
import { sampleFace } from '@photomaker/likeness/samples';
import { afterAll, describe, expect, it } from 'vitest';
import { createScoreLikeness } from '../src/activities/score-likeness.ts';

// The vision worker keeps reference face templates in memory to score a job's images; an erased photo
// (deleteReferenceImage, deleteJob, retention) must stop counting at once, even while it is cached.
describe('scoreLikeness after the reference photo is erased', () => {
  const dir = mkdtempSync(join(tmpdir(), 'score-likeness-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores while the photo is stored, and answers null (nothing to compare with) once it is gone', async () => {
    const blobs = new LocalBlobStore(dir);
    const face = new Uint8Array(await sampleFace('left'));
    const reference = await blobs.put(face, 'image/jpeg');
    const image = await blobs.put(new Uint8Array(await sampleFace('left', 0.5)), 'image/jpeg');
    const score = createScoreLikeness({ blobs });
    const input = { jobId: 'j1', references: [{ kind: 'blob' as const, blob: reference }], image };
    const first = await score(input);
    expect(first?.faceFound).toBe(true);
    expect(first?.likeness).toBeGreaterThan(0.5);
    // Cached now: a second score of the same reference does not read its bytes again...
    expect(await score(input)).toEqual(first);
    // ...but once the photo is erased, the cached template is dropped and not used.
    await blobs.delete(reference.sha256);
    expect(await score(input)).toBeNull();
  }, 120_000);
});
