import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OtlpReceiver, type Platform, type ReceivedSpan, startPlatform } from '@photomaker/harness';
import { graphqlWs, PlatformClient, pngDataUri, referencePng, smallTask } from '@photomaker/harness/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanTree } from './support/span-tree.ts';

// A platform of its own (the shared stack's worker would take these jobs untraced), its API and worker
// exporting OTLP/HTTP JSON to a real receiver in this process. Each job's trace must run unbroken from
// the submission to each Runware call and delivery, with the id the Job answers. A global in-flight
// budget puts every job through the admission queue, so its slot wait is in the trace too.

const PROMPT = `rwre, a traced portrait ${randomUUID()}`;
const HOOK_TOKEN = `hooktoken${randomUUID().replaceAll('-', '')}`;
const JOB = `mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id status traceId } }`;
const READ = 'query($id: ID!) { job(id: $id) { id traceId } }';
const TRACE_ID = /^[0-9a-f]{32}$/;

let receiver: OtlpReceiver;
let hooks: Server;
let hookUrl: string;
let platform: Platform;
let client: PlatformClient;
let reference: string;
const logLines: { piece: string; line: string }[] = [];

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  hooks = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  platform = await startPlatform({
    pieces: ['temporal', 'redis', 'emulator', 'worker', 'api'],
    name: 'tracing',
    env: { worker: otel, api: { ...otel, PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT: '16' } },
    onLine: (piece, line) => logLines.push({ piece, line }),
  });
  client = new PlatformClient(platform.apiUrl, platform.apiKey);
  reference = await client.uploadReference(pngDataUri(await referencePng()));
}, 120_000);

afterAll(async () => {
  await client?.close();
  await platform?.stop();
  await receiver?.close();
  hooks?.close();
});

const inTrace = (traceId: string, name: string) => (spans: ReceivedSpan[]) =>
  spans.some((span) => span.traceId === traceId && span.name === name);

/**
 * Waits for every span the chain needs: the worker's (the workflow span is exported when the workflow
 * ends) and the API's (exported in their own batches, possibly after the worker's).
 */
async function traceOf(traceId: string, root: string, more: string[] = []): Promise<SpanTree> {
  const wanted = [
    'runware POST',
    'RunWorkflow:photoMakerJob',
    'StartWorkflow:photoMakerJob',
    'job submit',
    root,
    ...more,
  ];
  await receiver.waitFor((spans) => wanted.every((name) => inTrace(traceId, name)(spans)));
  return new SpanTree(receiver.spans, traceId);
}

/** The job's part of a chain, from the workflow span up: the start, the submission, the request. */
function jobRoot(root: string): string[] {
  return [
    'photomaker-worker:RunWorkflow:photoMakerJob',
    'photomaker-api:StartWorkflow:photoMakerJob',
    'photomaker-api:job submit',
    `photomaker-api:${root}`,
  ];
}

/**
 * From a worker span up to the API's: the activity, the workflow, the start, the submission. `via`: a
 * span between the leaf and the activity (a per-image job's `runware image task`).
 */
function expectJobChain(path: string[], leaf: string, activity: RegExp, root: string, via?: string): void {
  const [first, ...rest] = path;
  expect(first).toBe(`photomaker-worker:${leaf}`);
  const up = via === undefined ? rest : rest.slice(1);
  if (via !== undefined) expect(rest[0]).toBe(`photomaker-worker:${via}`);
  expect(up[0]).toMatch(new RegExp(`^photomaker-worker:RunActivity:${activity.source}$`));
  expect(up[1]).toMatch(new RegExp(`^photomaker-worker:StartActivity:${activity.source}$`));
  expect(up.slice(2)).toEqual(jobRoot(root));
}

