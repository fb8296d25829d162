import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, eventually, GENERATE, gql, startApi, tenants } from './helpers.ts';
import { type ReceivedHook, startHookReceiver } from './support/hook-receiver.ts';

// webhookEvents end to end: the job's webhookURL gets the events it chose, each signed for its tenant
// (the off-the-shelf Standard Webhooks verifier is the judge), with the bodies apps/api/README.md documents.
const who = tenants('hooked');
let api: Awaited<ReturnType<typeof startApi>>;
let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
let hookUrl = '';
let hooks: ReceivedHook[] = [];

beforeAll(async () => {
  api = await startApi(who, { PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1' });
  receiver = await startHookReceiver();
  hookUrl = receiver.url;
  hooks = receiver.hooks;
});

afterAll(async () => {
  await api?.server.close();
  receiver?.close();
});

/** The parts of the bodies these tests read (both shapes: job events and Runware's image body). */
interface EventBody {
  type?: string;
  data: {
    jobId?: string;
    status?: string;
    images?: { imageURL: string }[];
    [index: number]: { taskType: string; imageUUID: string };
  };
}

const hooksOf = (jobId: string) => hooks.filter((hook) => String(hook.headers['webhook-id']).includes(jobId));

async function start(input: Record<string, unknown>): Promise<{ id: string; webhookEvents: string[] }> {
  const { data, errors } = await gql<{ generatePhotoMaker: { id: string; webhookEvents: string[] } }>(
    api.url,
    who.hooked.key,
    'mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id webhookEvents } }',
    { input: baseInput({ width: 256, height: 256, webhookURL: hookUrl, ...input }) },
  );
  expect(errors).toBeUndefined();
  return data?.generatePhotoMaker as { id: string; webhookEvents: string[] };
}

describe('webhookEvents', () => {
  it('STARTED, IMAGE and COMPLETED, each signed; bodies as documented', async () => {
    const job = await start({ numberResults: 2, webhookEvents: ['COMPLETED', 'STARTED', 'IMAGE'] });
    expect(job.webhookEvents).toEqual(['STARTED', 'IMAGE', 'COMPLETED']);
    const got = await eventually(async () => {
      const mine = hooksOf(job.id);
      return mine.some((hook) => String(hook.headers['webhook-id']).endsWith('_completed')) && mine;
    }, 60_000);
    const secret = (
      await gql<{ webhookSigningSecret: string }>(api.url, who.hooked.key, '{ webhookSigningSecret }')
    ).data?.webhookSigningSecret as string;
    const verifier = new Webhook(secret);
    const bodies = got.map((hook) => {
      const headers = Object.fromEntries(
        Object.entries(hook.headers).map(([name, value]) => [name, String(value)]),
      );
      return { id: headers['webhook-id'], body: verifier.verify(hook.body, headers) as EventBody };
    });
    const ids = bodies.map((entry) => entry.id).sort();
    expect(ids).toEqual([
      `whe_${job.id}_completed`,
      `whe_${job.id}_started`,
      `whk_${job.id}_0`,
      `whk_${job.id}_1`,
    ]);
    const started = bodies.find((entry) => entry.id?.endsWith('_started'))?.body;
    expect(started).toMatchObject({
      type: 'job.started',
      data: { jobId: job.id, status: 'RUNNING', numberResults: 2 },
    });
    const image = bodies.find((entry) => entry.id === `whk_${job.id}_0`)?.body;
    expect(image?.data?.[0]).toMatchObject({ taskType: 'photoMaker', imageUUID: expect.any(String) });
    const completed = bodies.find((entry) => entry.id?.endsWith('_completed'))?.body;
    expect(completed).toMatchObject({ type: 'job.completed', data: { jobId: job.id, status: 'SUCCEEDED' } });
    expect(completed?.data.images).toHaveLength(2);
    expect(String(completed?.data.images?.[0]?.imageURL)).toMatch(/^http:\/\/.+\/images\//);
    // No prompt travels in any event.
    for (const hook of got) expect(hook.body).not.toContain('studio light');
  });

  it('the default: images and the end, no STARTED', async () => {
    const job = await start({ numberResults: 1 });
    expect(job.webhookEvents).toEqual(['IMAGE', 'COMPLETED', 'FAILED']);
    const got = await eventually(async () => {
      const mine = hooksOf(job.id);
      return mine.length >= 2 && mine;
    }, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      hooksOf(job.id)
        .map((hook) => String(hook.headers['webhook-id']))
        .sort(),
    ).toEqual([`whe_${job.id}_completed`, `whk_${job.id}_0`]);
    expect(got).toHaveLength(2);
  });

  it('an unknown event is refused naming the field', async () => {
    const { errors } = await gql(api.url, who.hooked.key, GENERATE, {
      input: baseInput({ webhookURL: hookUrl, webhookEvents: ['LOGS'] }),
    });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errors?.[0]?.message).toContain('webhookEvents');
  });
});
