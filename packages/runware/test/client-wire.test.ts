import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import {
  RunwareApiError,
  RunwareClientError,
  RunwareTransportError,
  RunwareValidationError,
} from '../src/errors.ts';
import { API_KEY, PNG_DATA_URI, result, task } from './support/fixtures.ts';
import { json, reset, WireServer } from './support/wire-server.ts';

// Exact wire answers the emulator cannot give on demand; the emulator suite covers real behaviour.
let server: WireServer;
let client: RunwareClient;

const T = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';
const fastRetry = { retries: 2, minDelayMs: 5, maxDelayMs: 20 };
const bodies = () => server.received.map((r) => JSON.parse(r.body) as Record<string, unknown>[]);

beforeEach(async () => {
  server = await new WireServer().start();
  client = new RunwareClient({
    baseUrl: server.url,
    apiKey: API_KEY,
    retry: fastRetry,
    poll: { initialDelayMs: 5 },
  });
});

afterEach(async () => {
  await client.close();
  await server.stop();
});

describe('requests', () => {
  it('POSTs a task array with the key only in the Authorization header, seeds exact both ways', async () => {
    server.script(
      json(
        200,
        `{"data":[${JSON.stringify(result(T, 0)).replace('"seed":42', '"seed":9223372036854775806')}]}`,
      ),
    );
    const results = await client.photoMaker(task({ taskUUID: T, seed: '9223372036854775806' }));
    const [sent] = server.received;
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.body).not.toContain(API_KEY);
    expect(sent?.body).toContain('"seed":9223372036854775806');
    const [wire] = bodies()[0] ?? [];
    expect(wire).toMatchObject({
      taskType: 'photoMaker',
      taskUUID: T,
      deliveryMethod: 'sync',
      strength: 15,
      style: 'No style',
    });
    expect(results[0]?.seed).toBe('9223372036854775806');
  });

  it('photoMakerForm nested sends imageInference with the photoMaker object and reads its results', async () => {
    const nested = new RunwareClient({ baseUrl: server.url, apiKey: API_KEY, photoMakerForm: 'nested' });
    try {
      server.script(json(200, JSON.stringify({ data: [result(T, 0, { taskType: 'imageInference' })] })));
      const lora = [{ model: 'civitai:58390@62833', weight: 0.5 }];
      const results = await nested.photoMaker(task({ taskUUID: T, style: 'Neonpunk', lora }));
      const [wire] = bodies()[0] ?? [];
      expect(wire).toMatchObject({
        taskType: 'imageInference',
        taskUUID: T,
        deliveryMethod: 'sync',
        photoMaker: { images: [PNG_DATA_URI], style: 'Neonpunk', strength: 15 },
        lora,
      });
      expect(wire).not.toHaveProperty('inputImages');
      expect(wire).not.toHaveProperty('style');
      expect(results.map((r) => r.taskType)).toEqual(['imageInference']);
    } finally {
      await nested.close();
    }
  });

  it('answers ping with pong', async () => {
    server.script(json(200, { data: [{ taskType: 'ping', pong: true }] }));
    expect(await client.ping()).toBe(true);
    expect(bodies()[0]).toEqual([{ taskType: 'ping', ping: true }]);
  });
});

