import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.ts';
import { ConfigError, loadConfig, REAL_RUNWARE_URL } from '../src/config.ts';

const rootDir = '/srv/photomaker';
const load = (
  processEnv: Record<string, string>,
  fileEnv: Record<string, string> = {},
  argv: string[] = [],
) => loadConfig({ rootDir, processEnv, fileEnv, flags: parseCliArgs(argv) });

function problems(processEnv: Record<string, string>, argv: string[] = []): string[] {
  try {
    load(processEnv, {}, argv);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('uses the contract ports, the emulator and a data dir under the repo', () => {
    const config = load({});
    expect(config.ports).toEqual({
      api: 4000,
      temporal: 7233,
      temporalUi: 8233,
      redis: 6380,
      emulator: 8787,
      workerHttp: 9464,
      workerCoreMetrics: 9465,
    });
    expect(config.runware).toEqual({ mode: 'emulator', port: 8787, latency: 'realistic' });
    expect(config.dataDir).toBe('/srv/photomaker/.data');
    expect(config.blobDir).toBe('/srv/photomaker/.data/blobs');
    expect(config.publicUrl).toBe('http://127.0.0.1:4000');
    expect(config.apiKeys).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('lets flags win over the environment, and the environment over .env', () => {
    const config = load(
      { PORT: '5000', LOG_LEVEL: 'debug' },
      { PORT: '6000', LOG_LEVEL: 'warn', REDIS_PORT: '7000' },
      ['--port', '5555', '--data-dir', 'var/pm'],
    );
    expect(config.ports.api).toBe(5555);
    expect(config.logLevel).toBe('debug');
    expect(config.ports.redis).toBe(7000);
    expect(config.dataDir).toBe('/srv/photomaker/var/pm');
    expect(config.publicUrl).toBe('http://127.0.0.1:5555');
  });

  it('treats empty values as unset (KEY= lines in a .env template)', () => {
    const config = load({}, { RUNWARE_API_KEY: '', PORT: '' });
    expect(config.runware.mode).toBe('emulator');
    expect(config.ports.api).toBe(4000);
  });

  it('skips the dev server and redis-server when TEMPORAL_ADDRESS and REDIS_URL point elsewhere', () => {
    const config = load({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      REDIS_URL: 'rediss://cache.internal:6380',
    });
    expect(config.temporalAddress).toBe('temporal.internal:7233');
    expect(config.redisUrl).toBe('rediss://cache.internal:6380');
    expect(config.ports.temporal).toBeUndefined();
    expect(config.ports.temporalUi).toBeUndefined();
    expect(config.ports.redis).toBeUndefined();
  });

  it('takes the external Temporal from a temporal.toml profile, resolved as the apps resolve it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'launcher-profile-'));
    const file = join(dir, 'temporal.toml');
    writeFileSync(
      file,
      '[profile.prod]\naddress = "prod.tmprl.cloud:7233"\nnamespace = "prod.acct"\napi_key = "k"\n',
    );
    const config = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(config.temporalAddress).toBe('prod.tmprl.cloud:7233');
    expect(config.namespace).toBe('prod.acct');
    expect(config.externalTemporal?.security).toBe('TLS (system CAs), API key');
    expect(config.ports.temporal).toBeUndefined();
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toEqual([
      `TEMPORAL_PROFILE: cannot load profile 'staging' from ${file}: Profile 'staging' not found in config data`,
    ]);
  });

  it('refuses Temporal TLS settings when it would start its own (plaintext) dev server', () => {
    expect(problems({ TEMPORAL_TLS: 'true' })).toEqual([
      'TEMPORAL_TLS: set, but no TEMPORAL_ADDRESS or TEMPORAL_PROFILE names the Temporal it is for (the dev server the launcher starts speaks plaintext)',
    ]);
    expect(load({ TEMPORAL_TLS: 'false', TEMPORAL_NAMESPACE: 'dev' }).namespace).toBe('dev');
  });
  it('takes a Redis Cluster with REDIS_URL (scheme, password) and REDIS_CLUSTER_NODES, and refuses the seeds alone', () => {
    const config = load({
      REDIS_URL: 'rediss://:pw@cache-0:6379',
      REDIS_CLUSTER_NODES: 'cache-0:6379,cache-1:6379',
    });
    expect(config.ports.redis).toBeUndefined();
    expect(config.env.REDIS_CLUSTER_NODES).toBe('cache-0:6379,cache-1:6379');
    expect(problems({ REDIS_CLUSTER_NODES: 'cache-0:6379' })).toEqual([
      'REDIS_CLUSTER_NODES: set REDIS_URL too (`redis://` or `rediss://` with the cluster password); the launcher starts no Redis Cluster',
    ]);
  });
});

describe('choosing Runware', () => {
  it('uses the real Runware when RUNWARE_API_KEY is set and the emulator is not asked for', () => {
    const config = load({ RUNWARE_API_KEY: 'rw-secret-key-1234' });
    expect(config.runware).toEqual({ mode: 'real', baseUrl: REAL_RUNWARE_URL, apiKey: 'rw-secret-key-1234' });
    expect(config.ports.emulator).toBeUndefined();
  });

  it('keeps the emulator with --emulator (or PHOTOMAKER_RUNWARE=emulator) even with a key', () => {
    expect(load({ RUNWARE_API_KEY: 'rw-secret-key-1234' }, {}, ['--emulator']).runware.mode).toBe('emulator');
    expect(load({ RUNWARE_API_KEY: 'k-123456789', PHOTOMAKER_RUNWARE: 'emulator' }).runware.mode).toBe(
      'emulator',
    );
  });

  it('honours RUNWARE_BASE_URL for the real Runware', () => {
    const config = load({ RUNWARE_API_KEY: 'k-123456789', RUNWARE_BASE_URL: 'https://eu.example.com/v1' });
    expect(config.runware).toMatchObject({ mode: 'real', baseUrl: 'https://eu.example.com/v1' });
  });

  it('refuses --real-runware without a key', () => {
    expect(problems({}, ['--real-runware'])).toEqual([
      'RUNWARE_API_KEY: required for the real Runware (--real-runware / PHOTOMAKER_RUNWARE=real); get one at https://my.runware.ai',
    ]);
  });

  it('refuses --emulator together with --real-runware', () => {
    expect(() => parseCliArgs(['--emulator', '--real-runware'])).toThrow(UsageError);
  });
});

describe('invalid settings name the variable and the rule', () => {
  const cases: [string, Record<string, string>, string][] = [
    [
      'a port that is not a number',
      { PORT: 'abc' },
      'PORT / --port: must be a TCP port number from 1 to 65535 (got "abc")',
    ],
    [
      'a port out of range',
      { REDIS_PORT: '70000' },
      'REDIS_PORT: must be a TCP port number from 1 to 65535 (got "70000")',
    ],
    [
      'port zero',
      { TEMPORAL_UI_PORT: '0' },
      'TEMPORAL_UI_PORT: must be a TCP port number from 1 to 65535 (got "0")',
    ],
    [
      'an unknown Runware mode',
      { PHOTOMAKER_RUNWARE: 'cloud' },
      'PHOTOMAKER_RUNWARE: must be one of: auto, emulator, real (got "cloud")',
    ],
    [
      'an unknown latency preset',
      { RUNWARE_EMULATOR_LATENCY: 'slow' },
      'RUNWARE_EMULATOR_LATENCY: must be one of: none, fast, realistic (got "slow")',
    ],
    [
      'a bad log level',
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL: must be one of: trace, debug, info, warn, error, fatal, silent (got "verbose")',
    ],
    [
      'a base URL that is not http',
      { RUNWARE_BASE_URL: 'ftp://x' },
      'RUNWARE_BASE_URL: must be an http(s) URL (got "ftp://x")',
    ],
    [
      'a bad public URL',
      { PHOTOMAKER_PUBLIC_URL: 'localhost:4000' },
      'PHOTOMAKER_PUBLIC_URL: must be an http(s) URL (got "localhost:4000")',
    ],
    [
      'a Temporal address without a port',
      { TEMPORAL_ADDRESS: 'temporal.internal' },
      'TEMPORAL_ADDRESS: must be host:port, e.g. temporal.example.com:7233 (got "temporal.internal")',
    ],
    [
      'a Redis URL of another scheme',
      { REDIS_URL: 'http://cache:6379' },
      'REDIS_URL: must be a redis:// or rediss:// URL (got "http://cache:6379")',
    ],
  ];
  for (const [what, env, expected] of cases) {
    it(`reports ${what}`, () => {
      expect(problems(env)).toEqual([expected]);
    });
  }

  it('reports every bad variable at once', () => {
    expect(problems({ PORT: 'x', LOG_LEVEL: 'loud', TEMPORAL_PORT: '-1' })).toHaveLength(3);
  });

  it('never echoes a secret value', () => {
    const found = problems({
      PHOTOMAKER_API_KEYS: 'tenant-without-key',
      PHOTOMAKER_PAYLOAD_KEYS: 'k1:c2hvcnQ=',
      PHOTOMAKER_URL_SECRET: 'short',
    });
    expect(found).toEqual([
      'PHOTOMAKER_API_KEYS: entry 1 must be tenant:key (tenant of letters, digits, _ . -; key of at least 32 characters, no spaces or commas)',
      `PHOTOMAKER_PAYLOAD_KEYS: entry 1 (key id 'k1'): key must be base64 of exactly 32 bytes (AES-256), got 5 (generate one: node -p "'k1:'+crypto.randomBytes(32).toString('base64')")`,
      'PHOTOMAKER_URL_SECRET: must be at least 16 characters',
    ]);
    expect(found.join('\n')).not.toMatch(/tenant-without-key|c2hvcnQ|short"/);
  });

  it('names both variables when two services share a port', () => {
    expect(problems({ PORT: '9000', WORKER_HTTP_PORT: '9000' })).toEqual([
      'PORT and WORKER_HTTP_PORT: both are 9000; every service needs its own port',
    ]);
  });

  it('does not count the ports of services it will not start', () => {
    expect(() => load({ RUNWARE_API_KEY: 'k-123456789', RUNWARE_EMULATOR_PORT: '4000' })).not.toThrow();
  });

  it('accepts well-formed keys', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = load({
      PHOTOMAKER_API_KEYS:
        'acme:key-12345678-0123456789abcdefghijkl, beta:another-key-9-0123456789abcdefghijk',
      PHOTOMAKER_PAYLOAD_KEYS: `k2:${key},k1:${key}`,
    });
    expect(config.apiKeys).toBe(
      'acme:key-12345678-0123456789abcdefghijkl, beta:another-key-9-0123456789abcdefghijk',
    );
    expect(config.payloadKeys).toBe(`k2:${key},k1:${key}`);
  });
});

describe('.env typos', () => {
  it('warns about a name one or two edits away from a setting', () => {
    const config = load({}, { PHOTOMAKER_API_KEY: 'acme:key-12345678', WORKER_CONCURRENCY: '4' });
    expect(config.warnings).toEqual([
      '.env sets PHOTOMAKER_API_KEY, which nothing reads: did you mean PHOTOMAKER_API_KEYS?',
    ]);
    expect(config.env.WORKER_CONCURRENCY).toBe('4');
  });

  it('knows the variables of every app, not only its own', () => {
    const config = load(
      {},
      { PHOTOMAKER_MAX_IMAGE_BYTES: '4096', WORKER_POLL_MAX: '2s', RUNWARE_EMULATOR_HOST: '::1' },
    );
    expect(config.warnings).toEqual([]);
  });
});

describe('variables passed through to the apps', () => {
  it('are checked with the app’s own rule before anything starts', () => {
    expect(
      problems({ PHOTOMAKER_MAX_IMAGE_BYTES: 'lots', WORKER_SHUTDOWN_GRACE: 'soon', WORKER_CODEC_TOKEN: '' }),
    ).toEqual([
      'PHOTOMAKER_MAX_IMAGE_BYTES: must be an integer >= 0 (got "lots")',
      'WORKER_SHUTDOWN_GRACE: must be a duration such as 500ms, 30s, 2m, 12h, 7d (or milliseconds) (got "soon")',
    ]);
  });

  it('are reported together with the launcher’s own problems', () => {
    expect(problems({ PORT: 'x', RUNWARE_EMULATOR_CAPACITY: '0' })).toEqual([
      'PORT / --port: must be a TCP port number from 1 to 65535 (got "x")',
      'RUNWARE_EMULATOR_CAPACITY: must be at least 1 (got "0")',
    ]);
  });
});

describe('flags', () => {
  it('rejects unknown flags and stray arguments', () => {
    expect(() => parseCliArgs(['--prot', '4000'])).toThrow(UsageError);
    expect(() => parseCliArgs(['start'])).toThrow(UsageError);
  });
});
