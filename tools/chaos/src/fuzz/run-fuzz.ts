import { randomBytes, randomUUID } from 'node:crypto';
import { buildWorkerBundle, PIECE_NAMES, Platform } from '@photomaker/harness';
import { GENERATE } from '@photomaker/harness/client';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { stringifyRunwareJson } from '@photomaker/schema';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import sharp from 'sharp';
import { Agent, request } from 'undici';
import { applyViolations, PARAMETER_VIOLATIONS, type Violation, violationSets } from './violations.ts';

export interface FuzzOptions {
  /** Cases per property. */
  runs: number;
  seed: number;
  build: boolean;
  log: (line: string) => void;
  onProcessLine?: (name: string, line: string) => void;
}

export interface FuzzFailure {
  property: string;
  message: string;
}

export interface FuzzReport {
  /** Requests sent, per property (shrinking included). */
  tried: Record<string, number>;
  total: number;
  serverErrors: number;
  workflowsStarted: number;
  runwareTasks: number;
  crashedProcesses: string[];
  failures: FuzzFailure[];
  ok: boolean;
  durationSeconds: number;
}

const MAX_BODY_BYTES = 256 * 1024;
const MAX_IMAGE_BYTES = 32 * 1024;

export interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  text: string;
}

class Http {
  private readonly agent = new Agent({ connections: 8 });
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async post(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const response = await request(`${this.base}${path}`, {
      method: 'POST',
      dispatcher: this.agent,
      headers,
      body,
    });
    const text = await response.body.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    return { status: response.statusCode, body: parsed, text };
  }
  close() {
    return this.agent.close();
  }
}

interface GraphQLErrorShape {
  message?: string;
  extensions?: {
    code?: string;
    runwareCode?: string;
    parameter?: string;
    runwareErrors?: { runwareCode: string; parameter: string }[];
  };
}

/** Every Runware code a GraphQL error answer names, with its parameter. */
function graphqlCodes(errors: GraphQLErrorShape[]): { code: string; parameter: string }[] {
  const out: { code: string; parameter: string }[] = [];
  for (const e of errors) {
    for (const r of e.extensions?.runwareErrors ?? [])
      out.push({ code: r.runwareCode, parameter: r.parameter });
    if (e.extensions?.runwareCode)
      out.push({ code: e.extensions.runwareCode, parameter: e.extensions.parameter ?? '' });
  }
  return out;
}

export class Violated extends Error {}
function expect(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new Violated(message());
}

/** Throws unless a GraphQL answer refuses the input with BAD_USER_INPUT naming only broken parameters. */
export function refusedGraphQL(answer: Answer, violations: readonly Violation[], input: unknown): void {
  const errors = (answer.body?.errors ?? []) as GraphQLErrorShape[];
  const data = answer.body?.data as { generatePhotoMaker?: unknown } | null | undefined;
  expect(!data?.generatePhotoMaker, () => `accepted: ${JSON.stringify(input).slice(0, 300)}`);
  expect(
    errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'),
    () => `codes ${errors.map((e) => e.extensions?.code)} for ${describe(violations)}`,
  );
  const named = graphqlCodes(errors);
  const allowed = new Set(violations.flatMap((v) => v.codes));
  expect(
    named.length > 0 && named.some((n) => allowed.has(n.code)),
    () => `named ${JSON.stringify(named)} for ${describe(violations)}`,
  );
  const roots = new Set(violations.map((v) => v.parameter.split('.')[0]));
  const stray = named.filter((n) => !roots.has(n.parameter.split('.')[0]));
  expect(
    stray.length === 0,
    () => `named untouched parameters ${JSON.stringify(stray)} for ${describe(violations)}`,
  );
}
/** Throws unless a /v1 answer is a 400 naming a broken parameter's code and nothing else. */
export function refusedV1(answer: Answer, violations: readonly Violation[]): void {
  const errors = (answer.body?.errors ?? []) as { code: string; parameter?: string }[];
  expect(
    answer.status === 400,
    () => `status ${answer.status} for ${describe(violations)}: ${answer.text.slice(0, 200)}`,
  );
  expect(!answer.body?.data, () => `data in a refusal for ${describe(violations)}`);
  const allowed = new Set(violations.flatMap((v) => v.codes));
  expect(
    errors.some((e) => allowed.has(e.code)),
    () => `codes ${errors.map((e) => e.code)} for ${describe(violations)}`,
  );
  const roots = new Set(violations.map((v) => v.parameter.split('.')[0]));
  const stray = errors.filter((e) => !roots.has(String(e.parameter ?? '').split('.')[0]));
  expect(
    stray.length === 0,
    () => `named untouched parameters ${JSON.stringify(stray)} for ${describe(violations)}`,
  );
}

