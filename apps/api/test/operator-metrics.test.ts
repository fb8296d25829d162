import { randomUUID } from 'node:crypto';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startApi, tenants, v1 } from './helpers.ts';

// /metrics of the API: behind PHOTOMAKER_METRICS_TOKEN, off without it, and bounded whatever callers send.
const who = tenants('ops');
const TOKEN = `metrics-${randomUUID()}`;
let api: Awaited<ReturnType<typeof startApi>>;
let closed: Awaited<ReturnType<typeof startApi>>;

const scrape = (url: string, authorization?: string) =>
  fetch(`${url}/metrics`, authorization ? { headers: { authorization } } : {});

beforeAll(async () => {
  api = await startApi({ ops: who.ops }, { PHOTOMAKER_METRICS_TOKEN: TOKEN });
  // The test stack's shared env carries a metrics token: this API is started without one.
  closed = await startApi({ ops: who.ops }, { PHOTOMAKER_METRICS_TOKEN: '' });
});

afterAll(async () => {
  await api?.server.close();
  await closed?.server.close();
});

describe('operator endpoints of the API', () => {
  it('serves health, readiness and Prometheus metrics (with the metrics token)', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({
      status: 'ok',
      eventLoopDelayMaxMs: expect.any(Number),
    });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ temporal: true, redis: true });
    const metrics = await (await scrape(api.url, `Bearer ${TOKEN}`)).text();
    expect(metrics).toContain('photomaker_api_http_request_duration_seconds');
    expect(metrics).toContain('photomaker_api_jobs_started_total');
    expect(metrics).toContain('photomaker_api_hub_jobs');
  });

  it('refuses /metrics without the bearer token, or with another one (even an API key)', async () => {
    for (const authorization of [undefined, `Bearer ${TOKEN.slice(1)}`, `Bearer ${who.ops.key}`]) {
      const response = await scrape(api.url, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(await response.json()).toEqual({
        error: '/metrics needs Authorization: Bearer <PHOTOMAKER_METRICS_TOKEN>',
      });
    }
  });

  it('does not serve /metrics at all without PHOTOMAKER_METRICS_TOKEN', async () => {
    const response = await scrape(closed.url, `Bearer ${TOKEN}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: '/metrics is off: set PHOTOMAKER_METRICS_TOKEN to serve it',
    });
    expect((await fetch(`${closed.url}/healthz`)).status).toBe(200);
  });

  it('stays bounded when callers send a new operation name or taskType each time', async () => {
    const size = async () => (await (await scrape(api.url, `Bearer ${TOKEN}`)).text()).length;
    // Warm every fixed series first (the 'other' values, the statuses these calls answer with).
    await gql(api.url, who.ops.key, 'query Warm { __typename }');
    await v1(api.url, who.ops.key, [{ taskType: 'warm', taskUUID: randomUUID() }]);
    const before = await size();
    const filler = 'x'.repeat(200);
    for (let i = 0; i < 100; i++) {
      const named = await gql(api.url, who.ops.key, `query Flood${i}${filler} { __typename }`);
      expect(named.status).toBe(200);
      const task = await v1(api.url, who.ops.key, [
        { taskType: `flood${i}${filler}`, taskUUID: randomUUID() },
      ]);
      expect(task.body.errors?.[0]).toMatchObject({ code: 'unsupportedTaskType' });
    }
    const text = await (await scrape(api.url, `Bearer ${TOKEN}`)).text();
    expect(text).not.toContain('Flood1');
    expect(text).not.toContain('flood1');
    expect(text).toMatch(/photomaker_api_graphql_operations_total\{[^}]*name="other"/);
    expect(text).toMatch(/photomaker_api_v1_tasks_total\{taskType="other"/);
    // 200 distinct 200-character names would add > 40 KB; closed sets add only counts that grew.
    expect((await size()) - before).toBeLessThan(2_000);
  });
});
