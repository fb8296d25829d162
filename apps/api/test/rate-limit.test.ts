import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimit } from '../src/guards/rate-limit.ts';
import { REDIS_BACKENDS, type RedisBackend, startRedisBackend } from './support/redis-backends.ts';

// The per-key request limit counts in Redis (rate-limiter-flexible's one-key script), on one node and
// on a cluster, where each key's counter lives on the master of its slot.
describe.each(REDIS_BACKENDS)('RateLimit on a real Redis %s', (kind) => {
  let backend: RedisBackend;
  beforeAll(async () => {
    backend = await startRedisBackend(kind, 'rate-limit-test');
  });
  afterAll(() => backend.stop());

  it('allows the window’s points per key, refuses the next with a retry time, and counts keys apart', async () => {
    const limit = new RateLimit({ redis: backend.client, points: 3, windowSeconds: 60 });
    const keys = Array.from({ length: 6 }, () => `key-${randomUUID()}`);
    for (const key of keys) {
      for (let i = 0; i < 3; i++) expect(await limit.consume(key)).toEqual({ ok: true });
      const refused = await limit.consume(key);
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThan(50);
    }
    // Counted in Redis, not in the in-memory fallback: a fresh limiter (another API process's) sees it.
    const other = new RateLimit({ redis: backend.client, points: 3, windowSeconds: 60 });
    expect((await other.consume(keys[0] ?? '')).ok).toBe(false);
  });
});
