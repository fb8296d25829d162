import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsOriginsFrom } from '../src/config.ts';
import { startApi, tenants } from './helpers.ts';

// A browser app on another origin calls the API: only the origins in PHOTOMAKER_CORS_ORIGINS may.

const APP = 'https://app.example.com';
const who = tenants('cors');
let withCors: Awaited<ReturnType<typeof startApi>>;
let sameOriginOnly: Awaited<ReturnType<typeof startApi>>;

beforeAll(async () => {
  [withCors, sameOriginOnly] = await Promise.all([
    startApi(who, { PHOTOMAKER_CORS_ORIGINS: `${APP}, http://localhost:5173` }),
    startApi(who),
  ]);
});

afterAll(async () => {
  await Promise.all([withCors?.server.close(), sameOriginOnly?.server.close()]);
});

const preflight = (url: string, origin: string) =>
  fetch(`${url}/graphql`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('CORS', () => {
  it('answers an allowed origin’s preflight before authentication', async () => {
    const response = await preflight(withCors.url, APP);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets an allowed origin read the answer of an authenticated request, and its request id', async () => {
    const response = await fetch(`${withCors.url}/graphql`, {
      method: 'POST',
      headers: { origin: APP, authorization: `Bearer ${who.cors.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ styles { name } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('gives other origins, and every origin without the setting, no CORS headers', async () => {
    const other = await preflight(withCors.url, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const unset = await preflight(sameOriginOnly.url, APP);
    expect(unset.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a setting that is not a list of origins, naming the variable', () => {
    expect(corsOriginsFrom(undefined)).toEqual([]);
    expect(corsOriginsFrom(' https://a.example ,http://localhost:5173/ ')).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(corsOriginsFrom('*')).toEqual(['*']);
    expect(() => corsOriginsFrom('https://a.example/app')).toThrow(
      /PHOTOMAKER_CORS_ORIGINS: 'https:\/\/a.example\/app' is not an origin/,
    );
    expect(() => corsOriginsFrom('a.example')).toThrow(/PHOTOMAKER_CORS_ORIGINS/);
  });
});
