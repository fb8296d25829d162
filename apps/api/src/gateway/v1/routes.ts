import {
  classifyRunwareError,
  httpStatusFor,
  parseRunwareJson,
  type RunwareError,
  stringifyRunwareJson,
} from '@photomaker/schema';
import express, { type Request, type Response, Router } from 'express';
import type { AdmissionGate, Refusal } from '../../auth/admission.ts';
import { bearerToken } from '../../auth/api-keys.ts';
import type { ApiConfig } from '../../config.ts';
import { requestIdFrom } from '../../http/request-id.ts';
import { type Item, runwareError } from './results.ts';
import { type V1TaskDeps, V1Tasks } from './tasks.ts';

export interface V1Deps extends Omit<V1TaskDeps, 'syncWaitMs' | 'maxTasks'> {
  admission: Pick<AdmissionGate, 'admit'>;
  limits: Pick<ApiConfig['limits'], 'bodyBytes' | 'syncWaitMs' | 'v1Tasks'>;
}

function send(res: Response, status: number, body: { data?: Item[]; errors?: RunwareError[] }): void {
  res.status(status).type('application/json').send(stringifyRunwareJson(body));
}

/** An admission refusal as Runware answers it: status, error, and Retry-After when there is one. */
function refusalOf(refusal: Refusal): { status: number; error: RunwareError; retryAfter?: number } {
  const auth = { parameter: 'apiKey', taskType: 'authentication' };
  switch (refusal.kind) {
    case 'unauthenticated':
      return refusal.reason === 'missing-key'
        ? {
            status: 401,
            error: runwareError('missingApiKey', 'Missing API key: send Authorization: Bearer <key>.', auth),
          }
        : { status: 401, error: runwareError('invalidApiKey', 'Invalid API key.', auth) };
    case 'rate-limited':
      return {
        status: 429,
        retryAfter: refusal.retryAfterSeconds,
        error: runwareError(
          'rateLimitExceeded',
          `Rate limit exceeded for this API key; retry in ${refusal.retryAfterSeconds} s.`,
        ),
      };
    case 'unavailable':
      return {
        status: 503,
        error: runwareError('serviceUnavailable', 'The rate limiter is unavailable; retry shortly.'),
      };
  }
}

/** The key of a batch: the Authorization header, else an `authentication` task first in the batch. */
function apiKeyOf(req: Request, tasks: unknown[]): string | undefined {
  const first = tasks[0] as Item | undefined;
  const fromTask =
    first && first.taskType === 'authentication' && typeof first.apiKey === 'string'
      ? first.apiKey
      : undefined;
  return bearerToken(req.headers.authorization) ?? fromTask;
}

/** The body as a non-empty array of tasks, or the error that refuses the whole batch. */
function parseBatch(body: unknown): unknown[] | RunwareError {
  let batch: unknown;
  try {
    batch = parseRunwareJson(typeof body === 'string' ? body : '');
  } catch {
    return runwareError('invalidJson', 'The request body must be a JSON array of tasks.');
  }
  if (Array.isArray(batch) && batch.length > 0) return batch;
  return runwareError(
    'invalidTaskFormat',
    'The request body must be a non-empty JSON array of task objects.',
  );
}

/** 200 when any task produced data; else the status of the first error, as Runware answers. */
function batchStatus(data: Item[], errors: RunwareError[]): number {
  const firstError = errors[0];
  if (!firstError || data.length > 0) return 200;
  return httpStatusFor(classifyRunwareError({ code: firstError.code }).category);
}

/**
 * POST /v1: Runware's REST protocol in front of our jobs. Same admission, same submission use case, same
 * tenant isolation as GraphQL; our API keys instead of Runware's. This file maps the batch (body, key,
 * status code); tasks.ts maps each task.
 */
export function v1Routes(deps: V1Deps): Router {
  const router = Router();
  const tasks = new V1Tasks({ ...deps, syncWaitMs: deps.limits.syncWaitMs, maxTasks: deps.limits.v1Tasks });
  const handle = async (req: Request, res: Response): Promise<void> => {
    const batch = parseBatch(req.body);
    if (!Array.isArray(batch)) return send(res, 400, { errors: [batch] });
    const admitted = await deps.admission.admit({ apiKey: apiKeyOf(req, batch), transport: 'v1' });
    if (!admitted.ok) {
      const { status, error, retryAfter } = refusalOf(admitted.refusal);
      if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
      return send(res, status, { errors: [error] });
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const caller = {
      tenant: admitted.principal.tenant,
      requestId: requestIdFrom(req.headers['x-request-id']),
      signal: abort.signal,
    };
    const { data, errors } = await tasks.runBatch(batch, caller);
    const status = batchStatus(data, errors);
    send(res, status, { ...(data.length > 0 ? { data } : {}), ...(errors.length > 0 ? { errors } : {}) });
  };
  router.post('/v1', express.text({ type: () => true, limit: deps.limits.bodyBytes }), (req, res, next) => {
    handle(req, res).catch(next);
  });
  return router;
}