/**
 * Property-based bad input against a real API (worker running, so a mistakenly accepted job would really
 * start): every rule of every parameter alone and in random combinations, over GraphQL and /v1, plus
 * malformed, oversized and unauthenticated requests. Each must be refused with the code that names the
 * broken field, never with a 5xx; afterwards no workflow exists, Runware saw no task, no process died.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const began = performance.now();
  if (options.build) await buildWorkerBundle();
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'fuzz',
    tenant: 'bench',
    rateLimited: false,
    env: {
      api: {
        PHOTOMAKER_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        PHOTOMAKER_MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
      },
    },
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
  options.log(`starting the stack (data in ${stack.dataDir})`);
  await stack.start();
  const http = new Http(stack.apiUrl);
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` };
  const tried: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let serverErrors = 0;
  const send = async (
    property: string,
    path: string,
    body: string,
    headers: Record<string, string> = auth,
  ) => {
    tried[property] = (tried[property] ?? 0) + 1;
    const answer = await http.post(path, body, headers);
    if (answer.status >= 500) serverErrors += 1;
    expect(
      answer.status < 500,
      () => `${answer.status} for ${body.slice(0, 300)}: ${answer.text.slice(0, 300)}`,
    );
    return answer;
  };
  const gql = (property: string, input: unknown, extra: Record<string, unknown> = {}) =>
    send(property, '/graphql', JSON.stringify({ query: GENERATE, variables: { input, ...extra } }));
  const v1 = (property: string, tasks: unknown) =>
    send(property, '/v1', typeof tasks === 'string' ? tasks : stringifyRunwareJson(tasks));

  const check = async (
    name: string,
    property: fc.IAsyncPropertyWithHooks<never> | fc.IAsyncProperty<never>,
  ) => {
    const result = await fc.check(property as fc.IAsyncProperty<never>, {
      numRuns: options.runs,
      seed: options.seed,
      endOnFailure: false,
    });
    if (result.failed) {
      failures.push({
        property: name,
        message: `${String((result.errorInstance as Error)?.message ?? result.errorInstance)} (counterexample ${JSON.stringify(result.counterexample)?.slice(0, 400)}, seed ${options.seed})`,
      });
    }
    options.log(`${name}: ${tried[name] ?? 0} requests, ${result.failed ? 'FAILED' : 'ok'}`);
  };

  try {
    const oneRule = fc
      .constantFrom(...Object.keys(PARAMETER_VIOLATIONS))
      .chain((name) => PARAMETER_VIOLATIONS[name] as fc.Arbitrary<Violation>);
    await check(
      'graphql: one rule broken',
      fc.asyncProperty(oneRule, async (v) => {
        const { graphql } = applyViolations([v]);
        refusedGraphQL(await gql('graphql: one rule broken', graphql), [v], graphql);
      }) as never,
    );
    await check(
      'graphql: random combinations',
      fc.asyncProperty(violationSets(5), async (vs) => {
        const { graphql } = applyViolations(vs);
        refusedGraphQL(await gql('graphql: random combinations', graphql), vs, graphql);
      }) as never,
    );
    await check(
      '/v1: one rule broken',
      fc.asyncProperty(oneRule, async (v) => {
        const { wire } = applyViolations([v]);
        refusedV1(
          await v1('/v1: one rule broken', [{ taskType: 'photoMaker', taskUUID: randomUUID(), ...wire }]),
          [v],
        );
      }) as never,
    );
    await check(
      '/v1: random combinations',
      fc.asyncProperty(violationSets(5), async (vs) => {
        const { wire } = applyViolations(vs);
        refusedV1(
          await v1('/v1: random combinations', [{ taskType: 'photoMaker', taskUUID: randomUUID(), ...wire }]),
          vs,
        );
      }) as never,
    );

    const bigPng = await sharp(randomBytes(128 * 128 * 3), { raw: { width: 128, height: 128, channels: 3 } })
      .png()
      .toBuffer();
    const bigImage = `data:image/png;base64,${bigPng.toString('base64')}`;
    const valid = applyViolations([]);
    type Malformed = { label: string; run: (property: string) => Promise<void> };
    const graphqlMalformed: fc.Arbitrary<Malformed> = fc.oneof(
      fc
        .string({ maxLength: 40 })
        .filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        })
        .map((text) => ({
          label: 'not JSON',
          run: async (p: string) => {
            const a = await send(p, '/graphql', text);
            expect(a.status === 400, () => `not JSON -> ${a.status} ${a.text.slice(0, 200)}`);
          },
        })),
      fc.string({ minLength: 1, maxLength: 40 }).map((junk) => ({
        label: 'syntax error',
        run: async (p: string) => {
          const a = await send(
            p,
            '/graphql',
            JSON.stringify({ query: `mutation { generatePhotoMaker(input: ${junk}` }),
          );
          const codes = ((a.body?.errors ?? []) as GraphQLErrorShape[]).map((e) => e.extensions?.code);
          expect(
            a.status === 400 && codes.includes('GRAPHQL_PARSE_FAILED'),
            () => `syntax error -> ${a.status} ${codes}`,
          );
        },
      })),
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter(
          (s) =>
            /^[a-z][A-Za-z0-9]*$/.test(s) &&
            !(s in PARAMETER_VIOLATIONS) &&
            !['seed', 'clipSkip', 'ttl'].includes(s),
        )
        .map((field) => ({
          label: 'unknown field',
          run: async (p: string) => {
            const input = { ...valid.graphql, [`${field}Zz`]: 1 };
            const a = await gql(p, input);
            const errors = (a.body?.errors ?? []) as GraphQLErrorShape[];
            expect(
              !(a.body?.data as { generatePhotoMaker?: unknown } | undefined)?.generatePhotoMaker,
              () => 'accepted an unknown field',
            );
            expect(
              errors.length > 0 && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'),
              () => `unknown field -> ${errors.map((e) => e.extensions?.code)}`,
            );
            expect(
              graphqlCodes(errors).some((c) => c.code === 'unknownParameter'),
              () => `unknown field -> ${JSON.stringify(graphqlCodes(errors))}`,
            );
          },
        })),
      fc.constantFrom('a string', 42, [1], null).map((input) => ({
        label: 'input of the wrong type',
        run: async (p: string) => {
          const a = await gql(p, input);
          const errors = (a.body?.errors ?? []) as GraphQLErrorShape[];
          expect(
            errors.length > 0 && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'),
            () => `wrong input type -> ${a.status} ${errors.map((e) => e.extensions?.code)}`,
          );
        },
      })),
      fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 3 }).map((size) => ({
        label: 'oversized body',
        run: async (p: string) => {
          const a = await gql(p, { ...valid.graphql, positivePrompt: 'a'.repeat(size) });
          const codes = ((a.body?.errors ?? []) as GraphQLErrorShape[]).map((e) => e.extensions?.code);
          expect(
            a.status === 413 && codes.includes('PAYLOAD_TOO_LARGE'),
            () => `oversized -> ${a.status} ${codes}`,
          );
        },
      })),
      fc.constant({
        label: 'oversized image',
        run: async (p: string) => {
          const a = await gql(p, { ...valid.graphql, inputImages: [bigImage] });
          refusedGraphQL(
            a,
            [
              {
                parameter: 'inputImages',
                rule: 'size',
                graphql: '',
                wire: '',
                codes: ['invalidInputImages'],
              },
            ],
            'big image',
          );
        },
      }),
      fc.constantFrom('', 'Bearer nope', 'Basic abc').map((authorization) => ({
        label: 'bad key',
        run: async (p: string) => {
          const a = await send(
            p,
            '/graphql',
            JSON.stringify({ query: GENERATE, variables: { input: valid.graphql } }),
            {
              'content-type': 'application/json',
              ...(authorization ? { authorization } : {}),
            },
          );
          const codes = ((a.body?.errors ?? []) as GraphQLErrorShape[]).map((e) => e.extensions?.code);
          expect(
            a.status === 401 && codes.includes('UNAUTHENTICATED'),
            () => `bad key -> ${a.status} ${codes}`,
          );
        },
      })),
    );
    await check(
      'graphql: malformed, oversized, unauthenticated',
      fc.asyncProperty(graphqlMalformed, async (m) =>
        m.run('graphql: malformed, oversized, unauthenticated'),
      ) as never,
    );

    const photoMaker = (extra: Record<string, unknown>) => ({
      taskType: 'photoMaker',
      taskUUID: randomUUID(),
      ...valid.wire,
      ...extra,
    });
    const v1Case = (
      label: string,
      body: () => unknown,
      codes: string[],
      status?: number,
      headers?: Record<string, string>,
    ) => ({
      label,
      run: async (p: string) => {
        const payload = body();
        const a = headers
          ? await send(
              p,
              '/v1',
              typeof payload === 'string' ? payload : stringifyRunwareJson(payload),
              headers,
            )
          : await v1(p, payload);
        const got = ((a.body?.errors ?? []) as { code: string }[]).map((e) => e.code);
        expect(!a.body?.data, () => `${label}: data in a refusal`);
        expect(
          got.some((c) => codes.includes(c)) && (status === undefined || a.status === status),
          () => `${label} -> ${a.status} ${got}`,
        );
      },
    });
    const v1Malformed: fc.Arbitrary<Malformed> = fc.oneof(
      fc
        .string({ maxLength: 40 })
        .filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        })
        .map((text) => v1Case('not JSON', () => text, ['invalidJson'], 400)),
      fc
        .constantFrom({}, 'x', 1, null, [])
        .map((body) =>
          v1Case('not a task array', () => JSON.stringify(body), ['invalidTaskFormat', 'invalidJson'], 400),
        ),
      fc
        .constantFrom(1, 'x', null, [1])
        .map((task) =>
          v1Case(
            'a task that is not an object',
            () => [task],
            ['invalidTaskFormat', 'invalidTaskType', 'missingTaskType'],
            400,
          ),
        ),
      fc
        .constantFrom('photomaker', 'imageInference', '', 'PHOTOMAKER')
        .map((taskType) =>
          v1Case(
            'unknown taskType',
            () => [photoMaker({ taskType })],
            ['invalidTaskType', 'missingTaskType', 'unsupportedTaskType'],
            400,
          ),
        ),
      fc.constant(
        v1Case(
          'missing taskType',
          () => [{ ...photoMaker({}), taskType: undefined }],
          ['missingTaskType', 'invalidTaskType', 'invalidTaskFormat'],
          400,
        ),
      ),
      fc
        .constantFrom('abc', '123', 'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz', 42)
        .map((taskUUID) =>
          v1Case('invalid taskUUID', () => [photoMaker({ taskUUID })], ['invalidTaskUUID'], 400),
        ),
      fc.constant(
        v1Case(
          'missing taskUUID',
          () => [{ ...photoMaker({}), taskUUID: undefined }],
          ['missingTaskUUID'],
          400,
        ),
      ),
      fc.constant(
        v1Case('missing key', () => [photoMaker({})], ['missingApiKey'], 401, {
          'content-type': 'application/json',
        }),
      ),
      fc.constant(
        v1Case('wrong key', () => [photoMaker({})], ['invalidApiKey'], 401, {
          'content-type': 'application/json',
          authorization: 'Bearer wrong',
        }),
      ),
      fc.constant(
        v1Case(
          'wrong key in an authentication task',
          () => [{ taskType: 'authentication', apiKey: 'wrong' }, photoMaker({})],
          ['invalidApiKey'],
          401,
          { 'content-type': 'application/json' },
        ),
      ),
      fc
        .integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 3 })
        .map((size) =>
          v1Case(
            'oversized body',
            () => [photoMaker({ positivePrompt: 'a'.repeat(size) })],
            ['payloadTooLarge'],
            413,
          ),
        ),
      fc.constant(
        v1Case(
          'oversized image',
          () => [photoMaker({ inputImages: [bigImage] })],
          ['invalidInputImages'],
          400,
        ),
      ),
      fc
        .constantFrom('not an image', 'data:image/png;base64,AAAA', '')
        .map((image) =>
          v1Case(
            'imageUpload of a non-image',
            () => [{ taskType: 'imageUpload', taskUUID: randomUUID(), image }],
            ['invalidImage', 'missingImage'],
            400,
          ),
        ),
      fc
        .constantFrom('sync', 'async')
        .map((deliveryMethod) =>
          v1Case(
            'valid task with a broken seed',
            () => [photoMaker({ deliveryMethod, seed: -5 })],
            ['invalidSeed'],
            400,
          ),
        ),
    );
    await check(
      '/v1: malformed, oversized, unauthenticated',
      fc.asyncProperty(v1Malformed, async (m) =>
        m.run('/v1: malformed, oversized, unauthenticated'),
      ) as never,
    );
  } finally {
    await http.close();
  }

  // Nothing may have started: no workflow in Temporal visibility, no task at Runware, every process alive.
  await new Promise((r) => setTimeout(r, 1_500));
  const connection = await Connection.connect({ address: stack.temporalAddress });
  let workflowsStarted = -1;
  try {
    const client = new Client({ connection });
    const count = await client.workflowService.countWorkflowExecutions({
      namespace: 'default',
      query: "WorkflowType='photoMakerJob'",
    });
    workflowsStarted = Number(count.count ?? 0);
  } finally {
    await connection.close();
  }
  const inspect = await new EmulatorAdmin(stack.emulatorUrl).inspect();
  const runwareTasks = Object.keys(inspect.tasks).length;
  const crashedProcesses = PIECE_NAMES.filter(
    (name) => !stack.process(name)?.running || stack.starts[name] !== 1,
  );
  await stack.stop();
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  return {
    tried,
    total,
    serverErrors,
    workflowsStarted,
    runwareTasks,
    crashedProcesses,
    failures,
    ok:
      failures.length === 0 &&
      serverErrors === 0 &&
      workflowsStarted === 0 &&
      runwareTasks === 0 &&
      crashedProcesses.length === 0,
    durationSeconds: Math.round((performance.now() - began) / 1000),
  };
}

function describe(violations: readonly Violation[]): string {
  return violations
    .map((v) => `${v.parameter} (${v.rule}: ${JSON.stringify(v.graphql)?.slice(0, 60)})`)
    .join(', ');
}

export function renderFuzzReport(report: FuzzReport): string {
  const lines = ['property                                          requests'];
  for (const [name, count] of Object.entries(report.tried)) lines.push(`${name.padEnd(50)}${count}`);
  lines.push(`${'total'.padEnd(50)}${report.total}`);
  lines.push('');
  lines.push(
    `5xx answers: ${report.serverErrors}; workflows started: ${report.workflowsStarted}; Runware tasks: ${report.runwareTasks}; crashed processes: ${report.crashedProcesses.join(', ') || 'none'}`,
  );
  for (const f of report.failures) lines.push(`FAIL ${f.property}: ${f.message}`);
  lines.push(report.ok ? 'fuzz: ALL INPUTS REFUSED CORRECTLY' : 'fuzz: FAILURES');
  return `${lines.join('\n')}\n`;
}