describe('client-side validation', () => {
  it('rejects an invalid task with the Runware-style error and sends nothing', async () => {
    const error = await client.photoMaker(task({ strength: 51, width: 500 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareValidationError);
    expect(error).toMatchObject({
      category: 'validation',
      retryable: false,
      code: 'invalidStrength',
      parameter: 'strength',
    });
    expect((error as RunwareValidationError).errors.map((e) => e.code)).toEqual([
      'invalidStrength',
      'invalidWidth',
    ]);
    expect((error as Error).message).toMatch(/15 to 50/);
    await expect(client.imageUpload({ image: 'not an image' })).rejects.toMatchObject({
      code: 'invalidImage',
    });
    await expect(client.getResponse('not-a-uuid')).rejects.toBeInstanceOf(RunwareValidationError);
    expect(server.received).toHaveLength(0);
  });

  it('can be turned off to test a server: the server then says no', async () => {
    server.script(
      json(400, {
        errors: [{ code: 'invalidStrength', message: 'bad', parameter: 'strength', taskUUID: T }],
      }),
    );
    const error = await client
      .photoMaker(task({ taskUUID: T, strength: 51 }), { validate: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalidStrength',
      parameter: 'strength',
      retryable: false,
    });
    expect(bodies()[0]?.[0]?.strength).toBe(51);
  });
});

describe('retries', () => {
  it('retries 503 with the same taskUUID, never sooner than Retry-After', async () => {
    const delays: number[] = [];
    server.script(
      json(503, { errors: [{ code: 'serviceUnavailable', message: 'busy' }] }, { 'retry-after': '0.2' }),
      json(200, { data: [result(T, 0)] }),
    );
    const results = await client.photoMaker(task({ taskUUID: T }), {
      onRetry: (e) => delays.push(e.delayMs),
    });
    expect(results).toHaveLength(1);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(200);
    expect(bodies().map((b) => b[0]?.taskUUID)).toEqual([T, T]);
  });

  it('does not retry what cannot succeed', async () => {
    server.script(json(402, { errors: [{ code: 'insufficientCredits', message: 'pay up' }] }));
    await expect(client.photoMaker(task())).rejects.toMatchObject({
      category: 'quota',
      retryable: false,
      status: 402,
    });
    expect(server.received).toHaveLength(1);
  });

  it('gives up after the retry budget with the last transport error', async () => {
    server.script(reset, reset, reset);
    const error = await client.photoMaker(task({ taskUUID: T })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareTransportError);
    expect(error).toMatchObject({
      category: 'network',
      code: 'connectionReset',
      retryable: true,
      taskUUID: T,
    });
    expect(bodies().map((b) => b[0]?.taskUUID)).toEqual([T, T, T]);
  });

  it('retry: false sends once', async () => {
    server.script(reset);
    await expect(client.getResponse(T, { retry: false })).rejects.toBeInstanceOf(RunwareTransportError);
    expect(server.received).toHaveLength(1);
  });
});

describe('idempotency', () => {
  const conflict = json(400, {
    errors: [{ code: 'conflictTaskUUID', message: 'already', parameter: 'taskUUID', taskUUID: T }],
  });

  it('submit reports a conflict as already accepted', async () => {
    server.script(json(200, { data: [{ taskType: 'photoMaker', taskUUID: T }] }), conflict);
    expect(await client.submit(task({ taskUUID: T }))).toEqual({
      taskUUID: T,
      alreadyAccepted: false,
      results: [],
    });
    expect(await client.submit(task({ taskUUID: T }))).toEqual({
      taskUUID: T,
      alreadyAccepted: true,
      results: [],
    });
    expect(bodies()[0]?.[0]?.deliveryMethod).toBe('async');
  });

  it('photoMaker (sync) throws a conflict marked alreadyAccepted, not retried', async () => {
    server.script(conflict);
    const error = await client.photoMaker(task({ taskUUID: T })).catch((e: unknown) => e);
    expect(error).toMatchObject({ alreadyAccepted: true, category: 'conflict', retryable: false });
    expect(server.received).toHaveLength(1);
  });

  it('runPhotoMaker (sync): reset, re-send the same taskUUID, conflict, then getResponse', async () => {
    server.script(
      reset,
      conflict,
      json(200, { data: [{ taskType: 'photoMaker', taskUUID: T, status: 'processing' }] }),
      json(200, { data: [{ ...result(T, 0), status: 'success' }] }),
    );
    const accepted: boolean[] = [];
    const run = await client.runPhotoMaker(task({ taskUUID: T }), {
      mode: 'sync',
      onAccepted: (info) => accepted.push(info.alreadyAccepted),
    });
    expect(run).toMatchObject({ taskUUID: T, alreadyAccepted: true, via: 'getResponse' });
    expect(run.results.map((r) => r.imageUUID)).toEqual([result(T, 0).imageUUID]);
    expect(accepted).toEqual([true]);
    expect(bodies().map((b) => [b[0]?.taskType, b[0]?.taskUUID])).toEqual([
      ['photoMaker', T],
      ['photoMaker', T],
      ['getResponse', T],
      ['getResponse', T],
    ]);
  });

  it('runPhotoMaker (sync): a short sync answer is completed from getResponse without repeats', async () => {
    server.script(
      json(200, { data: [result(T, 0)] }),
      json(200, { data: [0, 1].map((n) => ({ ...result(T, n), status: 'success' })) }),
    );
    const seen: string[] = [];
    const run = await client.runPhotoMaker(task({ taskUUID: T, numberResults: 2 }), {
      mode: 'sync',
      onResult: (r) => seen.push(r.imageUUID),
    });
    expect(run.results).toHaveLength(2);
    expect(seen).toEqual([result(T, 0).imageUUID, result(T, 1).imageUUID]);
    expect(server.received).toHaveLength(2);
  });

  it('runPhotoMaker (sync): a sync wait that ran out (timeout, task runs on) switches to getResponse', async () => {
    server.script(
      json(200, {
        data: [result(T, 0)],
        errors: [{ code: 'timeout', message: 'sync ran out of time', taskUUID: T }],
      }),
      json(200, { data: [0, 1].map((n) => ({ ...result(T, n), status: 'success' })) }),
    );
    const run = await client.runPhotoMaker(task({ taskUUID: T, numberResults: 2 }), { mode: 'sync' });
    expect(run).toMatchObject({ via: 'getResponse', alreadyAccepted: false });
    expect(run.results).toHaveLength(2);
    expect(bodies().map((b) => b[0]?.taskType)).toEqual(['photoMaker', 'getResponse']);
  });

  it('imageUpload re-sent after it landed returns the first upload', async () => {
    const imageUUID = '989ba605-1449-4e1e-b462-cd83ec9c1a67';
    server.script(
      json(400, { errors: [{ code: 'conflictTaskUUID', message: 'already', taskUUID: T }] }),
      json(200, { data: [{ taskType: 'imageUpload', taskUUID: T, imageUUID, status: 'success' }] }),
    );
    const uploaded = await client.imageUpload({ image: PNG_DATA_URI, taskUUID: T });
    expect(uploaded).toMatchObject({ taskType: 'imageUpload', taskUUID: T, imageUUID });
  });
});

describe('partial answers', () => {
  it('a sync answer with data and errors reports the images, then throws', async () => {
    server.script(
      json(200, {
        data: [result(T, 0)],
        errors: [{ code: 'inferenceError', message: 'lost one', taskUUID: T, status: 'error' }],
      }),
    );
    const seen: string[] = [];
    const error = await client
      .photoMaker(task({ taskUUID: T, numberResults: 2 }), { onResult: (r) => seen.push(r.imageUUID) })
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'inferenceError', generationFailed: true, retryable: true });
    expect((error as RunwareApiError).results).toHaveLength(1);
    expect(server.received).toHaveLength(1);
  });

  it('getResponse: a request-level 404 throws, generation errors are returned', async () => {
    server.script(
      json(404, { errors: [{ code: 'taskNotFound', message: 'no such task', taskUUID: T }] }),
      json(200, {
        data: [{ taskType: 'photoMaker', taskUUID: T, status: 'queued' }],
        errors: [{ code: 'timeoutProvider', message: 'slow', taskUUID: T, status: 'error' }],
      }),
    );
    await expect(client.getResponse(T)).rejects.toMatchObject({ category: 'notFound', status: 404 });
    const snapshot = await client.getResponse(T);
    expect(snapshot.items).toEqual([{ taskType: 'photoMaker', taskUUID: T, status: 'processing' }]);
    expect(snapshot.errors.map((e) => e.code)).toEqual(['timeoutProvider']);
  });
});

