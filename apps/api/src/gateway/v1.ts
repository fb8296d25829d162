import { randomUUID } from 'node:crypto';
import {
  classifyRunwareError,
  type ErrorContext,
  httpStatusFor,
  isTerminalStatus,
  type JobImage,
  type JobState,
  type PhotoMakerWireTask,
  parseRunwareJson,
  type RunwareError,
  reportsNsfw,
  stringifyRunwareJson,
  validateTask,
} from '@photomaker/schema';
import express, { type Request, type Response, Router } from 'express';
import { bearerToken, type Principal } from '../auth/api-keys.ts';
import { requestIdFrom } from '../http/request-id.ts';
import { jobIdForRunwareTask } from '../jobs/ids.ts';
import { InvalidInputError } from '../jobs/input-error.ts';
import { checkOutboundUrls } from '../jobs/validate-params.ts';
import { waitForJob } from '../jobs/wait-for-job.ts';
import type { ApiServices } from '../services.ts';

type Item = Record<string, unknown>;
interface TaskOutcome {
  data: Item[];
  errors: RunwareError[];
}

const DOCS = 'https://runware.ai/docs/platform/errors';

function error(code: string, message: string, extra: Partial<RunwareError> = {}): RunwareError {
  return { code, message, documentation: DOCS, ...extra };
}

function send(res: Response, status: number, body: { data?: Item[]; errors?: RunwareError[] }): void {
  res.status(status).type('application/json').send(stringifyRunwareJson(body));
}

/**
 * POST /v1: Runware's REST protocol in front of our jobs. Same validation (the shared schema), same
 * workflows, same tenant isolation as GraphQL; our API keys instead of Runware's. A client taskUUID maps
 * to one job per tenant (UUID v5), so a re-sent taskUUID is `conflictTaskUUID` and never a second run,
 * and getResponse answers from the workflow's state.
 */
export function v1Routes(services: ApiServices): Router {
  const router = Router();
  const gateway = new V1Gateway(services);
  router.post(
    '/v1',
    express.text({ type: () => true, limit: services.config.limits.bodyBytes }),
    (req, res, next) => {
      gateway.handle(req, res).catch(next);
    },
  );
  return router;
}

class V1Gateway {
  private readonly services: ApiServices;
  constructor(services: ApiServices) {
    this.services = services;
  }

  async handle(req: Request, res: Response): Promise<void> {
    const { metrics } = this.services;
    let tasks: unknown;
    try {
      tasks = parseRunwareJson(typeof req.body === 'string' ? req.body : '');
    } catch {
      return send(res, 400, {
        errors: [error('invalidJson', 'The request body must be a JSON array of tasks.')],
      });
    }
    if (!Array.isArray(tasks) || tasks.length === 0) {
      return send(res, 400, {
        errors: [
          error('invalidTaskFormat', 'The request body must be a non-empty JSON array of task objects.'),
        ],
      });
    }
    const principal = this.authenticate(req, tasks);
    if ('error' in principal) return send(res, 401, { errors: [principal.error] });
    const decision = await this.services.rateLimit.consume(principal.keyId);
    if (!decision.ok) {
      metrics.rateLimited.inc();
      res.setHeader('retry-after', String(decision.retryAfterSeconds));
      return send(res, 429, {
        errors: [
          error(
            'rateLimitExceeded',
            `Rate limit exceeded for this API key; retry in ${decision.retryAfterSeconds} s.`,
          ),
        ],
      });
    }
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const outcomes = await Promise.all(
      tasks.map((task) => this.run(task, principal, requestId, abort.signal)),
    );
    const data = outcomes.flatMap((outcome) => outcome.data);
    const errors = outcomes.flatMap((outcome) => outcome.errors);
    let status = 200;
    const firstError = errors[0];
    if (firstError && data.length === 0)
      status = httpStatusFor(classifyRunwareError({ code: firstError.code }).category);
    send(res, status, { ...(data.length > 0 ? { data } : {}), ...(errors.length > 0 ? { errors } : {}) });
  }

