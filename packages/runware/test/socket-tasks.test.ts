import { describe, expect, it } from 'vitest';
import { RunwareApiError, RunwareDeadlineError } from '../src/errors.ts';
import { SocketTasks } from '../src/socket-tasks.ts';

// The socket's task registry on hand-written frames: routing and settling without a network.
const A = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';
const B = '11111111-1111-4111-8111-111111111111';
const KEY = 'socket-tasks-test-key';

const image = (taskUUID: string, n: number) => ({
  taskType: 'photoMaker',
  taskUUID,
  imageUUID: `${taskUUID.slice(0, 4)}-img-${n}`,
  seed: String(100 + n),
});

describe('SocketTasks', () => {
  it('routes images by taskUUID, once each, and resolves a task in batch order when complete', async () => {
    const tasks = new SocketTasks(KEY);
    const seen: [string, number][] = [];
    const a = tasks.track(A, 2, undefined, {
      timeoutMs: 5_000,
      onResult: (r, i) => seen.push([r.imageUUID, i]),
    });
    const b = tasks.track(B, 1, undefined, { timeoutMs: 5_000 });
    const routed = tasks.route({
      data: [image(A, 1), image(B, 0), image(A, 1), { taskType: 'ping', pong: true }],
      errors: [],
    });
    expect(routed).toEqual({ pongs: 1, askState: [], send: [] });
    expect((await b).map((r) => r.imageUUID)).toEqual(['1111-img-0']);
    expect(tasks.get(A)).toBeDefined();
    tasks.route({ data: [image(A, 0)], errors: [] });
    expect((await a).map((r) => r.imageUUID)).toEqual(['6f1f-img-0', '6f1f-img-1']);
    expect(seen).toEqual([
      ['6f1f-img-1', 0],
      ['6f1f-img-0', 1],
    ]);
    expect(tasks.all()).toEqual([]);
  });

  it('a conflict on a re-sent task asks for its state instead of failing it', async () => {
    const tasks = new SocketTasks(KEY);
    const done = tasks.track(A, 1, { taskType: 'photoMaker', taskUUID: A }, { timeoutMs: 5_000 });
    const task = tasks.get(A);
    if (!task) throw new Error('not tracked');
    task.resent = true;
    const conflict = { code: 'conflictTaskUUID', message: 'taken', taskUUID: A };
    expect(tasks.route({ data: [], errors: [conflict] }).askState).toEqual([A]);
    tasks.route({ data: [image(A, 0)], errors: [] });
    expect(await done).toHaveLength(1);
  });

  it('a probe after a reconnect: taskNotFound asks for the first send; an answer keeps waiting', async () => {
    const tasks = new SocketTasks(KEY);
    const lost = tasks.track(A, 1, { taskType: 'photoMaker', taskUUID: A }, { timeoutMs: 5_000 });
    const held = tasks.track(B, 1, { taskType: 'photoMaker', taskUUID: B }, { timeoutMs: 5_000 });
    for (const uuid of [A, B]) {
      const task = tasks.get(uuid);
      if (!task) throw new Error('not tracked');
      task.probing = true;
    }
    const routed = tasks.route({
      data: [{ taskType: 'photoMaker', taskUUID: B, status: 'processing' }],
      errors: [{ code: 'taskNotFound', message: 'unknown', taskUUID: A, taskType: 'getResponse' }],
    });
    expect(routed).toEqual({ pongs: 0, askState: [], send: [A] });
    expect(tasks.get(A)).toMatchObject({ probing: false });
    tasks.route({ data: [image(A, 0), image(B, 0)], errors: [] });
    expect(await lost).toHaveLength(1);
    expect(await held).toHaveLength(1);
  });

  it('a conflict on a first send is a refusal', async () => {
    const tasks = new SocketTasks(KEY);
    const done = tasks.track(A, 1, { taskType: 'photoMaker', taskUUID: A }, { timeoutMs: 5_000 });
    tasks.route({ data: [], errors: [{ code: 'conflictTaskUUID', message: 'taken', taskUUID: A }] });
    await expect(done).rejects.toMatchObject({ category: 'conflict', alreadyAccepted: true });
  });

  it('failed generations count toward the batch; the task rejects once all are accounted for', async () => {
    const tasks = new SocketTasks(KEY);
    const done = tasks.track(A, 2, undefined, { timeoutMs: 5_000 });
    tasks.route({ data: [image(A, 0)], errors: [] });
    tasks.route({ data: [], errors: [{ code: 'inferenceError', message: 'GPU', taskUUID: A }] });
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'inferenceError', generationFailed: true });
    expect((error as RunwareApiError).results).toHaveLength(1);
  });

  it('an auth error naming no task fails every task, without the key in it', async () => {
    const tasks = new SocketTasks(KEY);
    const a = tasks.track(A, 1, undefined, { timeoutMs: 5_000 });
    const b = tasks.track(B, 1, undefined, { timeoutMs: 5_000 });
    tasks.route({ data: [], errors: [{ code: 'invalidApiKey', message: `key ${KEY} revoked` }] });
    for (const done of [a, b]) {
      const error = await done.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalidApiKey', category: 'auth', retryable: false });
      expect(JSON.stringify(error)).not.toContain(KEY);
      expect((error as Error).message).not.toContain(KEY);
    }
  });

  it('times out with a retryable RunwareDeadlineError; a second track of the same taskUUID is refused', async () => {
    const tasks = new SocketTasks(KEY);
    const done = tasks.track(A, 1, undefined, { timeoutMs: 20 });
    await expect(tasks.track(A, 1, undefined, { timeoutMs: 20 })).rejects.toBeInstanceOf(TypeError);
    await expect(done).rejects.toBeInstanceOf(RunwareDeadlineError);
    expect(tasks.get(A)).toBeUndefined();
  });
});
