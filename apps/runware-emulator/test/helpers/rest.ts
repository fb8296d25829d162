import { parseRunwareJson, stringifyRunwareJson } from '@photomaker/schema';
import type { Emulator } from '../../src/emulator.ts';
import { KEY } from './emulator.ts';

export interface RestReply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown>[]; errors?: Record<string, unknown>[] };
}

/** POST /v1 over a real socket; the body is parsed losslessly (seeds stay exact strings). */
export async function post(
  emulator: Emulator,
  tasks: unknown,
  options: { key?: string | null; raw?: string } = {},
): Promise<RestReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = options.key === undefined ? KEY : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const response = await fetch(emulator.restUrl, {
    method: 'POST',
    headers,
    body: options.raw ?? stringifyRunwareJson(tasks),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: parseRunwareJson(text) as RestReply['body'],
  };
}

export async function admin<T = Record<string, unknown>>(
  emulator: Emulator,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${emulator.url}/admin${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function inspectTask(emulator: Emulator, taskUUID: string): Promise<Record<string, unknown>> {
  return (await admin(emulator, `/inspect/tasks/${taskUUID}`)).body;
}

/** Polls getResponse until every item is final (success) or errors appear, returning every snapshot. */
export async function pollUntilDone(
  emulator: Emulator,
  taskUUID: string,
  numberResults: number,
  maxPolls = 500,
): Promise<RestReply[]> {
  const snapshots: RestReply[] = [];
  for (let i = 0; i < maxPolls; i++) {
    const reply = await post(emulator, [{ taskType: 'getResponse', taskUUID }]);
    snapshots.push(reply);
    const data = reply.body.data ?? [];
    const done = data.filter((item) => item.status === 'success').length + (reply.body.errors?.length ?? 0);
    if (done >= numberResults) return snapshots;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`task ${taskUUID} not done after ${maxPolls} polls`);
}
