import { randomUUID } from 'node:crypto';
import { stringifyRunwareJson } from '@photomaker/schema';
import fc from 'fast-check';
import { type FuzzClient, MAX_BODY_BYTES } from './driver.ts';
import { type FuzzFixtures, type Malformed, notJsonText } from './fixtures.ts';
import { must } from './refusals.ts';

/** One /v1 case: what to send (and with which headers) and the codes + status that correctly refuse it. */
interface V1Case {
  label: string;
  body: () => unknown;
  codes: string[];
  status?: number;
  headers?: Record<string, string>;
}

const JSON_ONLY = { 'content-type': 'application/json' };

function v1Case(client: FuzzClient, c: V1Case): Malformed {
  return {
    label: c.label,
    run: async (p) => {
      const payload = c.body();
      const a = c.headers
        ? await client.send(
            p,
            '/v1',
            typeof payload === 'string' ? payload : stringifyRunwareJson(payload),
            c.headers,
          )
        : await client.v1(p, payload);
      const got = ((a.body?.errors ?? []) as { code: string }[]).map((e) => e.code);
      must(!a.body?.data, () => `${c.label}: data in a refusal`);
      must(
        got.some((code) => c.codes.includes(code)) && (c.status === undefined || a.status === c.status),
        () => `${c.label} -> ${a.status} ${got}`,
      );
    },
  };
}

/** The /v1 case table: each entry draws the bad value, then names the refusal it must get. */
function v1Cases(fixtures: FuzzFixtures): fc.Arbitrary<V1Case>[] {
  const photoMaker = (extra: Record<string, unknown>) => ({
    taskType: 'photoMaker',
    taskUUID: randomUUID(),
    ...fixtures.valid.wire,
    ...extra,
  });
  const bad = (label: string, body: () => unknown, codes: string[], status = 400): V1Case => ({
    label,
    body,
    codes,
    status,
  });
  return [
    notJsonText().map((text) => bad('not JSON', () => text, ['invalidJson'])),
    fc
      .constantFrom({}, 'x', 1, null, [])
      .map((body) =>
        bad('not a task array', () => JSON.stringify(body), ['invalidTaskFormat', 'invalidJson']),
      ),
    fc
      .constantFrom(1, 'x', null, [1])
      .map((task) =>
        bad('a task that is not an object', () => [task], [
          'invalidTaskFormat',
          'invalidTaskType',
          'missingTaskType',
        ]),
      ),
    fc
      .constantFrom('photomaker', 'imageUpscale', '', 'PHOTOMAKER')
      .map((taskType) =>
        bad('unknown taskType', () => [photoMaker({ taskType })], [
          'invalidTaskType',
          'missingTaskType',
          'unsupportedTaskType',
        ]),
      ),
    fc.constant(
      bad('missing taskType', () => [{ ...photoMaker({}), taskType: undefined }], [
        'missingTaskType',
        'invalidTaskType',
        'invalidTaskFormat',
      ]),
    ),
    fc
      .constantFrom('abc', '123', 'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz', 42)
      .map((taskUUID) => bad('invalid taskUUID', () => [photoMaker({ taskUUID })], ['invalidTaskUUID'])),
    fc.constant(
      bad('missing taskUUID', () => [{ ...photoMaker({}), taskUUID: undefined }], ['missingTaskUUID']),
    ),
    fc.constant({
      ...bad('missing key', () => [photoMaker({})], ['missingApiKey'], 401),
      headers: JSON_ONLY,
    }),
    fc.constant({
      ...bad('wrong key', () => [photoMaker({})], ['invalidApiKey'], 401),
      headers: { ...JSON_ONLY, authorization: 'Bearer wrong' },
    }),
    fc.constant({
      ...bad(
        'wrong key in an authentication task',
        () => [{ taskType: 'authentication', apiKey: 'wrong' }, photoMaker({})],
        ['invalidApiKey'],
        401,
      ),
      headers: JSON_ONLY,
    }),
    fc
      .integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 3 })
      .map((size) =>
        bad(
          'oversized body',
          () => [photoMaker({ positivePrompt: 'a'.repeat(size) })],
          ['payloadTooLarge'],
          413,
        ),
      ),
    fc.constant(
      bad('oversized image', () => [photoMaker({ inputImages: [fixtures.bigImage] })], [
        'invalidInputImages',
      ]),
    ),
    fc
      .constantFrom('not an image', 'data:image/png;base64,AAAA', '')
      .map((image) =>
        bad(
          'imageUpload of a non-image',
          () => [{ taskType: 'imageUpload', taskUUID: randomUUID(), image }],
          ['invalidImage', 'missingImage'],
        ),
      ),
    fc
      .constantFrom('sync', 'async')
      .map((deliveryMethod) =>
        bad('valid task with a broken seed', () => [photoMaker({ deliveryMethod, seed: -5 })], [
          'invalidSeed',
        ]),
      ),
  ];
}

/** Malformed, oversized and unauthenticated /v1 requests, each with the refusal it must get. */
export function v1Malformed(client: FuzzClient, fixtures: FuzzFixtures): fc.Arbitrary<Malformed> {
  return fc.oneof(...v1Cases(fixtures).map((arb) => arb.map((c) => v1Case(client, c))));
}
