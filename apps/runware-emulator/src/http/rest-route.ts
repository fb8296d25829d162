import type { ServerResponse } from 'node:http';
import { parseRunwareJson, stringifyRunwareJson } from '@photomaker/schema';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerKey } from '../auth.ts';
import type { EmulatorContext } from '../context.ts';
import { runBatch } from '../dispatch/run-batch.ts';
import { envelope, restAnswer } from '../protocol/envelope.ts';
import { failure, invalidApiKey, missingApiKey, requestError } from '../protocol/errors.ts';
import { collectSlots, type TaskOutcome } from '../protocol/outcome.ts';
import { resetConnection, writeJson } from './write-response.ts';

function isAuthentication(raw: unknown): raw is { taskType: 'authentication'; apiKey?: unknown } {
  return (
    raw !== null && typeof raw === 'object' && (raw as { taskType?: unknown }).taskType === 'authentication'
  );
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

/**
 * POST /v1: a JSON array of tasks, authenticated by `Authorization: Bearer` or a leading authentication
 * task. The answer is written by hand (hijacked) so the fault injector can reset or slow it.
 */
export function registerRestRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/v1', async (request, reply) => {
    reply.hijack();
    try {
      await handle(request, reply.raw);
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

  async function handle(request: FastifyRequest, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const answer = async (status: number, body: string, headers: Record<string, string> = {}) =>
      writeJson(response, status, body, headers);

    let tasks: unknown;
    try {
      tasks = parseRunwareJson(typeof request.body === 'string' ? request.body : '');
    } catch {
      await answer(
        400,
        stringifyRunwareJson(
          envelope([], [requestError('invalidJson', 'The request body is not valid JSON.')]),
        ),
      );
      return;
    }
    if (!Array.isArray(tasks)) {
      const problem = requestError(
        'invalidRequestBody',
        'The request body must be a JSON array of task objects.',
      );
      await answer(400, stringifyRunwareJson(envelope([], [problem])));
      return;
    }
    const authTask = tasks.find(isAuthentication);
    const key =
      typeof authTask?.apiKey === 'string' ? authTask.apiKey : bearerKey(request.headers.authorization);
    const verdict = ctx.keys.check(key);
    if (!verdict.ok) {
      const problem = verdict.reason === 'missing' ? missingApiKey() : invalidApiKey();
      await answer(401, stringifyRunwareJson(envelope([], [problem])));
      return;
    }
    const batch = tasks.filter((raw) => !isAuthentication(raw));
    const result = await runBatch(ctx, batch, { transport: 'rest', keyIndex: verdict.keyIndex });
    if (result.reset === 'beforeWork' || result.reset === 'afterAccept') {
      ctx.logger.info({ reset: result.reset, tasks: batch.length }, 'injected connection reset');
      resetConnection(response);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ctx.syncTimeoutMs);
    });
    const outcomes = await Promise.all(result.outcomes.map((outcome) => settle(outcome, deadline)));
    clearTimeout(timer);
    const rest = restAnswer(outcomes);
    const headers: Record<string, string> = {};
    if (rest.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(Math.ceil(rest.retryAfterSeconds));
    if (result.reset === 'midBody') ctx.logger.info({ tasks: batch.length }, 'injected reset mid-body');
    await writeJson(response, rest.status, rest.body, headers, {
      slowBodyMs: result.slowBodyMs,
      resetMidBody: result.reset === 'midBody',
    });
    ctx.logger.info(
      {
        transport: 'rest',
        status: rest.status,
        tasks: batch.length,
        taskTypes: [...new Set(batch.map((raw) => (raw as { taskType?: unknown } | null)?.taskType))],
        ms: Date.now() - started,
      },
      'POST /v1',
    );
  }
}
