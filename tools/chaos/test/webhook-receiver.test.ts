import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../src/webhook-receiver.ts';

const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const otherTenant = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
const body = JSON.stringify({ data: [{ taskType: 'photoMaker', imageUUID: 'img-1' }] });
let receiver: WebhookReceiver;
let url = '';

beforeAll(async () => {
  receiver = new WebhookReceiver(secret);
  url = await receiver.start();
});

afterAll(() => receiver?.close());

async function post(id: string, signingSecret: string): Promise<number> {
  const timestamp = new Date();
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(signingSecret).sign(id, timestamp, body),
    },
  });
  return response.status;
}

describe('the chaos webhook receiver', () => {
  it('accepts the tenant’s signature and flags another tenant’s, recording the job and image', async () => {
    await post('whk_job-a_0', secret);
    await post('whk_job-b_1', otherTenant);
    expect(
      receiver.deliveries.map(({ id, jobId, imageUUID, signatureOk }) => ({
        id,
        jobId,
        imageUUID,
        signatureOk,
      })),
    ).toEqual([
      { id: 'whk_job-a_0', jobId: 'job-a', imageUUID: 'img-1', signatureOk: true },
      { id: 'whk_job-b_1', jobId: 'job-b', imageUUID: 'img-1', signatureOk: false },
    ]);
  });
});
