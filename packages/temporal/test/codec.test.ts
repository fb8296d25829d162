import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AesGcmPayloadCodec,
  createCodecHandler,
  DEV_KEY_ID,
  dataConverterFromEnv,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  PayloadKeyError,
  parsePayloadKeys,
  payloadKeysFromEnv,
} from '../src/codec/index.ts';

const key = () => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value) as Payload;
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);

describe('AES-256-GCM payload codec', () => {
  const secret = { apiKey: 'rw-secret-key-123', prompt: 'rwre, a portrait' };

  it('round-trips payloads and hides their content and encoding', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
    const [encoded] = await codec.encode([toPayload(secret)]);
    expect(text(encoded?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded?.metadata?.[KEY_ID_METADATA])).toBe('k1');
    const raw = Buffer.from(encoded?.data ?? new Uint8Array()).toString('latin1');
    expect(raw).not.toContain('rw-secret-key-123');
    expect(raw).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded as Payload]);
    expect(fromPayload(decoded as Payload)).toEqual(secret);
  });

  it('uses a fresh IV per payload', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
    const [a, b] = await codec.encode([toPayload(secret), toPayload(secret)]);
    expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
  });

  it('passes unencrypted payloads through on decode (history written before encryption)', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
    const plain = toPayload({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotates: encodes with the first key, decodes with any listed key', async () => {
    const oldKey = key();
    const before = new AesGcmPayloadCodec(parsePayloadKeys(`old:${oldKey}`));
    const after = new AesGcmPayloadCodec(parsePayloadKeys(`new:${key()},old:${oldKey}`));
    const [legacy] = await before.encode([toPayload(secret)]);
    expect(fromPayload((await after.decode([legacy as Payload]))[0] as Payload)).toEqual(secret);
    const [fresh] = await after.encode([toPayload(secret)]);
    expect(text(fresh?.metadata?.[KEY_ID_METADATA])).toBe('new');
    await expect(before.decode([fresh as Payload])).rejects.toThrow(
      "payload was encrypted with key id 'new', which is not in PHOTOMAKER_PAYLOAD_KEYS (known: old)",
    );
  });

  it('detects tampering with the ciphertext, the tag and the key id', async () => {
    const ring = parsePayloadKeys(`k1:${key()},k2:${key()}`);
    const codec = new AesGcmPayloadCodec(ring);
    const [encoded] = (await codec.encode([toPayload(secret)])) as [Payload];
    const flip = (index: number): Payload => {
      const data = new Uint8Array(encoded.data ?? []);
      data[index] = (data[index] ?? 0) ^ 0x01;
      return { ...encoded, data };
    };
    await expect(codec.decode([flip(20)])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([flip((encoded.data?.byteLength ?? 1) - 1)])).rejects.toThrow(
      "failed authentication with key id 'k1'",
    );
    const relabelled = {
      ...encoded,
      metadata: { ...encoded.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow("failed authentication with key id 'k2'");
    await expect(codec.decode([{ ...encoded, data: new Uint8Array(8) }])).rejects.toThrow('truncated');
  });
});

describe('payload keys from env', () => {
  it('explains each malformed entry without echoing key material', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(() => parsePayloadKeys(`k1:${short}`)).toThrow(
      "PHOTOMAKER_PAYLOAD_KEYS: entry 1 (key id 'k1'): key must be base64 of exactly 32 bytes (AES-256), got 16",
    );
    expect(() => parsePayloadKeys(`k1:${key()},nocolon`)).toThrow(
      'PHOTOMAKER_PAYLOAD_KEYS: entry 2 must be <keyId>:<base64 of 32 bytes>',
    );
    expect(() => parsePayloadKeys(`bad id:${key()}`)).toThrow('key id must be 1-64 characters');
    expect(() => parsePayloadKeys(`k1:not*base64`)).toThrow('key must be standard base64');
    const dup = key();
    expect(() => parsePayloadKeys(`k1:${dup},k1:${key()}`)).toThrow("key id 'k1' is listed twice");
    try {
      parsePayloadKeys(`k1:${short}`);
    } catch (error) {
      expect(error).toBeInstanceOf(PayloadKeyError);
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('falls back to the public dev key with a warning when unset', () => {
    expect(payloadKeysFromEnv({}).dev).toBe(true);
    expect(payloadKeysFromEnv({}).current.id).toBe(DEV_KEY_ID);
    const warnings: string[] = [];
    dataConverterFromEnv({}, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('PHOTOMAKER_PAYLOAD_KEYS is not set');
    dataConverterFromEnv({ PHOTOMAKER_PAYLOAD_KEYS: `k1:${key()}` }, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
  });
});

describe('codec HTTP endpoint (Temporal UI protocol)', () => {
  const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
  const handler = createCodecHandler({ codec, allowedOrigins: ['http://127.0.0.1:8233'], token: 't0k' });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t0k', ...headers },
      body: JSON.stringify(body),
    });

  it('encodes and decodes JSON payloads for the UI, with CORS for the allowed origin', async () => {
    const origin = { origin: 'http://127.0.0.1:8233', 'x-namespace': 'default' };
    const encoded = await post(
      '/codec/encode',
      { payloads: [toJson(toPayload({ hello: 'world' }))] },
      origin,
    );
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const encodedBody = (await encoded.json()) as { payloads: ReturnType<typeof toJson>[] };
    const metadata = encodedBody.payloads[0]?.metadata ?? {};
    expect(Buffer.from(metadata.encoding ?? '', 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    const decoded = await post('/codec/decode', encodedBody, origin);
    const decodedBody = (await decoded.json()) as { payloads: ReturnType<typeof toJson>[] };
    expect(Buffer.from(decodedBody.payloads[0]?.data ?? '', 'base64').toString()).toBe('{"hello":"world"}');
  });

  it('answers the CORS preflight, refuses other origins, a missing token and bad bodies', async () => {
    const preflight = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    expect((await post('/codec/decode', { payloads: [] }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await post('/codec/decode', { payloads: [] }, { authorization: 'Bearer nope' })).status).toBe(
      401,
    );
    const bad = await post('/codec/decode', { payloads: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "'payloads' must be an array" });
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('takes the token as a path segment (the URL the Temporal UI is given), and refuses a wrong one', async () => {
    const origin = { origin: 'http://127.0.0.1:8233', authorization: '' };
    const encoded = await post('/codec/t0k/encode', { payloads: [toJson(toPayload('hi'))] }, origin);
    expect(encoded.status).toBe(200);
    const decoded = await post('/codec/t0k/decode', await encoded.json(), origin);
    const body = (await decoded.json()) as { payloads: ReturnType<typeof toJson>[] };
    expect(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString()).toBe('"hi"');
    // A wrong path token fails even with the right bearer header: the path wins.
    for (const path of ['/codec/nope/decode', '/codec/t0k0/decode', '/codec/t0/decode']) {
      const wrong = await post(path, { payloads: [] });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'missing or wrong token for the codec endpoint' });
    }
    expect((await post('/codec/t0k/extra/decode', { payloads: [] })).status).toBe(404);
  });
});

describe('codec HTTP endpoint defaults', () => {
  const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key()}`));
  const serve = async (handler: ReturnType<typeof createCodecHandler>) => {
    const server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const decode = (base: string, path: string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ payloads: [] }),
    });

  it('is off without a token, saying how to turn it on', async () => {
    const { server, base } = await serve(
      createCodecHandler({ codec, token: undefined, offHint: 'set WORKER_CODEC_TOKEN' }),
    );
    try {
      for (const path of ['/codec/decode', '/codec/anything/decode']) {
        const response = await decode(base, path, {});
        expect(response.status).toBe(403);
        expect(await response.json()).toEqual({ error: 'the codec endpoint is off: set WORKER_CODEC_TOKEN' });
      }
    } finally {
      server.close();
    }
  });

  it('answers no browser origin unless listed, not even loopback ones', async () => {
    const { server, base } = await serve(createCodecHandler({ codec, token: 'secret-token' }));
    try {
      for (const origin of ['http://127.0.0.1:8233', 'http://localhost:3000', 'https://evil.example']) {
        const response = await decode(base, '/codec/secret-token/decode', { origin });
        expect(response.status).toBe(403);
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
      expect((await decode(base, '/codec/secret-token/decode', {})).status).toBe(200);
      expect((await decode(base, '/codec/decode', { authorization: 'Bearer secret-token' })).status).toBe(
        200,
      );
    } finally {
      server.close();
    }
  });
});

describe('the ./codec entry under plain Node (how api and worker load it, no bundler)', () => {
  it('imports and round-trips a payload', () => {
    const script = `
      import { AesGcmPayloadCodec, parsePayloadKeys } from '@photomaker/temporal/codec';
      const codec = new AesGcmPayloadCodec(parsePayloadKeys('k:${key()}'));
      const [encoded] = await codec.encode([{ metadata: {}, data: new TextEncoder().encode('ok') }]);
      const [decoded] = await codec.decode([encoded]);
      process.stdout.write(new TextDecoder().decode(decoded.data));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(out).toBe('ok');
  });
});
