import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSecrets, Platform, platformEnv, redisPing, startPlatform } from '../src/index.ts';

describe('platformEnv', () => {
  const wiring = {
    blobDir: '/tmp/blobs',
    secrets: generateSecrets('t'),
    logLevel: 'info',
    allowPrivateUrls: '127.0.0.1',
    api: { tenant: 'acme', key: 'k-1' },
  };

  it('wires the endpoints of running pieces only, and the same secrets into worker and API', () => {
    const envs = platformEnv({
      ...wiring,
      redisUrl: 'redis://127.0.0.1:1',
      emulatorUrl: 'http://127.0.0.1:2',
    });
    expect(envs.shared).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:1',
      RUNWARE_BASE_URL: 'http://127.0.0.1:2/v1',
      RUNWARE_API_KEY: wiring.secrets.runwareKey,
      PHOTOMAKER_BLOB_DIR: '/tmp/blobs',
    });
    expect(envs.shared).not.toHaveProperty('TEMPORAL_ADDRESS');
    expect(envs.shared).not.toHaveProperty('REDIS_CLUSTER_NODES');
    const clustered = platformEnv({
      ...wiring,
      redisUrl: 'redis://:pw@127.0.0.1:1',
      redisClusterNodes: 'a:1,b:2',
    });
    expect(clustered.worker).toMatchObject({
      REDIS_URL: 'redis://:pw@127.0.0.1:1',
      REDIS_CLUSTER_NODES: 'a:1,b:2',
    });
    expect(clustered.api.REDIS_CLUSTER_NODES).toBe('a:1,b:2');
    expect(envs.shared).not.toHaveProperty('PHOTOMAKER_PUBLIC_URL');
    expect(envs.emulator.RUNWARE_EMULATOR_KEYS).toBe(wiring.secrets.runwareKey);
    expect(envs.api.PHOTOMAKER_API_KEYS).toBe('acme:k-1');
    expect(envs.api).not.toHaveProperty('PHOTOMAKER_RATE_LIMIT');
    const unlimited = platformEnv({ ...wiring, api: { ...wiring.api, rateLimited: false } });
    expect(unlimited.api.PHOTOMAKER_RATE_LIMIT).toBe('0');
    expect(unlimited.api).toMatchObject({
      PHOTOMAKER_MAX_CONNECTIONS_PER_IP: '0',
      PHOTOMAKER_AUTH_FAILURES_BEFORE_BLOCK: '0',
      PHOTOMAKER_ANONYMOUS_RATE_LIMIT: '0',
    });
    for (const name of ['PHOTOMAKER_PAYLOAD_KEYS', 'PHOTOMAKER_URL_SECRET', 'PHOTOMAKER_WEBHOOK_SECRET'])
      expect(envs.worker[name]).toBe(envs.api[name]);
    expect(wiring.secrets.payloadKeys).toMatch(/^t:[A-Za-z0-9+/]{43}=$/);
  });

  it('points the apps at a Temporal of your own without starting one', async () => {
    const platform = new Platform({ pieces: ['worker'], temporalAddress: '10.0.0.5:7233' });
    expect(platform.temporalAddress).toBe('10.0.0.5:7233');
    expect(platform.envs.worker.TEMPORAL_ADDRESS).toBe('10.0.0.5:7233');
    expect(platform.envs.shared).not.toHaveProperty('REDIS_URL');
    await platform.stop();
    expect(existsSync(platform.dataDir)).toBe(false);
  });
});

describe('startPlatform (real processes)', () => {
  it('starts the chosen pieces wired together, restarts one on its port, and cleans up', {
    timeout: 120_000,
  }, async () => {
    const platform = await startPlatform({ pieces: ['redis', 'emulator'], name: 'harness-test' });
    try {
      expect(platform.has('temporal')).toBe(false);
      expect(() => platform.temporalAddress).toThrow(/temporal is not started/);
      const redisUrl = new URL(platform.redisUrl);
      expect(await redisPing(Number(redisUrl.port), '127.0.0.1', redisUrl.password)).toBe(true);
      expect(await redisPing(Number(redisUrl.port))).toBe(false);
      const ping = () =>
        fetch(platform.runwareBaseUrl, {
          method: 'POST',
          headers: { authorization: `Bearer ${platform.envs.shared.RUNWARE_API_KEY}` },
          body: JSON.stringify([{ taskType: 'ping', ping: true }]),
        });
      // The emulator accepts exactly the key the apps are given.
      expect((await ping()).status).toBe(200);
      const before = platform.emulatorUrl;
      const pid = platform.pid('emulator');
      const { downMs } = await platform.restart('emulator', 'kill');
      expect(downMs).toBeGreaterThan(0);
      expect(platform.emulatorUrl).toBe(before);
      expect(platform.pid('emulator')).not.toBe(pid);
      expect(platform.starts).toMatchObject({ emulator: 2, redis: 1, temporal: 0 });
      expect((await ping()).status).toBe(200);
      expect(Object.keys(platform.pids()).sort()).toEqual(['emulator', 'redis']);
    } finally {
      await platform.stop();
    }
    expect(existsSync(platform.dataDir)).toBe(false);
    expect(platform.process('emulator')?.running).toBe(false);
  });
});
