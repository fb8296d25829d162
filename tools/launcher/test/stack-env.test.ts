import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENVS, APP_NAMES } from '../src/app-envs.ts';
import { parseCliArgs } from '../src/cli-args.ts';
import { loadConfig } from '../src/config.ts';
import { appEnvironments, type Endpoints } from '../src/stack-env.ts';

const secrets = {
  payloadKeys: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  webhookSecret: 'webhook-secret-0123456789',
  urlSecret: 'url-secret-0123456789abcdef',
  emulatorKey: 'rw-emulator-generated-key',
  redisPassword: 'redis-password-0123456789',
  metricsToken: 'metrics-token-0123456789',
  codecToken: 'codec-token-0123456789ab',
};
const endpoints: Endpoints = {
  temporalAddress: '127.0.0.1:7233',
  temporalUiUrl: 'http://127.0.0.1:8233',
  redisUrl: 'redis://127.0.0.1:6380',
  runwareBaseUrl: 'http://127.0.0.1:8787/v1',
  apiUrl: 'http://127.0.0.1:4000',
  workerUrl: 'http://127.0.0.1:9464',
};
const envsFor = (processEnv: Record<string, string>, argv: string[] = []) =>
  appEnvironments(
    loadConfig({ rootDir: '/srv/pm', processEnv, flags: parseCliArgs(argv) }),
    secrets,
    'pm_demo_key_0123456789_0123456789abcdef',
    endpoints,
  );

