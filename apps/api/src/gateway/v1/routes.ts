import { callerLinks } from '@photomaker/observability';
import {
  classifyRunwareError,
  httpStatusFor,
  parseRunwareJson,
  type RunwareError,
  stringifyRunwareJson,
} from '@photomaker/schema';
import { type Request, type Response, Router } from 'express';
import type { AdmissionGate } from '../../auth/admission.ts';
import type { ApiConfig } from '../../config.ts';
import { requestIdFrom } from '../../http/request-id.ts';
import { refuse, type V1Locals, v1BodyAdmission } from './body-admission.ts';
import { type Item, runwareError } from './results.ts';
import { type V1TaskDeps, V1Tasks } from './tasks.ts';

export interface V1Deps extends Omit<V1TaskDeps, 'syncWaitMs' | 'maxTasks'> {
  admission: Pick<AdmissionGate, 'admit' | 'admitAnonymous'>;
  limits: Pick<ApiConfig['limits'], 'bodyBytes' | 'syncWaitMs' | 'v1Tasks'>;
  edge: Pick<ApiConfig['edge'], 'anonymousBodyBytes' | 'anonymousBodyTimeoutMs'>;
}

function send(res: Response, status: number, body: { data?: Item[]; errors?: RunwareError[] }): void {
  res.status(status).type('application/json').send(stringifyRunwareJson(body));
}

/** The key of a batch sent without a key header: an `authentication` task first in the batch. */
function apiKeyOf(tasks: unknown[]): string | undefined {
  const first = tasks[0] as Item | undefined;
  return first && first.taskType === 'authentication' && typeof first.apiKey === 'string'
    ? first.apiKey
    : undefined;
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

/** Runware's `X-Runware-Dry-Run: 1` (or `true`): validate and price, start nothing. */
function isDryRun(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  return value === '1' || value?.toLowerCase() === 'true';
}

/** 200 when any task produced data; else the status of the first error, as Runware answers. */
export function batchStatus(data: Item[], errors: RunwareError[]): number {
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
    // Admitted from the header already (body-admission.ts), or by the key of the authentication task.
    const fromHeader = (res.locals as V1Locals).principal;
    const admitted = fromHeader
      ? { ok: true as const, principal: fromHeader }
      : await deps.admission.admit({
          apiKey: apiKeyOf(batch),
          transport: 'v1',
          ip: req.socket.remoteAddress,
        });
    if (!admitted.ok) return refuse(req, res, admitted.refusal);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const caller = {
      tenant: admitted.principal.tenant,
      keyId: admitted.principal.keyId,
      limits: admitted.principal.limits,
      defaultPriority: admitted.principal.defaults?.priority,
      defaultReferenceCheck: admitted.principal.defaults?.referenceCheck,
      requestId: requestIdFrom(req.headers['x-request-id']),
      signal: abort.signal,
      transport: 'http' as const,
      links: callerLinks(req.headers),
      dryRun: isDryRun(req.headers['x-runware-dry-run']),
    };
    const { data, errors, retryAfterSeconds } = await tasks.runBatch(batch, caller);
    // A batch refused by a limit is 429 with Retry-After, daily quotas included (the contract).
    const status = retryAfterSeconds === undefined ? batchStatus(data, errors) : 429;
    if (retryAfterSeconds !== undefined) res.setHeader('retry-after', String(retryAfterSeconds));
    send(res, status, { ...(data.length > 0 ? { data } : {}), ...(errors.length > 0 ? { errors } : {}) });
  };
  router.post('/v1', v1BodyAdmission(deps.admission, { ...deps.limits, ...deps.edge }), (req, res, next) => {
    handle(req, res).catch(next);
  });
  return router;
}
