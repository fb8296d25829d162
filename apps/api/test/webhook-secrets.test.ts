import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, GENERATE, gql, startApi, tenants } from './helpers.ts';
import { type ReceivedHook, startHookReceiver } from './support/hook-receiver.ts';

// End to end: the worker signs alice's webhook, the API tells alice (and only alice) the secret that
// verifies it, and the off-the-shelf Standard Webhooks verifier is the judge.
const who = tenants('alice', 'bob');
const SECRET = '{ webhookSigningSecret }';
let api: Awaited<ReturnType<typeof startApi>>;
let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
let hookUrl = '';
let hooks: ReceivedHook[] = [];

beforeAll(async () => {
  // The receiver is on loopback, which the URL guard refuses unless allowed (as the worker allows it).
  api = await startApi(who, { PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1' });
  receiver = await startHookReceiver();
  hookUrl = receiver.url;
  hooks = receiver.hooks;
});

afterAll(async () => {
  await api?.server.close();
  receiver?.close();
});

async function secretOf(key: string): Promise<string> {
  const result = await gql<{ webhookSigningSecret: string }>(api.url, key, SECRET);
  expect(result.errors).toBeUndefined();
  return result.data?.webhookSigningSecret ?? '';
}

async function firstHook(jobId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hook = hooks.find((h) => String(h.headers['webhook-id']).startsWith(`whk_${jobId}_`));
    if (hook) return hook;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no webhook for job ${jobId} within ${timeoutMs} ms`);
}

describe('webhook signing secrets per tenant', () => {
  it('tells each caller its own whsec_ secret, distinct per tenant, and nobody without a key', async () => {
    const [alice, bob] = [await secretOf(who.alice.key), await secretOf(who.bob.key)];
    expect(alice).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(bob).toMatch(/^whsec_/);
    expect(alice).not.toBe(bob);
    expect(await secretOf(who.alice.key)).toBe(alice);
    const anonymous = await gql(api.url, undefined, SECRET);
    expect(anonymous.data?.webhookSigningSecret).toBeUndefined();
    expect(anonymous.status).toBe(401);
  });

  it('the secret alice learns verifies the webhook the worker sent for her job; bob’s does not', async () => {
    const created = await gql<{ generatePhotoMaker: { id: string } }>(api.url, who.alice.key, GENERATE, {
      input: baseInput({ webhookURL: hookUrl }),
    });
    expect(created.errors).toBeUndefined();
    const hook = await firstHook(created.data?.generatePhotoMaker.id ?? '');
    const headers = {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    };
    const payload = new Webhook(await secretOf(who.alice.key)).verify(hook.body, headers);
    expect(payload).toMatchObject({ data: [{ taskType: 'photoMaker' }] });
    const bobs = await secretOf(who.bob.key);
    expect(() => new Webhook(bobs).verify(hook.body, headers)).toThrow('No matching signature found');
  });
});
