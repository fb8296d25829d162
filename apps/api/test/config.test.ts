import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envRows, parseEnv } from '@photomaker/env';
import { deriveWebhookSecret } from '@photomaker/webhooks';
import { describe, expect, it } from 'vitest';
import { configFromEnv, DEV_API_KEYS, limitsFromEnv } from '../src/config.ts';
import { apiEnv } from '../src/env.ts';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the API env schema (src/env.ts)', () => {
  it('parses an empty environment into local defaults', () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      apiKeysSpec: DEV_API_KEYS,
      temporal: { address: '127.0.0.1:7233', namespace: 'default', security: 'plaintext' },
      redisUrl: 'redis://127.0.0.1:6380',
      allowPrivateUrls: '',
      corsOrigins: [],
    });
    expect(config.payloadKeys).toBeUndefined();
    expect(config.limits).toMatchObject({ bodyBytes: 48 * 1024 * 1024, queryDepth: 10, ratePoints: 600 });
    expect(config.warnings.join('\n')).toMatch(/PHOTOMAKER_API_KEYS[\s\S]*PHOTOMAKER_URL_SECRET unset/);
  });

  it('reads a full, valid environment', () => {
    const keysFile = join(tmpdir(), `api-keys-${process.pid}.txt`);
    writeFileSync(keysFile, 'beta:beta-key-123456-0123456789abcdefghij\n');
    const config = configFromEnv(
      {
        PORT: '5000',
        PHOTOMAKER_API_KEYS: 'acme:acme-key-123456-0123456789abcdefghij',
        PHOTOMAKER_API_KEYS_FILE: keysFile,
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        REDIS_URL: 'rediss://cache:6380',
        PHOTOMAKER_PUBLIC_URL: 'https://photos.example/',
        PHOTOMAKER_URL_SECRET: 'url-secret-0123456789',
        PHOTOMAKER_WEBHOOK_SECRET: 'webhook-secret-0123456789',
        PHOTOMAKER_CORS_ORIGINS: 'https://app.example',
        PHOTOMAKER_MAX_IMAGE_BYTES: '4096',
        PHOTOMAKER_RATE_LIMIT: '0',
      },
      ['--port', '5001'],
    );
    expect(config).toMatchObject({
      port: 5001,
      apiKeysSpec: 'acme:acme-key-123456-0123456789abcdefghij\nbeta:beta-key-123456-0123456789abcdefghij\n',
      temporal: { address: 'temporal.internal:7233', options: { address: 'temporal.internal:7233' } },
      redisUrl: 'rediss://cache:6380',
      publicUrl: 'https://photos.example',
      urlSecret: 'url-secret-0123456789',
      corsOrigins: ['https://app.example'],
      warnings: [],
    });
    expect(config.limits).toMatchObject({ imageBytes: 4096, ratePoints: 0 });
    // The same derivation as the worker's, so what a tenant is told verifies what the worker signs.
    expect(config.webhookSecrets.current('acme')).toBe(
      deriveWebhookSecret('webhook-secret-0123456789', 'acme'),
    );
  });

  it('refuses bad values, naming each variable and its rule, without echoing secrets', () => {
    const message = failure(() =>
      configFromEnv({
        PHOTOMAKER_MAX_BODY_BYTES: '-1',
        REDIS_URL: 'http://cache:6379',
        PHOTOMAKER_URL_SECRET: 'short-secret',
        PHOTOMAKER_CORS_ORIGINS: 'https://a.example/app',
        PHOTOMAKER_WEBHOOK_SECRETS: 'acme:whsec_c2hvcnQ=',
      }),
    );
    expect(message).toContain('PHOTOMAKER_MAX_BODY_BYTES: must be an integer >= 0 (got "-1")');
    expect(message).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(message).toContain('PHOTOMAKER_URL_SECRET: must be at least 16 characters');
    expect(message).toContain("PHOTOMAKER_CORS_ORIGINS: 'https://a.example/app' is not an origin");
    expect(message).toContain(
      'PHOTOMAKER_WEBHOOK_SECRETS: entry 1 (tenant:whsec_...): must hold 24 to 64 bytes',
    );
    expect(message).not.toContain('short-secret');
    expect(message).not.toContain('c2hvcnQ');
  });

  it('names --port when the flag carries the bad port', () => {
    expect(failure(() => configFromEnv({}, ['--port', '70000']))).toContain(
      'PORT / --port: must be at most 65535 (got "70000")',
    );
  });

  it('limitsFromEnv reads the limits alone, with the same rules', () => {
    expect(limitsFromEnv({ PHOTOMAKER_MAX_QUERY_DEPTH: '4' }).queryDepth).toBe(4);
    expect(failure(() => limitsFromEnv({ PHOTOMAKER_SYNC_WAIT_MS: 'soon' }))).toContain(
      'PHOTOMAKER_SYNC_WAIT_MS: must be an integer >= 0',
    );
  });

  it('refuses keys shorter than 32 characters at start, naming the variable and never the key', () => {
    const short = failure(() => configFromEnv({ PHOTOMAKER_API_KEYS: 'acme:only-twenty-chars-long' }));
    expect(short).toContain('PHOTOMAKER_API_KEYS / PHOTOMAKER_API_KEYS_FILE');
    expect(short).toContain('at least 32 characters');
    expect(short).not.toContain('only-twenty-chars-long');
    expect(configFromEnv({ PHOTOMAKER_API_KEYS: `acme:${'k'.repeat(32)}` }).apiKeysSpec).toBe(
      `acme:${'k'.repeat(32)}`,
    );
  });

  it('refuses a request timeout shorter than the headers timeout (Node would throw at start)', () => {
    expect(
      failure(() =>
        configFromEnv({ PHOTOMAKER_HEADERS_TIMEOUT_MS: '5000', PHOTOMAKER_REQUEST_TIMEOUT_MS: '1000' }),
      ),
    ).toContain('PHOTOMAKER_REQUEST_TIMEOUT_MS: must be >= PHOTOMAKER_HEADERS_TIMEOUT_MS (5000), or 0');
    expect(configFromEnv({}).edge).toMatchObject({
      anonymousBodyBytes: 65_536,
      headersTimeoutMs: 10_000,
      maxConnectionsPerIp: 256,
      wsAuthTimeoutMs: 3_000,
    });
  });

  it('selects the blob store: the local directory by default, S3 by PHOTOMAKER_BLOB_STORE', () => {
    expect(configFromEnv({})).toMatchObject({
      blobStore: { forcePathStyle: false },
      imageUrlMode: 'api',
    });
    expect(
      configFromEnv({
        PHOTOMAKER_BLOB_STORE: 's3://photos/prod',
        PHOTOMAKER_S3_FORCE_PATH_STYLE: 'true',
        PHOTOMAKER_IMAGE_URLS: 'presigned',
      }),
    ).toMatchObject({
      blobStore: { store: 's3://photos/prod', forcePathStyle: true },
      imageUrlMode: 'presigned',
    });
    expect(failure(() => configFromEnv({ PHOTOMAKER_IMAGE_URLS: 'presigned' }))).toContain(
      'PHOTOMAKER_IMAGE_URLS: presigned needs PHOTOMAKER_BLOB_STORE=s3://<bucket>/<prefix>',
    );
    expect(failure(() => configFromEnv({ PHOTOMAKER_BLOB_STORE: 's3://' }))).toContain(
      'PHOTOMAKER_BLOB_STORE: must be s3://<bucket>/<prefix>',
    );
  });

  it('describes every variable (the launcher documents them from here)', () => {
    const rows = envRows(apiEnv);
    expect(rows.map((row) => row.name)).toEqual(Object.keys(apiEnv.shape));
    expect(rows.find((row) => row.name === 'PHOTOMAKER_API_KEYS')?.secret).toBe(true);
    expect(parseEnv(apiEnv, { HOST: '0.0.0.0' }).ok).toBe(true);
  });
});
