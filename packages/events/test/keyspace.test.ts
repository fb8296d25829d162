import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SHARDS, familyPrefix, jobKey, keySlot, shardOf, streamKey } from '../src/index.ts';
import { type Backend, startBackend } from './support/backends.ts';

describe('key names', () => {
  it('keep the names a single-node deployment already has', () => {
    expect(streamKey('j1')).toBe('photomaker:job:j1:events');
    expect(jobKey('j1', 'record')).toBe('photomaker:job:j1:record');
    expect(familyPrefix('usage')).toBe('photomaker:usage');
    expect(shardOf('j1')).toBe(0);
  });

  it('put every key of a job in its shard slot on a cluster, and a family in one slot', () => {
    const slot = keySlot(streamKey('j1', 'cluster'));
    expect(keySlot(jobKey('j1', 'record', 'cluster'))).toBe(slot);
    expect(keySlot(jobKey('j1', 'tenant', 'cluster'))).toBe(slot);
    expect(keySlot(`${familyPrefix('usage', 'cluster')}:running:a`)).toBe(
      keySlot(`${familyPrefix('usage', 'cluster')}:inflight`),
    );
    const shards = new Set(Array.from({ length: 500 }, (_, i) => shardOf(`job-${i}`, 'cluster')));
    expect(shards.size).toBe(EVENT_SHARDS);
  });
});

describe('keySlot', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await startBackend('cluster');
  });
  afterAll(() => backend.stop());

  it('agrees with CLUSTER KEYSLOT', async () => {
    const keys = [
      '',
      'a',
      'photomaker:job:x:events',
      '{user1000}.following',
      'foo{}{bar}',
      'foo{{bar}}zap',
      'ü{é}',
      'x{',
    ];
    for (const key of keys)
      expect(keySlot(key)).toBe(Number(await backend.client.call('CLUSTER', 'KEYSLOT', key)));
  });
});
