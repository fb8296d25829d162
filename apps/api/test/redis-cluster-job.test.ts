import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, JobEventLog, parseClusterNodes } from '@photomaker/events';
import { makeTestCa, startPlatform, startRedisCluster } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng, smallTask } from '@photomaker/harness/client';
import { describe, expect, it } from 'vitest';

// API and worker processes of their own (and a Temporal of their own: the stack's worker, on one Redis
// node, polls the same task queue) against a real 3-master Redis Cluster over TLS with a password
// (`rediss://`), whose private CA the apps trust through Node's NODE_EXTRA_CA_CERTS.
describe('the platform on a Redis Cluster', () => {
  it('runs one real job end to end: API and worker on a 3-master TLS cluster, events in the job shard', {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'photomaker-cluster-ca-'));
    const ca = await makeTestCa(dir);
    const cluster = await startRedisCluster({ tls: ca });
    const redis = connectRedis({
      url: cluster.url,
      clusterNodes: parseClusterNodes(cluster.seeds),
      redisOptions: { tls: { ca: ca.ca } },
    });
    const cleanup = async () => {
      redis.disconnect();
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    };
    const trust = { NODE_EXTRA_CA_CERTS: ca.caFile };
    const platform = await startPlatform({
      pieces: ['temporal', 'emulator', 'worker', 'api'],
      name: 'redis-cluster',
      redis: { url: cluster.url, clusterNodes: cluster.seeds },
      env: { worker: trust, api: trust },
    }).catch(async (error: unknown) => {
      await cleanup();
      throw error;
    });
    const client = new PlatformClient(platform.apiUrl, platform.apiKey);
    try {
      expect(cluster.url.startsWith('rediss://')).toBe(true);
      expect(platform.envs.api).toMatchObject({ REDIS_URL: cluster.url, REDIS_CLUSTER_NODES: cluster.seeds });
      const reference = await client.uploadReference(pngDataUri(await referencePng()));
      const job = await client.runJob(smallTask(reference));
      expect(job.status).toBe('SUCCEEDED');
      // The worker's appends are in the cluster, under the job's shard tag, gap-free from 1.
      const events = await new JobEventLog(redis).range(job.jobId);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)?.stage).toBe('succeeded');
      // The API's view folds the same stream.
      const read = await client.http.post<{ job: { status: string } }>(
        'query($id: ID!) { job(id: $id) { status } }',
        { id: job.jobId },
      );
      expect(read.data?.job.status).toBe('SUCCEEDED');
    } finally {
      await client.close();
      await platform.stop();
      await cleanup();
    }
  });
});
