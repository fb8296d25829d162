import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTestCa, redisPing, startRedis, startRedisCluster } from '../src/index.ts';

describe('startRedisCluster', () => {
  it('builds 3 masters with a replica each, fails one over cleanly, survives a kill -9, and stops', async () => {
    const cluster = await startRedisCluster();
    try {
      expect(cluster.nodes).toHaveLength(6);
      expect(cluster.seeds.split(',')).toHaveLength(6);
      const masters = await cluster.masterPorts();
      expect(masters).toHaveLength(3);
      for (const master of masters) expect(masters).not.toContain(await cluster.replicaOf(master));
      // Nobody gets in without the password, replicas included (masterauth).
      const first = cluster.nodes[0]?.port ?? 0;
      expect(await redisPing(first)).toBe(false);
      expect(await redisPing(first, '127.0.0.1', cluster.password)).toBe(true);

      const owner = await cluster.masterOfSlot(0);
      const promoted = await cluster.failover(owner);
      expect(promoted).not.toBe(owner);
      expect(await cluster.masterOfSlot(0)).toBe(promoted);

      const victim = await cluster.masterOfSlot(16_000);
      const heir = await cluster.kill(victim);
      expect(heir).toBeDefined();
      expect(heir).not.toBe(victim);
      expect(await cluster.masterOfSlot(16_000)).toBe(heir);
    } finally {
      await cluster.stop();
    }
    for (const node of cluster.nodes) expect(node.process.running).toBe(false);
  });
});

describe('startRedis with TLS', () => {
  it('serves rediss:// only, with a certificate from the test CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'photomaker-test-ca-'));
    const ca = await makeTestCa(dir);
    const redis = await startRedis({ tls: ca });
    try {
      expect(redis.url).toBe(`rediss://:${redis.password}@127.0.0.1:${redis.port}`);
      expect(await redisPing(redis.port, '127.0.0.1', redis.password, { ca: ca.ca })).toBe(true);
      // No plaintext on that port.
      expect(await redisPing(redis.port, '127.0.0.1', redis.password)).toBe(false);
    } finally {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
