import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { keySlot } from './key-slot.ts';

/** One Redis node or a Redis Cluster: the apps take either, as REDIS_URL / REDIS_CLUSTER_NODES say. */
export type RedisClient = Redis | Cluster;

export interface RedisConnectOptions {
  /** `redis://` or `rediss://`, with credentials. In a cluster only its scheme and credentials are used. */
  url: string;
  /** `host:port` seeds of a Redis Cluster; none: `url` is one node. */
  clusterNodes?: readonly string[];
  /** Per-connection options (connectionName, retries, `tls.ca` ...), for every node of a cluster too. */
  redisOptions?: RedisOptions;
  /** Commands issued in one tick share one write (ioredis' auto-pipelining), per node in a cluster. */
  autoPipelining?: boolean;
}

/** REDIS_CLUSTER_NODES (`host:port,host:port`) as seeds; empty when unset or blank. */
export function parseClusterNodes(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node.length > 0);
}

/**
 * Connects as configured. A cluster client follows MOVED/ASK redirections and failovers by itself; the
 * TLS and the credentials of `url` apply to every node it discovers.
 */
export function connectRedis(options: RedisConnectOptions): RedisClient {
  const perConnection: RedisOptions = {
    ...options.redisOptions,
    ...(options.autoPipelining ? { enableAutoPipelining: true } : {}),
  };
  if (!options.clusterNodes || options.clusterNodes.length === 0)
    return new Redis(options.url, perConnection);
  const url = new URL(options.url);
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...perConnection,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: { ...perConnection.tls } } : {}),
    },
    ...(options.autoPipelining ? { enableAutoPipelining: true } : {}),
  };
  return new Cluster(
    options.clusterNodes.map((node) => {
      const [host = '127.0.0.1', port = '6379'] = node.split(':');
      return { host, port: Number(port) };
    }),
    clusterOptions,
  );
}

/**
 * A connection of its own (for a blocking read): on one node a duplicate of it, which reconnects by
 * itself; in a cluster a plain connection to the node at `address` (with the cluster's credentials and
 * TLS) that does not reconnect, since after a failover that node may serve other slots: the caller
 * finds the slot's node again.
 */
export function dedicatedConnection(redis: RedisClient, connectionName: string, address: string): Redis {
  if (!(redis instanceof Cluster)) return redis.duplicate({ connectionName });
  const [host = '127.0.0.1', port = '6379'] = address.split(':');
  return new Redis({
    ...redis.options.redisOptions,
    host,
    port: Number(port),
    connectionName,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
}

/** The node connections that hold every key: a cluster's masters, or the one node. */
export function masterConnections(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/**
 * `host:port` of the master serving `slot` as the cluster client knows it now (`single` on one node);
 * undefined while a cluster client has no slot table yet.
 */
export function addressOfSlot(redis: RedisClient, slot: number): string | undefined {
  return redis instanceof Cluster ? redis.slots[slot]?.[0] : 'single';
}

/** The connection of `redis` to the node at `address` (as connectionForSlot names it), if it has one. */
export function connectionTo(redis: RedisClient, address: string): Redis | undefined {
  if (!(redis instanceof Cluster)) return redis;
  return redis.nodes('all').find((n) => `${n.options.host}:${n.options.port}` === address);
}

/**
 * Keys grouped so that each group may go in one multi-key command: by hash slot in a cluster (a command
 * over several slots is refused with CROSSSLOT), all together on one node.
 */
export function groupBySlot(redis: RedisClient, keys: readonly string[]): string[][] {
  if (!redis.isCluster) return keys.length > 0 ? [[...keys]] : [];
  const groups = new Map<number, string[]>();
  for (const key of keys) {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group) group.push(key);
    else groups.set(slot, [key]);
  }
  return [...groups.values()];
}

/** MGET that works on a cluster: one MGET per slot, answers in the order of `keys`. */
export async function getMany(redis: RedisClient, keys: readonly string[]): Promise<(string | null)[]> {
  const values = new Map<string, string | null>();
  await Promise.all(
    groupBySlot(redis, keys).map(async (group) => {
      const answers = await redis.mget(...group);
      for (const [i, key] of group.entries()) values.set(key, answers[i] ?? null);
    }),
  );
  return keys.map((key) => values.get(key) ?? null);
}

/** DEL that works on a cluster: one DEL per slot; the number of keys removed. */
export async function deleteMany(redis: RedisClient, keys: readonly string[]): Promise<number> {
  const counts = await Promise.all(groupBySlot(redis, keys).map((group) => redis.del(...group)));
  return counts.reduce((sum, n) => sum + n, 0);
}
