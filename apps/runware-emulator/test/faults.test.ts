import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask } from './helpers/fixtures.ts';
import { admin, inspectTask, pollUntilDone, post } from './helpers/rest.ts';
import { forTask, WsClient } from './helpers/ws-client.ts';

let emulator: Emulator;
let face: string;

beforeAll(async () => {
  emulator = await startEmulator();
  face = dataUri(await facePng('a'));
});
beforeEach(async () => {
  await admin(emulator, '/faults', 'DELETE');
});
afterAll(() => emulator.close());

async function setFaults(config: unknown) {
  const reply = await admin(emulator, '/faults', 'PUT', config);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

/** POST /v1 and read the body as raw chunks, so resets and trickled bodies are visible. */
function rawPost(tasks: unknown): Promise<{ status: number; chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(tasks);
    const req = httpRequest(
      emulator.restUrl,
      { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, chunks }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('aborted mid-body')));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('error faults', () => {
  it('scripted errors hit the next N matching tasks in order, with Retry-After on 429/503', async () => {
    await setFaults({
      retryAfterSeconds: 3,
      scripted: [
        {
          match: { taskType: 'photoMaker' },
          count: 2,
          fault: { kind: 'error', status: 503, code: 'serviceUnavailable' },
        },
        {
          match: { taskType: 'photoMaker' },
          fault: { kind: 'error', status: 429, code: 'rateLimitExceeded', retryAfterSeconds: 7 },
        },
        { match: { taskType: 'photoMaker' }, fault: { kind: 'error', status: 504, code: 'timeoutProvider' } },
      ],
    });
    const task = photoMakerTask([face]);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await post(emulator, [task]));
    expect(answers.map((a) => a.status)).toEqual([503, 503, 429, 504, 200]);
    expect(answers.map((a) => a.body.errors?.[0]?.code ?? 'ok')).toEqual([
      'serviceUnavailable',
      'serviceUnavailable',
      'rateLimitExceeded',
      'timeoutProvider',
      'ok',
    ]);
    expect(answers.map((a) => a.headers.get('retry-after'))).toEqual(['3', '3', '7', null, null]);
    // The same taskUUID ran exactly once, after the faults were used up.
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({
      submissions: 1,
      generations: 1,
      charges: 1,
    });
    expect((await admin<{ scripted: unknown[] }>(emulator, '/faults')).body.scripted).toEqual([]);
  });

  it('matches by transport and leaves other tasks alone', async () => {
    await setFaults({
      scripted: [
        { match: { transport: 'ws' }, fault: { kind: 'error', status: 503, code: 'serviceUnavailable' } },
      ],
    });
    expect((await post(emulator, [photoMakerTask([face])])).status).toBe(200);
    expect(
      (await admin<{ scripted: { count: number }[] }>(emulator, '/faults')).body.scripted[0]?.count,
    ).toBe(1);
  });

  it('rates with a seed: probability 1 always fires, 0 never', async () => {
    await setFaults({
      seed: 1,
      rates: [{ probability: 1, fault: { kind: 'error', status: 500, code: 'internalServerError' } }],
    });
    expect((await post(emulator, [photoMakerTask([face])])).status).toBe(500);
    expect(
      (await post(emulator, [{ taskType: 'imageUpload', taskUUID: crypto.randomUUID(), image: face }]))
        .status,
    ).toBe(500);
    await setFaults({
      seed: 1,
      rates: [{ probability: 0, fault: { kind: 'error', status: 500, code: 'internalServerError' } }],
    });
    expect((await post(emulator, [photoMakerTask([face])])).status).toBe(200);
  });

  it('a seeded rate draws the same faults on every run', async () => {
    const draws = async () => {
      await setFaults({
        seed: 42,
        rates: [{ probability: 0.5, fault: { kind: 'error', status: 503, code: 'serviceUnavailable' } }],
      });
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await post(emulator, [photoMakerTask([face])])).status);
      return statuses;
    };
    const first = await draws();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await draws()).toEqual(first);
  });
});

