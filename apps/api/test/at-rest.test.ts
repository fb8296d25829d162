import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { masterConnections, type RedisClient } from '@photomaker/events';
import { temporalCli } from '@photomaker/harness';
import { createLogger } from '@photomaker/observability';
import { workflowIdForJob } from '@photomaker/temporal';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../src/config.ts';
import { createApiServer } from '../src/server.ts';
import { apiEnv, baseInput, eventually, GENERATE, gql, JOB_FIELDS, stack, tenants } from './helpers.ts';

// Secrets at rest, on the real stack: jobs fail delivering to URLs with credentials in their path and
// query. What Temporal keeps in clear (history, describe), the API's and the worker's logs and Redis
// (records, event streams, everything else) must not hold those credentials.

const who = tenants('atrest');
const HOOK_TOKEN = 'hk5b2e9a7c4f1d8b3e6a9c2f5d8b1e4a7c0';
const UPLOAD_TOKEN = 'up3c6f9b2e5a8d1c4f7b0e3a6d9c2f5b8e1';
const TOKENS = [HOOK_TOKEN, UPLOAD_TOKEN];

let receiver: Server;
let receiverUrl: string;
let api: { url: string; close(): Promise<void>; redis: RedisClient };
const apiLog: string[] = [];

beforeAll(async () => {
  // Every delivery is refused for good (410 Gone): the job fails quoting the delivery's error.
  receiver = createServer((_req, res) => res.writeHead(410).end('gone'));
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const config = configFromEnv({
    ...apiEnv(who, { PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1/32' }),
    PORT: '0',
  });
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      apiLog.push(chunk.toString());
      callback();
    },
  });
  // Debug: every line the API may write, so the scan covers them all.
  const server = await createApiServer(config, {
    logger: createLogger({ service: 'api-at-rest', level: 'debug', destination }),
  });
  const url = await server.listen();
  api = { url, redis: server.parts.redis, close: () => server.close() };
});

afterAll(async () => {
  await api?.close();
  receiver?.close();
});

/** Every value under photomaker:* in Redis, whatever its type, as text. */
async function redisDump(client: RedisClient): Promise<string> {
  const out: string[] = [];
  for (const redis of masterConnections(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'photomaker:*', 'COUNT', 500);
      cursor = next;
      for (const key of keys) out.push(key, JSON.stringify(await redisValue(redis, key)));
    } while (cursor !== '0');
  }
  return out.join('\n');
}

async function redisValue(redis: Redis, key: string): Promise<unknown> {
  const type = await redis.type(key);
  if (type === 'string') return redis.get(key);
  if (type === 'stream') return redis.xrange(key, '-', '+');
  if (type === 'hash') return redis.hgetall(key);
  if (type === 'list') return redis.lrange(key, 0, -1);
  if (type === 'set') return redis.smembers(key);
  if (type === 'zset') return redis.zrange(key, 0, -1);
  return type;
}

function temporal(args: string[]): string {
  const result = spawnSync(
    temporalCli(),
    [...args, '--address', stack().temporalAddress, '--output', 'json'],
    {
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('secrets at rest', () => {
  it('a job failing on URLs with tokens: no token in history, describe, logs or Redis', async () => {
    const input = baseInput({
      webhookURL: `${receiverUrl}/hooks/${HOOK_TOKEN}?token=${HOOK_TOKEN}`,
      uploadEndpoint: `${receiverUrl}/put/${UPLOAD_TOKEN}?X-Amz-Signature=${UPLOAD_TOKEN}`,
    });
    const created = await gql<{ generatePhotoMaker: { id: string } }>(api.url, who.atrest.key, GENERATE, {
      input,
    });
    expect(created.errors).toBeUndefined();
    const id = created.data?.generatePhotoMaker.id as string;
    const job = await eventually(async () => {
      const { data } = await gql<{ job: { status: string; error: { code: string; message: string } } }>(
        api.url,
        who.atrest.key,
        `query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`,
        { id },
      );
      return data?.job.status === 'FAILED' ? data.job : undefined;
    }, 60_000);
    // The failure still says what failed, where (the origin) and how.
    expect(job.error.code).toMatch(/^(webhook|upload)DeliveryFailed$/);
    expect(job.error.message).toContain(`${receiverUrl} answered HTTP 410`);

    const workflowId = workflowIdForJob(id);
    // The job's FAILED event comes first; the workflow then posts its job.failed webhook and closes.
    const history = await eventually(async () => {
      const shown = temporal(['workflow', 'show', '--workflow-id', workflowId]);
      return /WORKFLOW_EXECUTION_FAILED|workflowExecutionFailedEventAttributes/.test(shown)
        ? shown
        : undefined;
    }, 60_000);
    const described = temporal(['workflow', 'describe', '--workflow-id', workflowId]);
    const workerLog = readdirSync(stack().logDir)
      .map((name) => readFileSync(join(stack().logDir, name), 'utf8'))
      .join('\n');
    // The worker did log the failures (the scan is not of an empty log).
    expect(workerLog).toMatch(/answered HTTP 410/);
    const scanned = {
      history,
      described,
      workerLog,
      apiLog: apiLog.join(''),
      redis: await redisDump(api.redis),
    };
    for (const [where, text] of Object.entries(scanned)) {
      for (const token of TOKENS) expect(text.includes(token), `${token} in ${where}`).toBe(false);
      expect(text.includes(process.cwd()), `a file path in ${where}`).toBe(false);
    }
  }, 90_000);
});