describe('bad answers and timeouts', () => {
  it('an unreadable 200 is a retryable transport error; a bodiless 502 is classified by status', async () => {
    server.script(json(200, 'not json'), json(502, '<html>bad gateway</html>'));
    await expect(client.ping({ retry: false })).rejects.toMatchObject({
      name: 'RunwareTransportError',
      code: 'invalidResponse',
      retryable: true,
    });
    await expect(client.ping({ retry: false })).rejects.toMatchObject({
      name: 'RunwareApiError',
      code: 'http502',
      status: 502,
      retryable: true,
    });
  });

  it('a server that never answers hits the request timeout (retryable)', async () => {
    server.script(() => undefined);
    const error = await client.ping({ retry: false, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareTransportError);
    expect(error).toMatchObject({ code: 'requestTimeout', category: 'timeout', retryable: true });
  });

  it('a body that stalls hits the body timeout (retryable)', async () => {
    const stalling = new RunwareClient({
      baseUrl: server.url,
      apiKey: API_KEY,
      retry: false,
      bodyTimeoutMs: 150,
    });
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":[');
    });
    const error = await stalling.ping().catch((e: unknown) => e);
    await stalling.close();
    expect(error).toMatchObject({ name: 'RunwareTransportError', code: 'bodyTimeout', category: 'timeout' });
  });

  it('a large body that keeps flowing is not cut by the body timeout', async () => {
    // 40 MB in 64 KiB chunks, 80 pauses of 10 ms: far longer in total than the 150 ms idle limit.
    const big = new RunwareClient({ baseUrl: server.url, apiKey: API_KEY, retry: false, bodyTimeoutMs: 150 });
    const image = 'A'.repeat(2 * 1024 * 1024);
    const body = Buffer.from(
      JSON.stringify({
        data: Array.from({ length: 20 }, (_, n) =>
          result(T, n, { imageBase64Data: image, imageURL: undefined }),
        ),
      }),
    );
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      let offset = 0;
      let chunks = 0;
      const pump = () => {
        while (offset < body.length) {
          const end = Math.min(body.length, offset + 64 * 1024);
          const more = res.write(body.subarray(offset, end));
          offset = end;
          chunks += 1;
          if (chunks % 8 === 0) return void setTimeout(pump, 10);
          if (!more) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const results = await big.photoMaker(task({ taskUUID: T, numberResults: 20 }));
    await big.close();
    expect(results).toHaveLength(20);
    expect(results.every((r) => r.imageBase64Data?.length === image.length)).toBe(true);
  });
});

describe('abort', () => {
  it('an aborted signal sends nothing and rejects with its reason', async () => {
    const reason = new Error('caller gave up');
    await expect(client.photoMaker(task(), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(server.received).toHaveLength(0);
  });

  it('aborting a request in flight rejects with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled mid-request');
    server.script(() => controller.abort(reason));
    await expect(client.photoMaker(task(), { signal: controller.signal })).rejects.toBe(reason);
  });

  it('aborting while waiting for results stops polling', async () => {
    const controller = new AbortController();
    const reason = new Error('job cancelled');
    server.script((_req, res) => {
      json(200, { data: [{ taskType: 'photoMaker', taskUUID: T, status: 'processing' }] })(
        _req,
        res,
        res.socket as never,
      );
      controller.abort(reason);
    });
    await expect(client.waitForResults(T, { numberResults: 1, signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(server.received).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('no message, stack or toJSON carries the key or image data, even when the server echoes them', async () => {
    const echoed = `key ${API_KEY} rejected for image ${PNG_DATA_URI} (Bearer ${API_KEY})`;
    server.script(
      json(401, { errors: [{ code: 'invalidApiKey', message: echoed, parameter: 'apiKey' }] }),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"data":[{"taskType":"photoMaker","taskUUID":"${T}","imageUUID":"x","seed":"not-a-seed"}]}`);
      },
    );
    const errors: RunwareClientError[] = [];
    for (const call of [() => client.ping(), () => client.photoMaker(task({ taskUUID: T }))]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunwareClientError);
      errors.push(error as RunwareClientError);
    }
    expect(errors[0]).toMatchObject({ category: 'auth', retryable: false, code: 'invalidApiKey' });
    for (const error of errors) {
      for (const text of [error.message, error.stack ?? '', JSON.stringify(error), String(error)]) {
        expect(text).not.toContain(API_KEY);
        expect(text).not.toContain('iVBORw0KGgo');
      }
    }
  });

  it('a validation error does not echo the image it rejected', async () => {
    const image = `data:image/gif;base64,${'R0lGODlh'.repeat(40)}`;
    const error = await client.photoMaker(task({ inputImages: [image] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareValidationError);
    expect(JSON.stringify(error)).not.toContain('R0lGODlh');
    expect((error as Error).message).not.toContain('R0lGODlh');
  });
});
