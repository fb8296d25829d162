import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startS3Server } from '../src/index.ts';

describe('startS3Server (versitygw)', () => {
  it('serves S3 on a loopback port with fresh credentials, restarts on the same port, and cleans up', {
    timeout: 60_000,
  }, async () => {
    const s3 = await startS3Server({ buckets: ['harness-test'] });
    try {
      expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
      expect(s3.env).toMatchObject({
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        PHOTOMAKER_S3_FORCE_PATH_STYLE: 'true',
      });
      // An unsigned request is refused: the server checks credentials.
      expect((await fetch(`${s3.endpoint}/harness-test`)).status).toBe(403);
      const pid = s3.process.pid;
      await s3.process.kill();
      await s3.restart();
      expect(s3.process.pid).not.toBe(pid);
      expect((await fetch(`${s3.endpoint}/harness-test`)).status).toBe(403);
    } finally {
      await s3.stop();
    }
    expect(existsSync(s3.dir)).toBe(false);
  });

  it('refuses a bucket name S3 would refuse, before starting anything', async () => {
    await expect(startS3Server({ buckets: ['gc'] })).rejects.toThrow(/'gc' is not an S3 bucket name/);
  });
});
