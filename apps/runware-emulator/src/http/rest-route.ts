import type { ServerResponse } from 'node:http';
import { parseRunwareJson, stringifyRunwareJson } from '@photomaker/schema';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerKey } from '../auth.ts';
import type { EmulatorContext } from '../context.ts';
import { type BatchResult, runBatch } from '../dispatch/run-batch.ts';
import { envelope, restAnswer } from '../protocol/envelope.ts';
import { failure, invalidApiKey, missingApiKey, requestError, type TaskFailure } from '../protocol/errors.ts';
import { collectSlots, type TaskOutcome } from '../protocol/outcome.ts';
import { resetConnection, writeJson } from './write-response.ts';

function isAuthentication(raw: unknown): raw is { taskType: 'authentication'; apiKey?: unknown } {
  return (
    raw !== null && typeof raw === 'object' && (raw as { taskType?: unknown }).taskType === 'authentication'
  );
}

/** `X-Runware-Dry-Run: 1` (or `true`): validate and price the batch, run and charge nothing. */
function isDryRun(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value === '1' || value?.toLowerCase() === 'true';
}

/** Waits for sync results until the deadline; past it, what finished plus a `timeout` error (504). */
async function settle(outcome: TaskOutcome, deadline: Promise<'timeout'>): Promise<TaskOutcome> {
  if (!outcome.pending) return outcome;
  const settled = await Promise.race([outcome.pending, deadline]);
  if (settled !== 'timeout') return settled;
  const record = outcome.record;
  if (!record) return outcome;
  const partial = collectSlots(record);
  partial.errors.push(
    failure(
      {
        code: 'timeout',
        message:
          'The sync request ran out of time; the task keeps running. Read its results with getResponse and this taskUUID.',
        taskType: record.taskType,
        taskUUID: record.taskUUID,
      },
      504,
    ),
  );
  return partial;
}

/** Every outcome settled, sync ones waiting at most `timeoutMs` between them. */
async function settleAll(outcomes: TaskOutcome[], timeoutMs: number): Promise<TaskOutcome[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const settled = await Promise.all(outcomes.map((outcome) => settle(outcome, deadline)));
  clearTimeout(timer);
  return settled;
}

type ReadBatch =
  | { ok: true; batch: unknown[]; keyIndex: number }
  | { ok: false; status: number; body: string };

const refusal = (status: number, problem: TaskFailure): ReadBatch => ({
  ok: false,
  status,
  body: stringifyRunwareJson(envelope([], [problem])),
});

/** The tasks of a POST /v1 body and the caller's key, or the answer that refuses it (400, 401). */
function readBatch(ctx: EmulatorContext, request: FastifyRequest): ReadBatch {
  let tasks: unknown;
  try {
    tasks = parseRunwareJson(typeof request.body === 'string' ? request.body : '');
  } catch {
    return refusal(400, requestError('invalidJson', 'The request body is not valid JSON.'));
  }
  if (!Array.isArray(tasks)) {
    return refusal(
      400,
      requestError('invalidRequestBody', 'The request body must be a JSON array of task objects.'),
    );
  }
  const authTask = tasks.find(isAuthentication);
  const key =
    typeof authTask?.apiKey === 'string' ? authTask.apiKey : bearerKey(request.headers.authorization);
  const verdict = ctx.keys.check(key);
  if (!verdict.ok) return refusal(401, verdict.reason === 'missing' ? missingApiKey() : invalidApiKey());
  return { ok: true, batch: tasks.filter((raw) => !isAuthentication(raw)), keyIndex: verdict.keyIndex };
}

/** A batch's answer, written with the body faults it drew (slow body, reset mid-body). */
async function writeAnswer(
  ctx: EmulatorContext,
  response: ServerResponse,
  result: BatchResult,
  outcomes: TaskOutcome[],
): Promise<number> {
  const rest = restAnswer(outcomes);
  const headers: Record<string, string> =
    rest.retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.ceil(rest.retryAfterSeconds)) };
  if (result.reset === 'midBody') ctx.logger.info({ tasks: outcomes.length }, 'injected reset mid-body');
  await writeJson(response, rest.status, rest.body, headers, {
    slowBodyMs: result.slowBodyMs,
    resetMidBody: result.reset === 'midBody',
  });
  return rest.status;
}

async function handle(
  ctx: EmulatorContext,
  request: FastifyRequest,
  response: ServerResponse,
): Promise<void> {
  const started = Date.now();
  const read = readBatch(ctx, request);
  if (!read.ok) {
    await writeJson(response, read.status, read.body);
    return;
  }
  const { batch } = read;
  const result = await runBatch(ctx, batch, {
    transport: 'rest',
    keyIndex: read.keyIndex,
    dryRun: isDryRun(request.headers['x-runware-dry-run']),
  });
  if (result.reset === 'beforeWork' || result.reset === 'afterAccept') {
    ctx.logger.info({ reset: result.reset, tasks: batch.length }, 'injected connection reset');
    resetConnection(response);
    return;
  }
  const outcomes = await settleAll(result.outcomes, ctx.syncTimeoutMs);
  const status = await writeAnswer(ctx, response, result, outcomes);
  ctx.logger.info(
    {
      transport: 'rest',
      status,
      tasks: batch.length,
      taskTypes: [...new Set(batch.map((raw) => (raw as { taskType?: unknown } | null)?.taskType))],
      ms: Date.now() - started,
    },
    'POST /v1',
  );
}

/**
 * POST /v1: a JSON array of tasks, authenticated by `Authorization: Bearer` or a leading authentication
 * task. The answer is written by hand (hijacked) so the fault injector can reset or slow it.
 */
export function registerRestRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/v1', async (request, reply) => {
    reply.hijack();
    try {
      await handle(ctx, request, reply.raw);
    } catch (error) {
      // Hijacked: fastify cannot answer for us, so a bug must not leave the client hanging.
      ctx.logger.error({ err: error }, 'POST /v1 failed');
      if (!reply.raw.headersSent) {
        const problem = requestError(
          'internalServerError',
          'The emulator failed to process the request.',
          500,
        );
        await writeJson(reply.raw, 500, stringifyRunwareJson(envelope([], [problem])));
      } else reply.raw.destroy();
    }
  });
}