  private authenticate(req: Request, tasks: unknown[]): Principal | { error: RunwareError } {
    const first = tasks[0] as Item | undefined;
    const fromTask =
      first && first.taskType === 'authentication' && typeof first.apiKey === 'string'
        ? first.apiKey
        : undefined;
    const key = bearerToken(req.headers.authorization) ?? fromTask;
    const auth = { parameter: 'apiKey', taskType: 'authentication' };
    if (!key)
      return { error: error('missingApiKey', 'Missing API key: send Authorization: Bearer <key>.', auth) };
    const principal = this.services.keys.identify(key);
    if (!principal) return { error: error('invalidApiKey', 'Invalid API key.', auth) };
    return principal;
  }

  private async run(
    task: unknown,
    principal: Principal,
    requestId: string,
    signal: AbortSignal,
  ): Promise<TaskOutcome> {
    const validation = validateTask(task);
    const taskType =
      typeof (task as Item)?.taskType === 'string' ? String((task as Item).taskType) : 'unknown';
    const outcome = await (async (): Promise<TaskOutcome> => {
      if (!validation.ok) return { data: [], errors: validation.errors };
      const value = validation.value;
      const context: ErrorContext = {
        taskType: value.taskType,
        taskUUID: 'taskUUID' in value ? value.taskUUID : undefined,
      };
      try {
        switch (value.taskType) {
          case 'authentication':
            return {
              data: [{ taskType: 'authentication', connectionSessionUUID: randomUUID() }],
              errors: [],
            };
          case 'ping':
            return { data: [{ taskType: 'ping', pong: true }], errors: [] };
          case 'imageUpload':
            return await this.imageUpload(principal.tenant, value.taskUUID, value.image);
          case 'getResponse':
            return await this.getResponse(principal.tenant, value.taskUUID);
          case 'photoMaker':
            return await this.photoMaker(principal.tenant, value, requestId, signal);
        }
      } catch (caught) {
        if (caught instanceof InvalidInputError) {
          return {
            data: [],
            errors: caught.errors.map((e) => ({
              ...e,
              ...withContext(context),
              documentation: e.documentation ?? DOCS,
            })),
          };
        }
        this.services.logger.error({ err: caught, requestId, taskType }, 'v1 task failed (masked)');
        return {
          data: [],
          errors: [error('internalServerError', 'Internal server error.', withContext(context))],
        };
      }
    })();
    this.services.metrics.v1Tasks.inc({ taskType, outcome: outcome.errors.length > 0 ? 'error' : 'ok' });
    return outcome;
  }

  private async imageUpload(tenant: string, taskUUID: string, image: string): Promise<TaskOutcome> {
    const { redis, intake, imageUrls } = this.services;
    // A re-sent imageUpload taskUUID returns the image stored the first time.
    const key = `photomaker:v1:upload:${tenant}:${taskUUID.toLowerCase()}`;
    const previous = await redis.get(key);
    const stored = previous
      ? (JSON.parse(previous) as Awaited<ReturnType<typeof intake.upload>>)
      : await intake.upload(tenant, image, 'image');
    if (!previous) await redis.set(key, JSON.stringify(stored), 'EX', 30 * 24 * 3600, 'NX');
    return {
      data: [
        { taskType: 'imageUpload', taskUUID, imageUUID: stored.id, imageURL: imageUrls.urlFor(stored.blob) },
      ],
      errors: [],
    };
  }

  private async photoMaker(
    tenant: string,
    task: PhotoMakerWireTask,
    requestId: string,
    signal: AbortSignal,
  ): Promise<TaskOutcome> {
    const { jobs, guard, metrics, config } = this.services;
    const { taskType: _taskType, taskUUID, ...params } = task;
    const context = { taskType: 'photoMaker', taskUUID };
    const jobId = jobIdForRunwareTask(tenant, taskUUID);
    const conflict = {
      data: [],
      errors: [
        error(
          'conflictTaskUUID',
          'A task with this taskUUID was already accepted; poll getResponse for its results.',
          {
            ...context,
            parameter: 'taskUUID',
          },
        ),
      ],
    };
    if (await jobs.describe(tenant, jobId)) return conflict;
    await checkOutboundUrls(guard, params);
    const { state, created } = await jobs.start({ tenant, jobId, params, requestId });
    metrics.jobsStarted.inc({ via: 'v1', created: String(created) });
    if (!created) return conflict;
    // Runware answers webhook and async tasks with an immediate acknowledgement.
    if (params.deliveryMethod === 'async' || params.webhookURL) {
      return { data: [{ taskType: 'photoMaker', taskUUID }], errors: [] };
    }
    const final = await waitForJob(this.services, tenant, state, config.limits.syncWaitMs, signal);
    if (final.status === 'SUCCEEDED') return { data: await this.results(final, taskUUID), errors: [] };
    if (!isTerminalStatus(final.status)) {
      return {
        data: [],
        errors: [
          error(
            'timeout',
            `The task did not finish within ${Math.round(config.limits.syncWaitMs / 1000)} s; it continues: poll getResponse with this taskUUID.`,
            context,
          ),
        ],
      };
    }
    return { data: [], errors: [this.jobError(final, taskUUID)] };
  }

