import { DEV_URL_SECRET } from '@photomaker/blobstore';
import { envRows } from '@photomaker/env';
import { deriveWebhookSecret } from '@photomaker/webhooks';
import { describe, expect, it } from 'vitest';
import { ConfigError, EMULATOR_DEV_KEY, loadConfig } from '../src/config.ts';
import { workerEnv } from '../src/env.ts';

describe('worker configuration from the environment', () => {
  it('has local defaults (emulator, project Redis) and says which dev secrets are in use', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'photomaker',
      options: { address: '127.0.0.1:7233' },
      security: 'plaintext',
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6380');
    expect(config.runware).toEqual({
      baseUrl: 'http://127.0.0.1:8787/v1',
      apiKey: EMULATOR_DEV_KEY,
      photoMakerForm: 'task',
      transport: 'rest',
      socketUrl: 'ws://127.0.0.1:8787/v1',
    });
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.warnings.join('\n')).toMatch(
      /RUNWARE_API_KEY unset[\s\S]*WEBHOOK_SECRET unset[\s\S]*URL_SECRET unset/,
    );
  });

  it('reads RUNWARE_PHOTOMAKER_FORM (task | nested) and refuses anything else, naming the choices', () => {
    expect(loadConfig({ RUNWARE_PHOTOMAKER_FORM: 'nested' }).runware.photoMakerForm).toBe('nested');
    expect(loadConfig({ RUNWARE_PHOTOMAKER_FORM: 'task' }).runware.photoMakerForm).toBe('task');
    expect(() => loadConfig({ RUNWARE_PHOTOMAKER_FORM: 'imageInference' })).toThrow(
      /RUNWARE_PHOTOMAKER_FORM: must be one of: task, nested/,
    );
  });

  it('reads RUNWARE_TRANSPORT (rest by default | websocket) and RUNWARE_WS_URL (ws:// or wss:// only)', () => {
    expect(loadConfig({}).runware.transport).toBe('rest');
    expect(
      loadConfig({ RUNWARE_TRANSPORT: 'websocket', RUNWARE_WS_URL: 'wss://ws-api.runware.ai/v1' }).runware,
    ).toMatchObject({ transport: 'websocket', socketUrl: 'wss://ws-api.runware.ai/v1' });
    expect(() => loadConfig({ RUNWARE_TRANSPORT: 'ws' })).toThrow(
      /RUNWARE_TRANSPORT: must be one of: rest, websocket/,
    );
    expect(() => loadConfig({ RUNWARE_WS_URL: 'https://api.runware.ai/v1' })).toThrow(/RUNWARE_WS_URL/);
    // Runware's WebSocket lives on its own host.
    const real = { RUNWARE_BASE_URL: 'https://api.runware.ai/v1', RUNWARE_API_KEY: 'k' };
    expect(loadConfig(real).runware.socketUrl).toBe('wss://ws-api.runware.ai/v1');
  });

  it('reads tuning and durations', () => {
    const config = loadConfig({
      RUNWARE_API_KEY: 'k',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '50',
      WORKER_RUNWARE_ACTIVITIES_PER_SECOND: '2.5',
      WORKER_SHUTDOWN_GRACE: '45s',
      WORKER_POLL_INITIAL: '250ms',
      WORKER_POLL_MAX: '2s',
      WORKER_HTTP_PORT: '0',
      PHOTOMAKER_IMAGE_URL_TTL: '12h',
      WORKER_REFERENCE_CACHE_TTL: '7d',
    });
    expect(config.imageUrlTtlSeconds).toBe(12 * 3600);
    expect(config.referenceCacheTtlSeconds).toBe(7 * 86_400);
    expect(config.tuning).toMatchObject({
      maxConcurrentActivities: 50,
      runwareActivitiesPerSecond: 2.5,
      shutdownGraceMs: 45_000,
    });
    expect(config.poll).toEqual({ initialMs: 250, factor: 1.5, maxMs: 2_000 });
    expect(config.http.port).toBe(0);
  });

  it('reads the Temporal SDK tuning (JSON) and the admission update switch', () => {
    const config = loadConfig({
      RUNWARE_API_KEY: 'k',
      WORKER_SDK_TUNING: '{"maxCachedWorkflows":0,"stickyQueueScheduleToStartTimeoutMs":2000}',
      WORKER_ADMISSION_UPDATE: 'false',
    });
    expect(config.tuning.sdk).toEqual({ maxCachedWorkflows: 0, stickyQueueScheduleToStartTimeoutMs: 2000 });
    expect(config.admissionUpdate).toBe(false);
    expect(loadConfig({ RUNWARE_API_KEY: 'k' })).toMatchObject({
      admissionUpdate: true,
      tuning: { sdk: {} },
    });
    expect(() => loadConfig({ RUNWARE_API_KEY: 'k', WORKER_SDK_TUNING: '{"maxPolls":3}' })).toThrow(
      /WORKER_SDK_TUNING: /,
    );
    expect(() => loadConfig({ RUNWARE_API_KEY: 'k', WORKER_SDK_TUNING: 'polls=3' })).toThrow(
      'WORKER_SDK_TUNING: must be a JSON object',
    );
  });

  it('names every bad variable and its rule', () => {
    let message = '';
    try {
      loadConfig({
        WORKER_HTTP_PORT: '70000',
        WORKER_SHUTDOWN_GRACE: 'soon',
        REDIS_URL: 'http://x',
        PHOTOMAKER_WEBHOOK_SECRET: 'short',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('WORKER_HTTP_PORT: must be at most 65535');
    expect(message).toContain('WORKER_SHUTDOWN_GRACE: must be a duration such as 500ms, 30s');
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).toContain('PHOTOMAKER_WEBHOOK_SECRET: must be at least 16 characters');
    expect(message).not.toContain('short');
  });

  it('requires a real key for a remote Runware', () => {
    expect(() => loadConfig({ RUNWARE_BASE_URL: 'https://api.runware.ai/v1' })).toThrow(
      'RUNWARE_API_KEY: required for https://api.runware.ai',
    );
  });
});

