import { connectRedis, JobEventLog, parseClusterNodes } from '@photomaker/events';
import { startPlatform, startRedisCluster } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng, smallTask } from '@photomaker/harness/client';
import { describe, expect, it } from 'vitest';

// API and worker processes of their own (and a Temporal of their own: the stack's worker, on one Redis
// node, polls the same task queue) against a real 3-master Redis Cluster.
describe('the platform on a Redis Cluster', () => {
  it('runs one real job end to end: API and worker on a 3-master cluster, events in the job shard', {
    timeout: 180_000,
  }, async () => {
    const cluster = await startRedisCluster();
    const redis = connectRedis({ url: cluster.url, clusterNodes: parseClusterNodes(cluster.seeds) });
    const platform = await startPlatform({
      pieces: ['temporal', 'emulator', 'worker', 'api'],
      name: 'redis-cluster',
      redis: { url: cluster.url, clusterNodes: cluster.seeds },
    }).catch(async (error: unknown) => {
      redis.disconnect();
      await cluster.stop();
      throw error;
    });
    const client = new PlatformClient(platform.apiUrl, platform.apiKey);
    try {
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
      redis.disconnect();
      await cluster.stop();
    }
  });
});
