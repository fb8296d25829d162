import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { parsePayloadKeys, payloadKeysEnv } from '../src/codec/index.ts';
import { taskQueueEnv, temporalEnv } from '../src/env.ts';

describe('temporal env fragments', () => {
  it('leave address and namespace to the connection (a profile may set them) and default the task queue', () => {
    expect(parseEnv(temporalEnv, {})).toEqual({ ok: true, data: {} });
    expect(parseEnv(taskQueueEnv, {})).toEqual({ ok: true, data: { TEMPORAL_TASK_QUEUE: 'photomaker' } });
  });

  it('refuse an address without a port', () => {
    expect(parseEnv(temporalEnv, { TEMPORAL_ADDRESS: 'temporal.internal' })).toEqual({
      ok: false,
      problems: [
        'TEMPORAL_ADDRESS: must be host:port, e.g. temporal.example.com:7233 (got "temporal.internal")',
      ],
    });
  });

  it('refuse a TLS file that does not exist and a TEMPORAL_TLS that envconfig would read as false', () => {
    expect(
      parseEnv(temporalEnv, { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem', TEMPORAL_TLS: 'yes' }),
    ).toEqual({
      ok: false,
      problems: [
        'TEMPORAL_TLS: must be true, false, 1 or 0 (got "yes")',
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH: must name an existing file (got "/nonexistent/ca.pem")',
      ],
    });
  });

  it('never echo the API key', () => {
    const parsed = parseEnv(temporalEnv, { TEMPORAL_API_KEY: ' ' });
    expect(parsed).toEqual({ ok: false, problems: ['TEMPORAL_API_KEY: must not be empty'] });
  });

  it('check payload keys with the codec parser and never echo them', () => {
    const good = `k1:${Buffer.alloc(32, 3).toString('base64')}`;
    expect(parseEnv(payloadKeysEnv, { PHOTOMAKER_PAYLOAD_KEYS: good })).toEqual({
      ok: true,
      data: { PHOTOMAKER_PAYLOAD_KEYS: good },
    });
    expect(() => parsePayloadKeys(good)).not.toThrow();
    const bad = parseEnv(payloadKeysEnv, { PHOTOMAKER_PAYLOAD_KEYS: 'k1:c2VjcmV0LWJ5dGVz' });
    expect(bad.ok).toBe(false);
    const problems = bad.ok ? [] : bad.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^PHOTOMAKER_PAYLOAD_KEYS: entry 1 \(key id 'k1'\): key must be base64 of exactly 32 bytes/,
    );
    expect(problems[0]).not.toContain('c2VjcmV0LWJ5dGVz');
  });
});
