import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformClient, pngDataUri, referencePng, smallTask } from '../src/client/index.ts';
import {
  type Platform,
  type RunningNodeApp,
  type RunningS3Server,
  startApiApp,
  startPlatform,
  startS3Server,
} from '../src/index.ts';

const BUCKET = 'photomaker';
const JOB_IMAGES = /* GraphQL */ `
  query Images($id: ID!) {
    job(id: $id) {
      status
      images { url }
      task { inputImages { sha256 url } }
    }
  }
`;

interface JobImages {
  job: {
    status: string;
    images: { url: string }[];
    task: { inputImages: { sha256: string; url: string }[] };
  };
}

/** Every file under `dir` (relative paths). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

const sha256 = (bytes: ArrayBuffer | Buffer) =>
  createHash('sha256')
    .update(Buffer.from(bytes as ArrayBuffer))
    .digest('hex');

let s3: RunningS3Server;
let platform: Platform;
let presignedApi: RunningNodeApp;

beforeAll(async () => {
  s3 = await startS3Server({ buckets: [BUCKET] });
  const onS3 = { ...s3.env, PHOTOMAKER_BLOB_STORE: `s3://${BUCKET}/platform` };
  platform = await startPlatform({
    pieces: ['temporal', 'redis', 'emulator', 'worker', 'api'],
    name: 's3',
    env: { api: onS3, worker: onS3 },
  });
  // A second API replica on the same services, handing out presigned S3 GETs instead of serving bytes.
  presignedApi = await startApiApp({
    env: { ...platform.envs.api, ...onS3, PHOTOMAKER_IMAGE_URLS: 'presigned' },
  });
}, 240_000);

afterAll(async () => {
  await presignedApi?.stop();
  await platform?.stop();
  await s3?.stop();
});

describe('api and worker with the blob store on S3 (versitygw)', () => {
  it('stores a job’s images in S3 and serves them from it, with nothing in the local blob dir', {
    timeout: 180_000,
  }, async () => {
    const client = new PlatformClient(platform.apiUrl, platform.apiKey);
    try {
      const png = await referencePng();
      const job = await client.runJob(smallTask(pngDataUri(png)));
      expect(job.status).toBe('SUCCEEDED');
      const read = await client.http.post<JobImages>(JOB_IMAGES, { id: job.jobId });
      const { images, task } = read.data?.job ?? { images: [], task: { inputImages: [] } };
      expect(images).toHaveLength(1);

      // The API streams the output from S3 ...
      const served = await fetch(images[0]?.url ?? '');
      expect(served.status).toBe(200);
      const output = await served.arrayBuffer();
      const outputSha = sha256(output);
      // ... and both the reference photo and the output are objects of the bucket, under the prefix.
      const objects = filesUnder(join(s3.dir, BUCKET));
      expect(objects).toContain(join('platform', outputSha.slice(0, 2), outputSha));
      const inputSha = task.inputImages[0]?.sha256 ?? '';
      expect(inputSha).toBe(sha256(png));
      expect(objects).toContain(join('platform', inputSha.slice(0, 2), inputSha));
      for (const object of objects) expect(statSync(join(s3.dir, BUCKET, object)).mode & 0o077).toBe(0);
      // No replica wrote a blob to its local directory.
      expect(filesUnder(platform.blobDir)).toEqual([]);

      // The presigned replica redirects the same signed URL to S3, which serves the same bytes.
      const apiPath = new URL(images[0]?.url ?? '');
      const viaReplica = `${presignedApi.url}${apiPath.pathname}${apiPath.search}`;
      const redirect = await fetch(viaReplica, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location') ?? '';
      expect(location.startsWith(`${s3.endpoint}/${BUCKET}/platform/`)).toBe(true);
      expect(location).toContain('X-Amz-Signature=');
      const fromS3 = await fetch(location);
      expect(fromS3.status).toBe(200);
      expect(sha256(await fromS3.arrayBuffer())).toBe(outputSha);

      // An object gone from S3 is a 404 from either API, which keep serving.
      rmSync(join(s3.dir, BUCKET, 'platform', outputSha.slice(0, 2), outputSha));
      expect((await fetch(images[0]?.url ?? '')).status).toBe(404);
      expect((await fetch(viaReplica, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(task.inputImages[0]?.url ?? '')).status).toBe(200);
    } finally {
      await client.close();
    }
  });
});
