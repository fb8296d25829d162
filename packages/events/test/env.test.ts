import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { redisEnv } from '../src/env.ts';
import { parseClusterNodes } from '../src/redis-client.ts';

describe('redis env fragment', () => {
  it('defaults to the project redis-server and accepts rediss://', () => {
    expect(parseEnv(redisEnv, {})).toEqual({ ok: true, data: { REDIS_URL: 'redis://127.0.0.1:6380' } });
    expect(parseEnv(redisEnv, { REDIS_URL: 'rediss://cache:6380/2' }).ok).toBe(true);
  });

  it('takes Redis Cluster seeds as host:port,...', () => {
    expect(parseEnv(redisEnv, { REDIS_CLUSTER_NODES: 'a:7000, b:7001' })).toEqual({
      ok: true,
      data: { REDIS_URL: 'redis://127.0.0.1:6380', REDIS_CLUSTER_NODES: 'a:7000, b:7001' },
    });
    expect(parseClusterNodes('a:7000, b:7001,')).toEqual(['a:7000', 'b:7001']);
    expect(parseClusterNodes(undefined)).toEqual([]);
    expect(parseEnv(redisEnv, { REDIS_CLUSTER_NODES: 'a:7000,b' }).ok).toBe(false);
  });

  it('refuses another scheme, naming the variable', () => {
    expect(parseEnv(redisEnv, { REDIS_URL: 'http://cache:6379' })).toEqual({
      ok: false,
      problems: ['REDIS_URL: must be a redis:// or rediss:// URL (got "http://cache:6379")'],
    });
  });
});
