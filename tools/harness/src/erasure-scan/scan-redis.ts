import type { Cluster, Redis } from 'ioredis';
import { findNeedles, type Needle } from './needles.ts';
import type { AreaScan } from './scan-blobs.ts';

/** Every value of a key, whatever its type, as buffers. */
async function valuesOf(node: Redis, key: string): Promise<Buffer[]> {
  const type = await node.type(key);
  switch (type) {
    case 'string':
      return [(await node.getBuffer(key)) ?? Buffer.alloc(0)];
    case 'hash':
      return Object.entries(await node.hgetallBuffer(key)).flatMap(([field, value]) => [
        Buffer.from(field),
        value,
      ]);
    case 'list':
      return node.lrangeBuffer(key, 0, -1);
    case 'set':
      return node.smembersBuffer(key);
    case 'zset':
      return node.zrangeBuffer(key, 0, -1, 'WITHSCORES');
    case 'stream': {
      const entries = (await node.xrangeBuffer(key, '-', '+')) as unknown as [Buffer, Buffer[]][];
      return entries.flatMap(([id, fields]) => [id, ...fields]);
    }
    default:
      return [Buffer.from(type)];
  }
}

/** SCAN of every key on every master (or the one node): each key's name and every value of any type. */
export async function scanRedis(redis: Redis | Cluster, needles: readonly Needle[]): Promise<AreaScan> {
  const scan: AreaScan = { scanned: 0, hits: [] };
  const nodes: Redis[] = 'nodes' in redis && redis.isCluster ? redis.nodes('master') : [redis as Redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        scan.scanned += 1;
        scan.hits.push(...findNeedles(`redis key ${key} (name)`, key, needles));
        for (const value of await valuesOf(node, key)) {
          scan.hits.push(...findNeedles(`redis key ${key}`, value, needles));
        }
      }
    } while (cursor !== '0');
  }
  return scan;
}
