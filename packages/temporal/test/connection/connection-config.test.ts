import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemporalConfigError, temporalConnectionFromEnv } from '../../src/connection/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'temporal-connection-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CRT = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('temporalConnectionFromEnv (Temporal environment configuration)', () => {
  it('is the plaintext local dev server when nothing is set', () => {
    expect(temporalConnectionFromEnv({})).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      options: { address: '127.0.0.1:7233' },
      security: 'plaintext',
    });
  });

  it('turns TLS on with an API key (Temporal Cloud) and keeps the key for the Bearer header', () => {
    const config = temporalConnectionFromEnv({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'key-123',
    });
    expect(config.options).toEqual({ address: 'ns.acct.tmprl.cloud:7233', tls: true, apiKey: 'key-123' });
    expect(config.namespace).toBe('ns.acct');
    expect(config.security).toBe('TLS (system CAs), API key');
  });

  it('reads mTLS files, the server CA and the server name from TEMPORAL_TLS_* paths', () => {
    const config = temporalConnectionFromEnv({
      TEMPORAL_ADDRESS: '10.0.0.5:7233',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.pem', CA),
      TEMPORAL_TLS_CLIENT_CERT_PATH: file('client.pem', CRT),
      TEMPORAL_TLS_CLIENT_KEY_PATH: file('client.key', KEY),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const tls = config.options.tls;
    if (typeof tls !== 'object') throw new Error('expected TLS settings');
    expect(text(tls.serverRootCACertificate)).toBe(CA);
    expect(text(tls.clientCertPair?.crt)).toBe(CRT);
    expect(text(tls.clientCertPair?.key)).toBe(KEY);
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(config.security).toBe('TLS (configured CA), client certificate');
  });

  it('lets TEMPORAL_TLS=false force plaintext and treats empty values as unset', () => {
    const config = temporalConnectionFromEnv({
      TEMPORAL_ADDRESS: '',
      TEMPORAL_TLS: 'false',
      TEMPORAL_TLS_SERVER_NAME: 'ignored',
    });
    expect(config.options).toEqual({ address: '127.0.0.1:7233', tls: false });
    expect(config.security).toBe('plaintext');
  });

  it('reads a temporal.toml profile only when asked, with the variables overriding it', () => {
    const toml = file(
      'temporal.toml',
      [
        '[profile.default]',
        'address = "default.example:7233"',
        '[profile.prod]',
        'address = "prod.example:7233"',
        'namespace = "prod"',
        'api_key = "from-file"',
        '[profile.prod.grpc_meta]',
        'x-team = "photos"',
      ].join('\n'),
    );
    const prod = temporalConnectionFromEnv({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' });
    expect(prod).toMatchObject({ address: 'prod.example:7233', namespace: 'prod', profile: 'prod' });
    expect(prod.options).toEqual({
      address: 'prod.example:7233',
      tls: true,
      apiKey: 'from-file',
      metadata: { 'x-team': 'photos' },
    });
    const overridden = temporalConnectionFromEnv({
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'staging',
    });
    expect(overridden.namespace).toBe('staging');
    expect(temporalConnectionFromEnv({ TEMPORAL_CONFIG_FILE: toml }).address).toBe('default.example:7233');
  });

  it('reads the CLI config in the user config dir only when TEMPORAL_PROFILE names a profile', () => {
    const home = mkdtempSync(join(tmpdir(), 'temporal-home-'));
    mkdirSync(join(home, 'temporalio'));
    writeFileSync(
      join(home, 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "cli.example:7233"\n',
    );
    expect(temporalConnectionFromEnv({ XDG_CONFIG_HOME: home }).address).toBe('127.0.0.1:7233');
    expect(temporalConnectionFromEnv({ XDG_CONFIG_HOME: home, TEMPORAL_PROFILE: 'default' }).address).toBe(
      'cli.example:7233',
    );
  });

  it('names the variable when a profile is missing or half a client pair is given', () => {
    const toml = file('empty.toml', '[profile.default]\n');
    expect(() => temporalConnectionFromEnv({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'nope' })).toThrow(
      new TemporalConfigError(
        `TEMPORAL_PROFILE: cannot load profile 'nope' from ${toml}: Profile 'nope' not found in config data`,
      ),
    );
    expect(() =>
      temporalConnectionFromEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: file('only-cert.pem', CRT) }),
    ).toThrow(/^TEMPORAL_TLS_CLIENT_KEY_PATH: required with a client certificate/);
    expect(() => temporalConnectionFromEnv({ TEMPORAL_TLS_CLIENT_KEY_DATA: KEY })).toThrow(
      /^TEMPORAL_TLS_CLIENT_CERT_PATH: required with a client key/,
    );
    expect(() =>
      temporalConnectionFromEnv({
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'missing.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'missing.key'),
      }),
    ).toThrow(/^cannot read a TLS file of the Temporal connection: ENOENT/);
  });
});