describe('the worker env schema (src/env.ts)', () => {
  it('describes every variable and marks the secrets', () => {
    const rows = envRows(workerEnv);
    expect(rows.map((row) => row.name)).toEqual(Object.keys(workerEnv.shape));
    const secrets = rows.filter((row) => row.secret).map((row) => row.name);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'RUNWARE_API_KEY',
        'PHOTOMAKER_WEBHOOK_SECRET',
        'PHOTOMAKER_WEBHOOK_SECRETS',
        'PHOTOMAKER_URL_SECRET',
        'WORKER_CODEC_TOKEN',
      ]),
    );
  });

  it('checks the variables other modules read (payload keys, allow-list) at start too', () => {
    let message = '';
    try {
      loadConfig({ PHOTOMAKER_PAYLOAD_KEYS: 'no-colon', PHOTOMAKER_ALLOW_PRIVATE_URLS: '10.0.0.0/99' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PHOTOMAKER_PAYLOAD_KEYS: entry 1 must be <keyId>:<base64 of 32 bytes>');
    expect(message).toContain("PHOTOMAKER_ALLOW_PRIVATE_URLS: '10.0.0.0/99' is not an IP");
    expect(message).not.toContain('no-colon');
  });

  it('signs with the same dev URL secret as the API when none is set', () => {
    expect(loadConfig({}).urlSecret).toBe(DEV_URL_SECRET);
  });

  it('refuses a bad per-tenant webhook secret at start, naming the entry and hiding the value', () => {
    let message = '';
    try {
      loadConfig({ PHOTOMAKER_WEBHOOK_SECRETS: 'tenant-a:plain-text-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      'PHOTOMAKER_WEBHOOK_SECRETS: entry 1 (tenant:whsec_...): must start with whsec_',
    );
    expect(message).not.toContain('plain-text-secret');
  });

  it('derives each tenant’s webhook secret from the master secret unless one is configured', () => {
    const configured = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const { webhookSecrets } = loadConfig({
      PHOTOMAKER_WEBHOOK_SECRET: 'master-secret-0123456789',
      PHOTOMAKER_WEBHOOK_SECRETS: `tenant-a:${configured}`,
    });
    expect(webhookSecrets.current('tenant-a')).toBe(configured);
    expect(webhookSecrets.current('tenant-b')).toBe(
      deriveWebhookSecret('master-secret-0123456789', 'tenant-b'),
    );
  });
});