describe('what each app gets', () => {
  it('without user keys: the demo key for the API and the web app', () => {
    const envs = envsFor({ PATH: '/usr/bin' });
    expect(envs.demo).toBe(true);
    expect(envs.api).toMatchObject({
      PORT: '4000',
      PHOTOMAKER_API_KEYS: 'demo:pm_demo_key_0123456789_0123456789abcdef',
      PHOTOMAKER_WEB_DEMO_KEY: 'pm_demo_key_0123456789_0123456789abcdef',
      PHOTOMAKER_WEB_DIR: '/srv/pm/apps/web/dist',
      PHOTOMAKER_TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      PHOTOMAKER_URL_SECRET: secrets.urlSecret,
      PHOTOMAKER_PAYLOAD_KEYS: secrets.payloadKeys,
      PATH: '/usr/bin',
    });
  });

  it('the operator tokens: /metrics of both processes, and /codec for the Temporal UI origin only', () => {
    const envs = envsFor({});
    expect(envs.api.PHOTOMAKER_METRICS_TOKEN).toBe(secrets.metricsToken);
    expect(envs.worker).toMatchObject({
      PHOTOMAKER_METRICS_TOKEN: secrets.metricsToken,
      WORKER_CODEC_TOKEN: secrets.codecToken,
      WORKER_CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233,http://localhost:8233',
    });
    expect(envs.api.WORKER_CODEC_TOKEN).toBeUndefined();
    const own = envsFor({
      PHOTOMAKER_METRICS_TOKEN: 'my-own-metrics-token-123',
      WORKER_CODEC_TOKEN: 'my-own-codec-token-12345',
      WORKER_CODEC_CORS_ORIGINS: 'https://temporal.example',
    });
    expect(own.api.PHOTOMAKER_METRICS_TOKEN).toBe('my-own-metrics-token-123');
    expect(own.worker).toMatchObject({
      WORKER_CODEC_TOKEN: 'my-own-codec-token-12345',
      WORKER_CODEC_CORS_ORIGINS: 'https://temporal.example',
    });
  });

  it('PHOTOMAKER_API_KEYS set by the user replaces the demo key (and the web app asks for a key)', () => {
    const envs = envsFor({ PHOTOMAKER_API_KEYS: 'acme:acme-key-123456-0123456789abcdefghij' });
    expect(envs.demo).toBe(false);
    expect(envs.api.PHOTOMAKER_API_KEYS).toBe('acme:acme-key-123456-0123456789abcdefghij');
    expect(envs.api.PHOTOMAKER_WEB_DEMO_KEY).toBeUndefined();
    expect(JSON.stringify(envs)).not.toContain('pm_demo_key');
  });

  it('PHOTOMAKER_API_KEYS_FILE replaces the demo key too', () => {
    const envs = envsFor({ PHOTOMAKER_API_KEYS_FILE: '/etc/hostname' });
    expect(envs.demo).toBe(false);
    expect(envs.api.PHOTOMAKER_API_KEYS_FILE).toBe('/etc/hostname');
    expect(envs.api.PHOTOMAKER_API_KEYS).toBeUndefined();
  });

  it('PHOTOMAKER_TENANTS_FILE replaces the demo key too, and reaches the API as it is', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tenants-')), 'tenants.yaml');
    writeFileSync(file, 'tenants: {}\n');
    const envs = envsFor({ PHOTOMAKER_TENANTS_FILE: file });
    expect(envs.demo).toBe(false);
    expect(envs.api.PHOTOMAKER_TENANTS_FILE).toBe(file);
    expect(envs.api.PHOTOMAKER_API_KEYS).toBeUndefined();
    expect(envs.api.PHOTOMAKER_WEB_DEMO_KEY).toBeUndefined();
  });

  it('the emulator key goes to the worker; a real Runware key never reaches the emulator', () => {
    const envs = envsFor({ RUNWARE_API_KEY: 'real-runware-key-xyz' }, ['--emulator']);
    expect(envs.worker.RUNWARE_API_KEY).toBe(secrets.emulatorKey);
    expect(envs.api.RUNWARE_API_KEY).toBe(secrets.emulatorKey);
    expect(envs.emulator.RUNWARE_EMULATOR_KEYS).toBe(secrets.emulatorKey);
    expect(JSON.stringify(envs)).not.toContain('real-runware-key-xyz');
  });

  it('with the real Runware, the worker and the API (dry-run prices) get the user key, the emulator never', () => {
    const envs = envsFor({ RUNWARE_API_KEY: 'real-runware-key-xyz' });
    expect(envs.worker.RUNWARE_API_KEY).toBe('real-runware-key-xyz');
    expect(envs.api.RUNWARE_API_KEY).toBe('real-runware-key-xyz');
    expect(envs.api.RUNWARE_BASE_URL).toBe(envs.worker.RUNWARE_BASE_URL);
    expect(envs.emulator.RUNWARE_API_KEY).toBeUndefined();
  });

  it('each app gets only names its env schema reads, besides what it inherits', () => {
    const inherited = { PATH: '/usr/bin', WORKER_POLL_MAX: '2s' };
    const envs = envsFor(inherited);
    for (const app of APP_NAMES) {
      const reads = new Set(Object.keys(APP_ENVS[app].schema.shape));
      const set = Object.keys(envs[app]).filter((name) => !(name in inherited));
      expect(
        set.filter((name) => !reads.has(name)),
        app,
      ).toEqual([]);
    }
    expect(envs.api.WORKER_POLL_MAX).toBe('2s');
  });

  it('PORT is the API port only: no other app inherits it', () => {
    const envs = envsFor({ PORT: '5000' });
    expect(envs.api.PORT).toBe('5000');
    expect(envs.worker.PORT).toBeUndefined();
    expect(envs.emulator.PORT).toBeUndefined();
    expect(envs.worker).toMatchObject({ WORKER_HTTP_PORT: '9464', WORKER_CORE_METRICS_PORT: '9465' });
  });

  it('user secrets win over generated ones', () => {
    const envs = envsFor({ PHOTOMAKER_URL_SECRET: 'my-own-url-secret-123' });
    expect(envs.api.PHOTOMAKER_URL_SECRET).toBe('my-own-url-secret-123');
    expect(envs.worker.PHOTOMAKER_URL_SECRET).toBe('my-own-url-secret-123');
  });

  it('the API and the worker share the webhook master secret (the API tells tenants what the worker signs with)', () => {
    const envs = envsFor({});
    expect(envs.api.PHOTOMAKER_WEBHOOK_SECRET).toBe('webhook-secret-0123456789');
    expect(envs.worker.PHOTOMAKER_WEBHOOK_SECRET).toBe('webhook-secret-0123456789');
    const own = envsFor({ PHOTOMAKER_WEBHOOK_SECRET: 'my-own-webhook-secret-1' });
    expect([own.api.PHOTOMAKER_WEBHOOK_SECRET, own.worker.PHOTOMAKER_WEBHOOK_SECRET]).toEqual([
      'my-own-webhook-secret-1',
      'my-own-webhook-secret-1',
    ]);
  });
});