/** The admission queue's slot wait: a span of the workflow, the slot request's activity inside it. */
function expectSlotWait(tree: SpanTree, root: string): void {
  const [wait] = tree.named('admission slot wait');
  expect(tree.pathToRoot(wait as ReceivedSpan)).toEqual([
    'photomaker-worker:admission slot wait',
    ...jobRoot(root),
  ]);
  expect(wait?.attributes['photomaker.priority']).toMatch(/^(HIGH|NORMAL|LOW)$/i);
  const [request] = tree.named('RunActivity:requestAdmissionSlotNow');
  expect(tree.pathToRoot(request as ReceivedSpan).slice(1)).toEqual([
    'photomaker-worker:StartActivity:requestAdmissionSlotNow',
    'photomaker-worker:admission slot wait',
    ...jobRoot(root),
  ]);
}

async function readTraceId(jobId: string): Promise<string | null | undefined> {
  const read = await client.http.post<{ job: { traceId: string | null } }>(READ, { id: jobId });
  return read.data?.job.traceId;
}

describe('one trace per job (OTLP export received by a real receiver)', () => {
  it('GraphQL over HTTP: request -> workflow start -> workflow run -> activity -> Runware call, and Job.traceId', async () => {
    const input = { ...smallTask(reference), positivePrompt: PROMPT, deliveryMethod: 'SYNC' };
    const answer = await client.http.post<{
      generatePhotoMaker: { id: string; status: string; traceId: string };
    }>(JOB, { input });
    expect(answer.errors).toBeUndefined();
    const job = answer.data?.generatePhotoMaker;
    expect(job?.status).toBe('SUCCEEDED');
    expect(job?.traceId).toMatch(TRACE_ID);
    const traceId = job?.traceId ?? '';
    const tree = await traceOf(traceId, 'graphql mutation generatePhotoMaker', [
      'admission slot wait',
      'RunActivity:requestAdmissionSlotNow',
    ]);
    expectSlotWait(tree, 'graphql mutation generatePhotoMaker');
    const [call] = tree.named('runware POST');
    expectJobChain(
      tree.pathToRoot(call as ReceivedSpan),
      'runware POST',
      /collectImages\w*/,
      'graphql mutation generatePhotoMaker',
    );
    const [root] = tree.named('graphql mutation generatePhotoMaker');
    expect(root).toMatchObject({
      parentSpanId: '',
      kind: 2,
      attributes: { 'photomaker.transport': 'graphql' },
    });
    expect(tree.named('job submit')[0]?.attributes).toMatchObject({
      'photomaker.job_id': job?.id,
      'photomaker.created': true,
    });
    expect(call?.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
    });
    // Every read path answers the trace: the record, folded with the events.
    expect(await readTraceId(job?.id ?? '')).toBe(traceId);
    // From a log line to the trace: the API's "job started" line names it.
    const started = logLines
      .filter((l) => l.piece === 'api' && l.line.includes('"job started"'))
      .map((l) => JSON.parse(l.line) as { jobId?: string; trace_id?: string })
      .find((l) => l.jobId === job?.id);
    expect(started?.trace_id).toBe(traceId);
  }, 120_000);

  it('POST /v1 with a webhook: Runware calls and the delivery in the job trace; the caller traceparent only linked', async () => {
    const callerTrace = randomUUID().replaceAll('-', '');
    const taskUUID = randomUUID();
    const task = {
      taskType: 'photoMaker',
      taskUUID,
      ...smallTask(pngDataUri(await referencePng())),
      positivePrompt: PROMPT,
      numberResults: 2,
      deliveryMethod: 'sync',
      webhookURL: `${hookUrl}/hooks/${HOOK_TOKEN}?token=${HOOK_TOKEN}`,
    };
    const response = await fetch(`${platform.apiUrl}/v1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${platform.apiKey}`,
        traceparent: `00-${callerTrace}-${'ab'.repeat(8)}-01`,
      },
      body: JSON.stringify([task]),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { taskUUID: string; imageUUID?: string }[] };
    // With a webhook the answer is the acknowledgement (as Runware's); the images go to the webhook.
    expect(body.data[0]?.taskUUID).toBe(taskUUID);
    const root = await receiver.waitFor((spans) => spans.some((s) => s.name === 'POST /v1'));
    const request = root.find((s) => s.name === 'POST /v1') as ReceivedSpan;
    // A new trace, the caller's linked: no client can put its spans into a job's trace.
    expect(request.traceId).not.toBe(callerTrace);
    expect(request.parentSpanId).toBe('');
    expect(request.links).toEqual([{ traceId: callerTrace, spanId: 'ab'.repeat(8) }]);
    const tree = await traceOf(request.traceId, 'POST /v1', ['webhook POST', 'admission slot wait']);
    expectSlotWait(tree, 'POST /v1');
    // Two images, one Runware task each: a span per image task, its send and polls inside it.
    await receiver.waitFor(
      (spans) =>
        spans.filter((s) => s.traceId === request.traceId && s.name === 'runware image task').length === 2,
    );
    const images = new SpanTree(receiver.spans, request.traceId);
    const imageTasks = images.named('runware image task');
    expect(imageTasks.map((span) => span.attributes['photomaker.image.index']).sort()).toEqual([0, 1]);
    for (const imageTask of imageTasks) {
      expect(imageTask.attributes['photomaker.image.outcome']).toBe('done');
      expect(images.pathToRoot(imageTask).slice(1, 3)).toEqual([
        'photomaker-worker:RunActivity:collectImages',
        'photomaker-worker:StartActivity:collectImages',
      ]);
    }
    // Each image task's send (and its polls) inside its span; any other call (a reference upload) the
    // activity's own.
    const calls = images.named('runware POST');
    const sends = calls.filter((call) =>
      String(call.attributes['runware.task_types']).includes('photoMaker'),
    );
    expect(sends.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      const path = images.pathToRoot(call);
      const inImage = path[1] === 'photomaker-worker:runware image task';
      if (sends.includes(call)) expect(inImage).toBe(true);
      expectJobChain(
        path,
        'runware POST',
        /collectImages/,
        'POST /v1',
        inImage ? 'runware image task' : undefined,
      );
    }
    const deliveries = tree.named('webhook POST');
    expect(deliveries.length).toBe(2);
    for (const delivery of deliveries) {
      expectJobChain(tree.pathToRoot(delivery), 'webhook POST', /deliverWebhook/, 'POST /v1');
      expect(delivery.attributes).toMatchObject({
        'http.response.status_code': 204,
        'server.address': hookUrl.slice(7),
      });
    }
    const jobId = String(tree.named('job submit')[0]?.attributes['photomaker.job_id']);
    expect(await readTraceId(jobId)).toBe(request.traceId);
  }, 120_000);

  it('GraphQL over graphql-ws: the submission on a socket starts the job trace too', async () => {
    const ws = graphqlWs(platform.apiUrl, platform.apiKey);
    try {
      const input = { ...smallTask(reference), positivePrompt: PROMPT, deliveryMethod: 'SYNC' };
      const results = ws.iterate<{ generatePhotoMaker: { id: string; status: string; traceId: string } }>({
        query: JOB,
        variables: { input },
      });
      const first = await results.next();
      const job = first.value?.data?.generatePhotoMaker;
      expect(job?.status).toBe('SUCCEEDED');
      const tree = await traceOf(job?.traceId ?? '', 'graphql mutation generatePhotoMaker');
      const [call] = tree.named('runware POST');
      expectJobChain(
        tree.pathToRoot(call as ReceivedSpan),
        'runware POST',
        /collectImages\w*/,
        'graphql mutation generatePhotoMaker',
      );
      expect(tree.named('graphql mutation generatePhotoMaker')[0]?.attributes['photomaker.transport']).toBe(
        'graphql-ws',
      );
    } finally {
      await ws.dispose();
    }
  }, 120_000);

  it('exports no key, token, prompt or image bytes, and nothing but JSON', () => {
    const text = JSON.stringify(receiver.spans);
    for (const secret of [
      platform.apiKey,
      platform.secrets.runwareKey,
      HOOK_TOKEN,
      PROMPT,
      'base64',
      'iVBOR',
    ])
      expect(text).not.toContain(secret);
    expect(receiver.refused).toEqual([]);
    // Both processes exported, under their own service names.
    expect(new Set(receiver.spans.map((s) => s.service))).toEqual(
      new Set(['photomaker-api', 'photomaker-worker']),
    );
  });
});
