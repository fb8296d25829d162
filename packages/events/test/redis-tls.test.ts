import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa, startRedis, startRedisCluster, type TestCa } from '@photomaker/harness';
import type { JobEvent } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, JobEventLog, parseClusterNodes, type RedisClient } from '../src/index.ts';

let dir: string;
let ca: TestCa;
const clients: RedisClient[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'photomaker-events-tls-'));
  ca = await makeTestCa(dir);
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await rm(dir, { recursive: true, force: true });
});

const event = (jobId: string, seq: number): JobEvent => ({
  jobId,
  seq,
  at: '2026-12-06T05:00:00.000Z',
  stage: 'queued',
  data: { numberResults: 1 },
});

/** A client that gives up at once, so a refused connection shows as an error rather than retries. */
function connect(url: string, clusterNodes: string[] = [], trust: Buffer | 'plaintext' = ca.ca): RedisClient {
  const client = connectRedis({
    url,
    clusterNodes,
    redisOptions: {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...(trust === 'plaintext' ? {} : { tls: { ca: trust } }),
    },
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

describe('rediss:// with a password', () => {
  it('one node: appends and reads over TLS; refused without the CA or with a wrong password', async () => {
    const server = await startRedis({ tls: ca });
    try {
      const log = new JobEventLog(connect(server.url));
      expect(await log.append(event('tls-1', 1))).toBe('appended');
      expect((await log.range('tls-1')).map((e) => e.seq)).toEqual([1]);

      await expect(connect(server.url, [], Buffer.from('')).ping()).rejects.toThrow();
      const wrong = server.url.replace(server.password, 'not-the-password');
      await expect(connect(wrong).ping()).rejects.toThrow(/WRONGPASS|NOAUTH|invalid/i);
      await expect(
        connect(server.url.replace('rediss:', 'redis:'), [], 'plaintext').ping(),
      ).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it('a cluster: every node, its bus and replication over TLS; the URL gives scheme and password', async () => {
    const cluster = await startRedisCluster({ tls: ca });
    try {
      expect(cluster.url.startsWith('rediss://')).toBe(true);
      const log = new JobEventLog(connect(cluster.url, parseClusterNodes(cluster.seeds)));
      const jobs = Array.from({ length: 20 }, (_, i) => `tls-job-${i}`);
      for (const jobId of jobs) expect(await log.append(event(jobId, 1))).toBe('appended');
      const read = await log.readMany(new Map(jobs.map((jobId) => [jobId, 0])));
      expect(read.size).toBe(jobs.length);
    } finally {
      await cluster.stop();
    }
  });
});
