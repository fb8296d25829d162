import {
  type RunningRedis,
  type RunningRedisCluster,
  startRedis,
  startRedisCluster,
} from '@photomaker/harness';
import { connectRedis, parseClusterNodes, type RedisClient } from '../../src/index.ts';

/** The two deployments the package supports: every behaviour test runs on both. */
export const BACKENDS = ['single node', 'cluster'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export interface Backend {
  kind: BackendKind;
  /** A connection the test may use and leave open (closed by stop). */
  client: RedisClient;
  /** Another connection (for a blocking read), closed by stop. */
  connect(): RedisClient;
  cluster: RunningRedisCluster | undefined;
  stop(): Promise<void>;
}

/** A real redis-server, or a real 3-master cluster with a replica each, and a client of it. */
export async function startBackend(kind: BackendKind): Promise<Backend> {
  let server: RunningRedis | undefined;
  let cluster: RunningRedisCluster | undefined;
  if (kind === 'cluster') cluster = await startRedisCluster();
  else server = await startRedis();
  const clients: RedisClient[] = [];
  const connect = () => {
    const client = cluster
      ? connectRedis({ url: cluster.url, clusterNodes: parseClusterNodes(cluster.seeds) })
      : connectRedis({ url: server?.url ?? '' });
    clients.push(client);
    return client;
  };
  return {
    kind,
    client: connect(),
    connect,
    cluster,
    async stop() {
      for (const client of clients) client.disconnect();
      await (cluster ?? server)?.stop();
    },
  };
}
