import { connectRedis, parseClusterNodes, type RedisClient } from '@photomaker/events';
import { type RunningRedisCluster, startRedisCluster } from '@photomaker/harness';
import { stack } from '../helpers.ts';

/** The Redis deployments the API supports: tests of its Redis pieces run on both. */
export const REDIS_BACKENDS = ['single node', 'cluster'] as const;
export type RedisBackendKind = (typeof REDIS_BACKENDS)[number];

export interface RedisBackend {
  client: RedisClient;
  /** The real cluster (3 masters, a replica each) behind a `cluster` backend. */
  cluster: RunningRedisCluster | undefined;
  stop(): Promise<void>;
}

/** `single node`: the stack's redis-server; `cluster`: a cluster of its own, stopped with the backend. */
export async function startRedisBackend(
  kind: RedisBackendKind,
  connectionName: string,
): Promise<RedisBackend> {
  const cluster = kind === 'cluster' ? await startRedisCluster() : undefined;
  const client = connectRedis({
    url: cluster?.url ?? stack().redisUrl,
    ...(cluster ? { clusterNodes: parseClusterNodes(cluster.seeds) } : {}),
    redisOptions: { connectionName },
  });
  return {
    client,
    cluster,
    async stop() {
      client.disconnect();
      await cluster?.stop();
    },
  };
}