describe('connection faults and the no-double-charge rule', () => {
  it('reset before work: nothing accepted, the re-sent task runs once', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'reset', when: 'beforeWork' } }] });
    const task = photoMakerTask([face]);
    await expect(rawPost([task])).rejects.toThrow();
    expect((await admin(emulator, `/inspect/tasks/${task.taskUUID}`)).status).toBe(404);
    expect((await post(emulator, [task])).status).toBe(200);
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({ submissions: 1, charges: 1 });
  });

  it('reset after acceptance: the re-send gets conflictTaskUUID, getResponse recovers everything, one charge each', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'reset', when: 'afterAccept' } }] });
    const task = photoMakerTask([face], { numberResults: 3 });
    const balance = (await admin<{ balance: number }>(emulator, '/inspect')).body.balance;
    await expect(rawPost([task])).rejects.toThrow();
    const again = await post(emulator, [task]);
    expect(again.status).toBe(400);
    expect(again.body.errors?.[0]).toMatchObject({ code: 'conflictTaskUUID', taskUUID: task.taskUUID });
    const final = (await pollUntilDone(emulator, String(task.taskUUID), 3)).at(-1);
    expect(final?.body.data?.filter((item) => item.status === 'success')).toHaveLength(3);
    const record = await inspectTask(emulator, String(task.taskUUID));
    expect(record).toMatchObject({ submissions: 2, generations: 3, charges: 3 });
    const after = (await admin<{ balance: number }>(emulator, '/inspect')).body.balance;
    expect(Number((balance - after).toFixed(9))).toBe(record.cost);
  });

  it('reset mid-body: headers arrive, the body is cut, the task is done and charged', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'reset', when: 'midBody' } }] });
    const task = photoMakerTask([face]);
    await expect(rawPost([task])).rejects.toThrow();
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({
      generations: 1,
      charges: 1,
      status: 'success',
    });
  });

  it('slow body: the answer trickles out in pieces and is still complete', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'slowBody', ms: 400 } }] });
    const reply = await rawPost([photoMakerTask([face])]);
    expect(reply.status).toBe(200);
    expect(reply.chunks.length).toBeGreaterThan(2);
    expect(JSON.parse(Buffer.concat(reply.chunks).toString()).data).toHaveLength(1);
  });

  it('stuck: getResponse reports processing for N polls, then the real state', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'stuck', polls: 3 } }] });
    const task = photoMakerTask([face], { deliveryMethod: 'async', numberResults: 2 });
    await post(emulator, [task]);
    for (
      let i = 0;
      i < 200 && (await inspectTask(emulator, String(task.taskUUID))).status !== 'success';
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({ status: 'success', polls: 0 });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const reply = await post(emulator, [{ taskType: 'getResponse', taskUUID: task.taskUUID }]);
      statuses.push(reply.body.data?.map((item) => item.status).join(','));
    }
    expect(statuses).toEqual([
      'processing,processing',
      'processing,processing',
      'processing,processing',
      'success,success',
    ]);
  });

  it('duplicate frames on WebSocket: every result frame arrives twice', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'duplicateFrames', copies: 1 } }] });
    const { client } = await WsClient.session(emulator.wsUrl, KEY);
    try {
      const task = photoMakerTask([face], { numberResults: 2 });
      client.send([task]);
      for (let i = 0; i < 4; i++) await client.next(forTask(String(task.taskUUID)));
      const ids = client.framesFor(String(task.taskUUID)).map((frame) => frame.data?.[0]?.imageUUID);
      expect(ids).toHaveLength(4);
      expect(new Set(ids).size).toBe(2);
    } finally {
      client.close();
    }
  });
});

describe('/admin/faults', () => {
  it('PATCH appends scripted faults and replaces scalars; DELETE clears; bad config is a 400 naming the path', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'stuck' } }] });
    const patched = await admin<{ scripted: unknown[]; slowBodyMs: number }>(emulator, '/faults', 'PATCH', {
      slowBodyMs: 10,
      scripted: [{ count: 2, fault: { kind: 'slowBody' } }],
    });
    expect(patched.body.scripted).toHaveLength(2);
    expect(patched.body.slowBodyMs).toBe(10);
    const bad = await admin<{ message: string }>(emulator, '/faults', 'PUT', {
      scripted: [{ fault: { kind: 'explode' } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('scripted.0.fault');
    const cleared = await admin<{ scripted: unknown[]; rates: unknown[] }>(emulator, '/faults', 'DELETE');
    expect(cleared.body).toMatchObject({ scripted: [], rates: [] });
  });

  it('counts what it injected', async () => {
    await setFaults({ scripted: [{ fault: { kind: 'slowBody', ms: 1 } }] });
    await post(emulator, [photoMakerTask([face])]);
    const { body } = await admin<{ faultsInjected: Record<string, number> }>(emulator, '/inspect');
    expect(body.faultsInjected.slowBody).toBeGreaterThanOrEqual(1);
  });
});
