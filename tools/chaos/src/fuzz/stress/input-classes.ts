import { randomUUID } from 'node:crypto';
import { GENERATE } from '@photomaker/harness/client';
import { stringifyRunwareJson } from '@photomaker/schema';
import sharp from 'sharp';
import { request } from 'undici';
import { TINY_PNG } from '../violations.ts';
import { dataUri, freshLabel, PROTOTYPE_NAMES, pixelBombPng, pngClaiming, truncated } from './payloads.ts';
import { generateWith } from './shape-classes.ts';
import { bearer, bounded, type ClassOutcome, notARefusal, type StressContext, send, Tally } from './tally.ts';

/** The hostile images, built once: each must be refused as `invalidInputImages` before any job starts. */
async function hostileImages(): Promise<{ what: string; uri: string }[]> {
  const photo = sharp({
    create: {
      width: 256,
      height: 256,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  });
  const png = await photo.clone().png().toBuffer();
  const jpeg = await photo.clone().jpeg().toBuffer();
  const animated = await sharp({
    create: { width: 64, height: 256, channels: 3, background: '#808080', pageHeight: 64 },
  })
    .gif()
    .toBuffer();
  return [
    { what: 'PNG truncated to half', uri: dataUri('image/png', truncated(png, 0.5)) },
    { what: 'JPEG truncated to a third', uri: dataUri('image/jpeg', truncated(jpeg, 0.33)) },
    { what: 'PNG header claiming 60000x60000', uri: dataUri('image/png', pngClaiming(60_000, 60_000)) },
    {
      what: 'PNG of 10000x10000 black pixels (100 MB decoded)',
      uri: dataUri('image/png', pixelBombPng(10_000)),
    },
    { what: 'animated GIF of 4 frames', uri: dataUri('image/gif', animated) },
  ];
}

/**
 * Truncated, oversize-dimension, decompression-bomb and animated references over GraphQL and /v1: the
 * issue's truncated PNG started a job that Runware failed (and retried) later.
 */
export async function hostileImagesClass(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const images = await hostileImages();
  const refused = new Map<string, { sent: number; refused: number }>();
  await bounded(images.length * (ctx.quick ? 2 : 6), 2, ctx.quick ? 60 : 150, async (i) => {
    const { what, uri } = images[i % images.length] as { what: string; uri: string };
    const viaGraphql = Math.floor(i / images.length) % 2 === 0;
    const reply = viaGraphql
      ? await send(ctx, '/graphql', generateWith([uri]), bearer(ctx))
      : await send(
          ctx,
          '/v1',
          stringifyRunwareJson([
            {
              taskType: 'photoMaker',
              taskUUID: randomUUID(),
              model: 'civitai:139562@344487',
              positivePrompt: 'a portrait photo',
              width: 128,
              height: 128,
              inputImages: [uri],
            },
          ]),
          bearer(ctx),
        );
    const problem = notARefusal(reply, `${what} via ${viaGraphql ? 'GraphQL' : '/v1'}`);
    const named = reply.text.includes('invalidInputImages');
    const shape = `${what} (${viaGraphql ? 'GraphQL' : '/v1'})`;
    const count = refused.get(shape) ?? { sent: 0, refused: 0 };
    refused.set(shape, { sent: count.sent + 1, refused: count.refused + (!problem && named ? 1 : 0) });
    tally.record(
      problem ??
        (named ? undefined : `${what}: refused without invalidInputImages: ${reply.text.slice(0, 120)}`),
    );
  });
  tally.notes.push(
    `refused as invalidInputImages: ${[...refused].map(([shape, c]) => `${shape} ${c.refused}/${c.sent}`).join(', ')}`,
  );
  return tally;
}

/** /metrics as the operator reads it (with the metrics token); '' when unreadable. */
async function metricsText(ctx: StressContext): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.metricsToken}` };
  const response = await request(`${ctx.apiUrl}/metrics`, { dispatcher: ctx.agent, headers }).catch(
    () => undefined,
  );
  const text = response ? await response.body.text() : '';
  return response?.statusCode === 200 ? text : '';
}

/**
 * A fresh operation name or /v1 taskType with every request: each must be counted under a closed label
 * set (unknown -> `other`). Unexpected: every fresh string that shows up in /metrics.
 */
export async function metricLabelFlooding(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const before = (await metricsText(ctx)).length;
  const sent: string[] = [];
  await bounded(ctx.quick ? 100 : 400, 4, ctx.quick ? 30 : 60, async (i) => {
    const label = freshLabel(i % 2 === 0 ? 'Op' : 'task');
    sent.push(label);
    const reply =
      i % 2 === 0
        ? await send(
            ctx,
            '/graphql',
            JSON.stringify({ query: `query ${label} { __typename }`, operationName: label }),
            bearer(ctx),
          )
        : await send(
            ctx,
            '/v1',
            stringifyRunwareJson([{ taskType: label, taskUUID: randomUUID() }]),
            bearer(ctx),
          );
    // The GraphQL query is valid (it is the label that floods); only a 5xx or a timeout is wrong here.
    tally.record(reply.error || reply.status >= 500 ? `${label}: ${reply.error ?? reply.status}` : undefined);
  });
  const after = await metricsText(ctx);
  const leaked = sent.filter((label) => after.includes(label)).length;
  tally.unexpected += leaked;
  if (leaked > 0)
    tally.examples.push(`${leaked} of ${sent.length} client-chosen strings became metric labels`);
  tally.notes.push(
    after
      ? `/metrics ${Math.round(before / 1024)} KiB -> ${Math.round(after.length / 1024)} KiB`
      : '/metrics not readable',
  );
  return tally;
}

/**
 * Names every JS object already has, as /v1 taskTypes (alone and after a valid task), GraphQL operation
 * names and input keys: the issue's `constructor` taskType answered 500 after earlier tasks started.
 */
export async function prototypeNamedKeys(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const cases: { what: string; path: string; body: string }[] = PROTOTYPE_NAMES.flatMap((name) => [
    {
      what: `/v1 taskType ${name}`,
      path: '/v1',
      body: `[{"taskType":${JSON.stringify(name)},"taskUUID":"${randomUUID()}"}]`,
    },
    {
      what: `/v1 imageUpload then taskType ${name}`,
      path: '/v1',
      body: `[{"taskType":"imageUpload","taskUUID":"${randomUUID()}","image":${JSON.stringify(TINY_PNG)}},{"taskType":${JSON.stringify(name)},"taskUUID":"${randomUUID()}"}]`,
    },
    {
      what: `GraphQL input key ${name}`,
      path: '/graphql',
      body: `{"query":${JSON.stringify(GENERATE)},"variables":{"input":{${JSON.stringify(name)}:{"width":64},"positivePrompt":"a","width":128,"height":128,"inputImages":[${JSON.stringify(TINY_PNG)}]}}}`,
    },
    {
      what: `GraphQL operationName ${name}`,
      path: '/graphql',
      body: JSON.stringify({ query: '{ __typename }', operationName: name }),
    },
  ]);
  await bounded(cases.length * (ctx.quick ? 1 : 3), 2, ctx.quick ? 30 : 60, async (i) => {
    const { what, path, body } = cases[i % cases.length] as (typeof cases)[number];
    const reply = await send(ctx, path, body, bearer(ctx));
    const refusal = notARefusal(reply, what);
    // A /v1 batch with an unknown taskType must be a 400 naming it; nothing of the batch may run.
    const v1Wrong =
      path === '/v1' && reply.status !== 400
        ? `${what}: ${reply.status} ${reply.text.slice(0, 120)}`
        : undefined;
    tally.record(refusal ?? v1Wrong);
  });
  return tally;
}