  private jobError(state: JobState, taskUUID: string, status?: 'error'): RunwareError {
    const failure: { code: string; message: string; parameter?: string | undefined } = state.error ?? {
      code: state.status === 'CANCELLED' ? 'taskCancelled' : 'taskFailed',
      message: state.status === 'CANCELLED' ? 'The task was cancelled.' : 'The task failed.',
    };
    return error(failure.code, failure.message, {
      taskType: 'photoMaker',
      taskUUID,
      ...(failure.parameter ? { parameter: failure.parameter } : {}),
      ...(status ? { status } : {}),
    });
  }

  private async results(state: JobState, taskUUID: string, status?: 'success'): Promise<Item[]> {
    return Promise.all(state.images.map((image) => this.resultItem(state, image, taskUUID, status)));
  }

  private async resultItem(
    state: JobState,
    image: JobImage,
    taskUUID: string,
    status?: 'success',
  ): Promise<Item> {
    const item: Item = {
      taskType: 'photoMaker',
      taskUUID,
      ...(status ? { status } : {}),
      imageUUID: image.imageUUID,
    };
    const { outputType } = state.task;
    if (outputType === 'URL') {
      item.imageURL = this.services.imageUrls.urlFor(image.blob);
    } else {
      const bytes = await this.services.blobs.get(image.blob.sha256);
      const base64 = bytes ? Buffer.from(bytes).toString('base64') : '';
      if (outputType === 'base64Data') item.imageBase64Data = base64;
      else item.imageDataURI = `data:${image.blob.mediaType};base64,${base64}`;
    }
    const runwareInputs = state.task.inputImages.flatMap((input) =>
      input.kind === 'runware' ? [input.imageUUID] : [],
    );
    if (runwareInputs.length === state.task.inputImages.length) item.inputImagesUUID = runwareInputs;
    item.seed = image.seed;
    if (reportsNsfw(state.task.safety)) item.NSFWContent = image.nsfw ?? false;
    if (state.task.includeCost && image.cost !== undefined) item.cost = image.cost;
    return item;
  }

  /** One item per generation in index order: processing | success, failed ones in errors. */
  private async getResponse(tenant: string, taskUUID: string): Promise<TaskOutcome> {
    const state = await this.services.jobs.get(tenant, jobIdForRunwareTask(tenant, taskUUID));
    if (!state) {
      return {
        data: [],
        errors: [
          error('taskNotFound', 'No task with this taskUUID was found for this API key.', {
            taskType: 'getResponse',
            taskUUID,
            parameter: 'taskUUID',
          }),
        ],
      };
    }
    const byIndex = new Map(state.images.map((image) => [image.index, image]));
    const data: Item[] = [];
    const errors: RunwareError[] = [];
    for (let index = 0; index < state.task.numberResults; index++) {
      const image = byIndex.get(index);
      if (image) data.push(await this.resultItem(state, image, taskUUID, 'success'));
      else if (state.status === 'FAILED' || state.status === 'CANCELLED')
        errors.push(this.jobError(state, taskUUID, 'error'));
      else data.push({ taskType: 'photoMaker', taskUUID, status: 'processing' });
    }
    return { data, errors };
  }
}

function withContext(context: ErrorContext): Partial<RunwareError> {
  return {
    ...(context.taskType ? { taskType: context.taskType } : {}),
    ...(context.taskUUID ? { taskUUID: context.taskUUID } : {}),
  };
}
