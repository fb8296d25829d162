import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  deriveWebhookSecret,
  parseTenantSecrets,
  standardWebhookHeaders,
  TenantWebhookSecrets,
  webhookSecretsEnv,
  webhookSecretsFromEnv,
} from '../src/index.ts';

const MASTER = 'master-secret-0123456789abcdef';
const body = JSON.stringify({ data: [{ taskType: 'photoMaker', imageUUID: 'x' }] });
const whsec = (bytes = 32) => `whsec_${randomBytes(bytes).toString('base64')}`;

describe('tenant webhook secrets', () => {
  it('derives a distinct, stable whsec_ secret per tenant from the master', () => {
    const a = deriveWebhookSecret(MASTER, 'tenant-a');
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(deriveWebhookSecret(MASTER, 'tenant-a')).toBe(a);
    expect(deriveWebhookSecret(MASTER, 'tenant-b')).not.toBe(a);
    expect(deriveWebhookSecret(`${MASTER}x`, 'tenant-a')).not.toBe(a);
  });

  it('prefers configured secrets, keeps rotation order, derives for everyone else', () => {
    const [current, next] = [whsec(), whsec(24)];
    const secrets = new TenantWebhookSecrets({
      master: MASTER,
      configured: `tenant-a:${current}, tenant-a:${next}`,
    });
    expect(secrets.current('tenant-a')).toBe(current);
    expect(secrets.signing('tenant-a')).toEqual([current, next]);
    expect(secrets.signing('tenant-b')).toEqual([deriveWebhookSecret(MASTER, 'tenant-b')]);
  });

  it('refuses bad entries naming the entry and the rule', () => {
    expect(() => parseTenantSecrets(`a:${whsec()},b:nope`)).toThrow(
      'entry 2 (tenant:whsec_...): must start with whsec_',
    );
    expect(() => parseTenantSecrets(`a:${whsec(8)}`)).toThrow('must hold 24 to 64 bytes (got 8)');
    expect(() => parseTenantSecrets('a:whsec_!!!')).toThrow('must be whsec_ followed by base64');
    expect(() => parseTenantSecrets(`:${whsec()}`)).toThrow('entry 1 (tenant:whsec_...): tenant must match');
    const parsed = webhookSecretsEnv.safeParse({ PHOTOMAKER_WEBHOOK_SECRETS: 'a:b' });
    expect(parsed.error?.issues[0]?.message).toBe('entry 1 (tenant:whsec_...): must start with whsec_');
  });

  it('warns when the master secret is the dev one', () => {
    expect(webhookSecretsFromEnv({}).warning).toMatch(/PHOTOMAKER_WEBHOOK_SECRET unset/);
    expect(webhookSecretsFromEnv({ PHOTOMAKER_WEBHOOK_SECRET: MASTER }).warning).toBeUndefined();
  });
});

describe('Standard Webhooks signatures', () => {
  const secrets = new TenantWebhookSecrets({ master: MASTER });

  it('verify with the standardwebhooks library for the tenant, and only for it', () => {
    const headers = standardWebhookHeaders(secrets.signing('tenant-a'), { id: 'whk_job_0', body });
    expect(new Webhook(secrets.current('tenant-a')).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secrets.current('tenant-b')).verify(body, headers)).toThrow(
      'No matching signature found',
    );
  });

  it('bind the id, the timestamp and the body', () => {
    const headers = standardWebhookHeaders(secrets.signing('tenant-a'), { id: 'whk_job_0', body });
    const verifier = new Webhook(secrets.current('tenant-a'));
    expect(() => verifier.verify(body, { ...headers, 'webhook-id': 'whk_job_1' })).toThrow(
      'No matching signature found',
    );
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(() => verifier.verify(body, { ...headers, 'webhook-timestamp': later })).toThrow(
      'No matching signature found',
    );
    expect(() => verifier.verify(`${body} `, headers)).toThrow('No matching signature found');
  });

  it('are refused outside the replay window', () => {
    const stale = Math.floor(Date.now() / 1000) - 301;
    const headers = standardWebhookHeaders(secrets.signing('tenant-a'), {
      id: 'whk_job_0',
      body,
      timestamp: stale,
    });
    expect(() => new Webhook(secrets.current('tenant-a')).verify(body, headers)).toThrow(
      'Message timestamp too old',
    );
  });

  it('carry one signature per rotating secret, each verifiable', () => {
    const [current, next] = [whsec(), whsec()];
    const rotating = new TenantWebhookSecrets({ master: MASTER, configured: `a:${current},a:${next}` });
    const headers = standardWebhookHeaders(rotating.signing('a'), { id: 'whk_job_0', body });
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [current, next])
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('sign binary bodies over their raw bytes', () => {
    // The JS verifier decodes bodies as UTF-8, so binary uploads are checked with the spec's HMAC here.
    const bytes = new Uint8Array(randomBytes(256));
    const secret = secrets.current('tenant-a');
    const headers = standardWebhookHeaders([secret], { id: 'upl_job_0', body: bytes });
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(Buffer.concat([Buffer.from(`upl_job_0.${headers['webhook-timestamp']}.`), bytes]))
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('refuse an id the signed string could not separate', () => {
    expect(() => standardWebhookHeaders([secrets.current('a')], { id: 'a.b', body })).toThrow(
      "webhook id 'a.b' must not contain '.'",
    );
  });
});
