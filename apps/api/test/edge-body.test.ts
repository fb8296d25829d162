import { stringifyRunwareJson } from '@photomaker/schema';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, tenants, v1 } from './helpers.ts';
import { bigUpload, getWithHost, trickle } from './support/raw-http.ts';

// The edge against real sockets: a caller without a key is refused from its headers, before the body is
// read, and a slow one is cut at its deadline (issue #13, "A caller without a key can stall the API").

const who = tenants('edge');
const FORTY_MIB = 40 * 1024 * 1024;
let api: Awaited<ReturnType<typeof startApi>>;

beforeAll(async () => {
  api = await startApi(who, {
    PHOTOMAKER_HEADERS_TIMEOUT_MS: '1000',
    PHOTOMAKER_ANONYMOUS_BODY_TIMEOUT_MS: '1000',
    PHOTOMAKER_WEB_DEMO_KEY: who.edge.key,
    PHOTOMAKER_PUBLIC_URL: 'https://photos.example',
  });
});

afterAll(async () => {
  await api?.server.close();
});

/** Runs `upload` while /healthz is asked every 50 ms; the slowest /healthz answer and the RSS growth. */
async function duringUpload<T>(
  upload: () => Promise<T>,
): Promise<{ result: T; healthMs: number; rssMiB: number }> {
  const rssBefore = process.memoryUsage().rss;
  let healthMs = 0;
  let uploading = true;
  const probe = (async () => {
    while (uploading) {
      const started = performance.now();
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      healthMs = Math.max(healthMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const result = await upload();
  uploading = false;
  await probe;
  return { result, healthMs, rssMiB: (process.memoryUsage().rss - rssBefore) / 2 ** 20 };
}

describe('a caller without a key cannot make the API read its body', () => {
  it.each([
    ['declared length', false],
    ['chunked', true],
  ])(
    '40 MiB to /v1 without Authorization (%s): 413 at once, RSS flat, /healthz answering',
    async (_name, chunked) => {
      const { result, healthMs, rssMiB } = await duringUpload(() =>
        bigUpload(api.url, '/v1', { totalBytes: FORTY_MIB, chunked }),
      );
      expect(result.status).toBe(413);
      expect(result.body).toContain('PHOTOMAKER_ANONYMOUS_BODY_BYTES');
      expect(result.headers.connection).toBe('close');
      expect(result.ms).toBeLessThan(3_000);
      expect(result.written).toBeLessThan(FORTY_MIB);
      expect(rssMiB).toBeLessThan(32);
      expect(healthMs).toBeLessThan(1_000);
    },
  );

  it.each(['/v1', '/graphql'])(
    '40 MiB to %s with a wrong key: 401 from the headers, body unread',
    async (path) => {
      const { result, healthMs, rssMiB } = await duringUpload(() =>
        bigUpload(api.url, path, {
          totalBytes: FORTY_MIB,
          headers: { authorization: 'Bearer wrong-key-of-enough-length-0123456789' },
        }),
      );
      expect(result.status).toBe(401);
      expect(result.headers.connection).toBe('close');
      expect(result.ms).toBeLessThan(3_000);
      expect(result.written).toBeLessThan(FORTY_MIB);
      expect(rssMiB).toBeLessThan(32);
      expect(healthMs).toBeLessThan(1_000);
    },
  );

  it('still takes the key from an authentication task in a small body; a large one needs the header', async () => {
    const batch = [
      { taskType: 'authentication', apiKey: who.edge.key },
      { taskType: 'ping', ping: true },
    ];
    const small = await v1(api.url, undefined, batch);
    expect(small.status).toBe(200);
    const padded = `${stringifyRunwareJson(batch)}${' '.repeat(100 * 1024)}`;
    const anonymous = await v1(api.url, undefined, padded);
    expect(anonymous.status).toBe(413);
    expect(anonymous.body.errors?.[0]).toMatchObject({ code: 'payloadTooLarge' });
    expect(String(anonymous.body.errors?.[0]?.message)).toMatch(/at most 65536 bytes.*Authorization/);
    const withHeader = await v1(
      api.url,
      who.edge.key,
      `${stringifyRunwareJson([{ taskType: 'ping', ping: true }])}${' '.repeat(100 * 1024)}`,
    );
    expect(withHeader.status).toBe(200);
  });
});

describe('a slow caller is cut at its deadline', () => {
  it('headers trickled one byte per 200 ms are cut at PHOTOMAKER_HEADERS_TIMEOUT_MS', async () => {
    const slow = await trickle(api.url, {
      head: 'POST /v1 HTTP/1.1\r\nHost: 127.0.0.1\r\n',
      drip: 'x-slow: aaaaaaaa\r\n',
      everyMs: 200,
      giveUpMs: 10_000,
    });
    // 1 s deadline, checked every second: cut between 1 and ~2 s (slack for a loaded machine).
    expect(slow.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(slow.closedAfterMs).toBeLessThan(4_000);
    expect(slow.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body without Authorization trickled one byte per 200 ms is answered 408 and disconnected', async () => {
    const slow = await trickle(api.url, {
      head: 'POST /v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n',
      drip: '[',
      everyMs: 200,
      giveUpMs: 10_000,
    });
    expect(slow.closedAfterMs).toBeLessThan(4_000);
    expect(slow.received).toMatch(/^HTTP\/1\.1 408/);
    expect(slow.received).toContain('PHOTOMAKER_ANONYMOUS_BODY_TIMEOUT_MS');
  });
});

describe('the demo key goes only to the configured public host or a loopback one', () => {
  it.each([
    ['attacker.example', undefined, false],
    ['photos.example', undefined, true],
    ['127.0.0.1', undefined, true],
    ['127.0.0.1', 'https://attacker.example', false],
  ])('Host %s, Origin %s -> key: %s', async (host, origin, served) => {
    const response = await getWithHost(api.url, '/web-config.json', { host, ...(origin ? { origin } : {}) });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { apiKey?: string };
    expect(body.apiKey).toBe(served ? who.edge.key : undefined);
  });
});
