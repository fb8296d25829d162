import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connectRedis } from '@photomaker/events';
import {
  type BlobSource,
  describeScan,
  type ErasureScanReport,
  type Needle,
  needlesOf,
  scanForErasure,
} from '@photomaker/harness/erasure-scan';
import { createLogger } from '@photomaker/observability';
import { AesGcmPayloadCodec, payloadKeysFromEnv } from '@photomaker/temporal/codec';
import type { Client } from '@temporalio/client';
import sharp from 'sharp';
import { expect } from 'vitest';
import { configFromEnv } from '../../src/config.ts';
import { createApiServer } from '../../src/server.ts';
import { apiEnv, eventually, gql, stack } from '../helpers.ts';

/** A PNG no other test sends (noise): its bytes and digests are this test's alone. */
export function uniquePng(size = 24): Promise<Buffer> {
  return sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: { r: 0, g: 0, b: 0 },
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .png()
    .toBuffer();
}

/** An API in this process whose log lines go to `<logDir>/api-<name>.log` (debug level: everything). */
export async function startLoggedApi(
  keys: Record<string, { tenant: string; key: string }>,
  logDir: string,
  name: string,
  extra: Record<string, string> = {},
) {
  const config = configFromEnv({ ...apiEnv(keys, extra), PORT: '0' });
  const destination = createWriteStream(join(logDir, `api-${name}.log`), { flags: 'a' });
  const logger = createLogger({ service: 'api', level: 'debug', destination });
  const server = await createApiServer(config, { logger });
  const url = await server.listen();
  return {
    url,
    server,
    close: async () => {
      await server.close();
      await new Promise((resolve) => destination.end(resolve));
    },
  };
}

export const JOB_STATE = `query($id: ID!) { job(id: $id) { id status images { url } task { inputImages { sha256 url } } } }`;
export const DELETE_JOB = `mutation($id: ID!) { deleteJob(id: $id) {
  id outputImages referenceImages referenceImagesKept runwareUploads redisKeys workflow } }`;
export const DELETE_REFERENCE = `mutation($id: ID!) { deleteReferenceImage(id: $id) {
  id outputImages referenceImages referenceImagesKept runwareUploads redisKeys workflow } }`;

interface JobView {
  id: string;
  status: string;
  images: { url: string }[];
  task: { inputImages: { sha256: string | null; url: string | null }[] };
}

/** Polls job(id) until it is terminal. */
export async function waitForJob(url: string, key: string, id: string): Promise<JobView> {
  return eventually(
    async () => {
      const { data } = await gql<{ job: JobView | null }>(url, key, JOB_STATE, { id });
      const job = data?.job;
      return job && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : undefined;
    },
    60_000,
    200,
  );
}

/** Every log file of the stack's pieces and of the APIs the test started. */
export async function logFiles(...dirs: string[]): Promise<string[]> {
  const files = await Promise.all(
    dirs.map(async (dir) => (await readdir(dir)).filter((f) => f.endsWith('.log')).map((f) => join(dir, f))),
  );
  return files.flat();
}

/** The scan over the stack; retried while Temporal's deletion (asynchronous) is still under way. */
export async function scanUntilClean(options: {
  env: Record<string, string>;
  temporal: Client;
  blobs: BlobSource;
  logDirs: string[];
  needles: Needle[];
  workflowIds: string[];
  /** One scan, no waiting (a control that must find its needles). */
  once?: boolean;
}): Promise<{ report: ErasureScanReport; line: string }> {
  const redis = connectRedis({ url: options.env.REDIS_URL ?? '' });
  const codec = new AesGcmPayloadCodec(payloadKeysFromEnv(options.env));
  // Temporal deletes an execution asynchronously: seconds, more for one closed a moment ago.
  const deadline = Date.now() + 150_000;
  try {
    for (;;) {
      const report: ErasureScanReport = await scanForErasure(
        {
          blobs: options.blobs,
          redis,
          temporal: { client: options.temporal, codec, workflowIds: options.workflowIds },
          logFiles: await logFiles(...options.logDirs),
        },
        options.needles,
      );
      if (options.once || report.hits.length === 0 || Date.now() > deadline)
        return { report, line: describeScan(report) };
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * The photo is nowhere on the local stack (blob directory, Redis, Temporal, the stack's and `logDir`'s
 * logs) and the jobs' workflows are gone; the scan's line is printed under `label`.
 */
export async function expectPhotoErased(options: {
  temporal: Client;
  logDir: string;
  photo: Buffer;
  jobIds: string[];
  label: string;
}): Promise<void> {
  const { report, line } = await scanUntilClean({
    env: stack().env,
    temporal: options.temporal,
    blobs: { kind: 'dir', dir: stack().blobDir },
    logDirs: [stack().logDir, options.logDir],
    needles: needlesOf('photo', options.photo),
    workflowIds: options.jobIds.map((id) => `photomaker-${id}`),
  });
  process.stdout.write(`erasure scan after ${options.label}: ${line}\n`);
  expect(report.hits).toEqual([]);
}
