import { randomUUID } from 'node:crypto';
import {
  type GetResponseItem,
  getResponseTaskSchema,
  getTaskDetailsTaskSchema,
  type ImageUploadResult,
  imageUploadResultSchema,
  imageUploadTaskSchema,
  type PhotoMakerResult,
  photoMakerResultSchema,
  photoMakerSuccessItemSchema,
  photoMakerTaskSchema,
  processingItemSchema,
  type RunwareError,
  validateWith,
} from '@photomaker/schema';
import type { z } from 'zod';
import {
  type CallOptions,
  type ClientSettings,
  clientSettings,
  type ImageUploadRequest,
  type PhotoMakerCallOptions,
  type PhotoMakerRequest,
  type RunwareClientOptions,
  type RunwareResponse,
  type SubmitResult,
} from './client-options.ts';
import type { RunwareItem } from './envelope.ts';
import { apiErrorFrom, type FailureContext, validationErrorFrom } from './error-mapping.ts';
import { RunwareClientError } from './errors.ts';
import { inForm, isPhotoMakerItem } from './photomaker-form.ts';
import { RestTransport } from './rest-transport.ts';
import { ResultCollector } from './result-collector.ts';
import { NO_RETRY, withRetries } from './retry.ts';
import { sendSyncPhotoMaker } from './sync-photomaker.ts';
import type { GetResponseSnapshot } from './watch-results.ts';
import { ownErrors, ownItems, parseItem } from './wire-items.ts';

const TERMINAL_STATUSES = new Set(['success', 'error']);

/** getTaskDetails: the archived request array and the task's state as getResponse reports it. */
export interface TaskDetails extends GetResponseSnapshot {
  request: unknown[];
}

/** What an async photoMaker send came back with: an ack (maybe with early images) or a conflict. */
export interface AsyncAck {
  alreadyAccepted: boolean;
  results: PhotoMakerResult[];
}

/**
 * Runware's single calls over REST, one task each: typed tasks and results from @photomaker/schema,
 * typed errors that say whether a retry can help, taskUUID idempotency (a conflict means "already
 * accepted", never a second charge). The polling flows on top of them live in `client.ts`.
 */
export class RunwareRestClient {
  protected readonly settings: ClientSettings;
  private readonly transport: RestTransport;

  constructor(options: RunwareClientOptions) {
    this.settings = clientSettings(options);
    this.transport = new RestTransport(this.settings.transport);
  }

  /** One POST /v1 of any task array; Runware errors are returned, transport failures thrown. */
  async request(
    tasks: readonly object[],
    options: { signal?: AbortSignal | undefined; timeoutMs?: number; headers?: Record<string, string> } = {},
  ): Promise<RunwareResponse> {
    const response = await this.transport.post(tasks, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.settings.requestTimeoutMs,
      headers: options.headers,
      context: {},
    });
    return {
      status: response.status,
      data: response.envelope.data,
      errors: response.envelope.errors,
      retryAfterMs: response.retryAfterMs,
    };
  }

  /** Application-level keep-alive; true when Runware answers `pong`. */
  async ping(options: CallOptions = {}): Promise<boolean> {
    const items = await this.withPolicy(options, () =>
      this.sendTask({ taskType: 'ping', ping: true }, { taskType: 'ping' }, options),
    );
    return items.some((item) => item.taskType === 'ping' && item.pong === true);
  }

  /**
   * Uploads a reference image once; use the returned imageUUID in `inputImages`. A re-send with the
   * same taskUUID that meets `conflictTaskUUID` fetches the first upload's result instead.
   */
  async imageUpload(params: ImageUploadRequest, options: CallOptions = {}): Promise<ImageUploadResult> {
    const taskUUID = params.taskUUID ?? randomUUID();
    const context = { taskUUID, taskType: 'imageUpload', apiKey: this.settings.apiKey };
    const task = this.check(
      imageUploadTaskSchema,
      { taskType: 'imageUpload', taskUUID, image: params.image },
      context,
      options,
    );
    try {
      const items = await this.withPolicy(options, () => this.sendTask(task, context, options));
      return parseItem(imageUploadResultSchema, ownItems(items, taskUUID)[0], context);
    } catch (error) {
      if (!(error instanceof RunwareClientError) || !error.alreadyAccepted) throw error;
      const earlier = await this.earlierUpload(taskUUID, options).catch(() => undefined);
      if (!earlier) throw error;
      return earlier;
    }
  }

  /**
   * A sync photoMaker: one request, images in the response. Failed generations throw a
   * RunwareApiError after `onResult` saw every image that did finish (also in `error.results`).
   * A reused taskUUID throws with `alreadyAccepted === true`: switch to `waitForResults`.
   */
  async photoMaker(
    task: PhotoMakerRequest,
    options: PhotoMakerCallOptions = {},
  ): Promise<PhotoMakerResult[]> {
    const wire = this.photoMakerTask(task, 'sync', options);
    return this.withPolicy(options, () => this.sendSync(wire, options, new ResultCollector()));
  }

  /** Async photoMaker: Runware acknowledges at once; a conflict reports `alreadyAccepted: true`. */
  async submit(task: PhotoMakerRequest, options: CallOptions = {}): Promise<SubmitResult> {
    const wire = this.photoMakerTask(task, 'async', options);
    const ack = await this.withPolicy(options, () => this.sendAsync(wire, options));
    return { taskUUID: wire.taskUUID as string, ...ack };
  }

  /**
   * The cumulative state of a task, one item per generation in stable order (processing | success),
   * failed generations in `errors`. Request-level failures (HTTP 4xx/5xx) throw.
   */
  async getResponse(taskUUID: string, options: CallOptions = {}): Promise<GetResponseSnapshot> {
    const data = await this.getResponseData(taskUUID, options);
    return this.snapshotOf(taskUUID, data.items, data.errors);
  }

  /**
   * Runware's archive of an accepted task: the request as sent and its response so far (as getResponse
   * would give it). `undefined` when Runware does not know the taskUUID (`taskNotFound`): it was never
   * accepted, so sending it is safe. The recovery call after a crash or an ambiguous submit.
   */
  async getTaskDetails(taskUUID: string, options: CallOptions = {}): Promise<TaskDetails | undefined> {
    const context = { taskUUID, taskType: 'getTaskDetails', apiKey: this.settings.apiKey };
    const task = this.check(
      getTaskDetailsTaskSchema,
      { taskType: 'getTaskDetails', taskUUID },
      context,
      options,
    );
    try {
      const items = await this.withPolicy(options, () => this.sendTask(task, context, options));
      const item = items.find((candidate) => candidate.taskType === 'getTaskDetails') ?? {};
      const request = Array.isArray(item.request) ? (item.request as unknown[]) : [];
      const response = (item.response ?? {}) as { data?: unknown; errors?: unknown };
      const data = Array.isArray(response.data) ? (response.data as RunwareItem[]) : [];
      const errors = Array.isArray(response.errors) ? (response.errors as RunwareError[]) : [];
      return { request, ...this.snapshotOf(taskUUID, ownItems(data, taskUUID), ownErrors(errors, taskUUID)) };
    } catch (error) {
      if (error instanceof RunwareClientError && error.code === 'taskNotFound') return undefined;
      throw error;
    }
  }

  /** Closes the keep-alive pool (waits for requests in flight). */
  async close(): Promise<void> {
    await this.transport.close();
  }

  // --- building blocks of the calls above and of the flows -------------------------------------

  protected withPolicy<T>(options: CallOptions, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
    const policy = options.retry === false ? NO_RETRY : { ...this.settings.retry, ...options.retry };
    return withRetries(attempt, policy, options.signal, options.onRetry);
  }

  /**
   * The wire form of a photoMaker task (taskUUID generated when absent), checked unless told not to, in
   * the client's photoMakerForm (the checks are the standalone task's either way).
   */
  protected photoMakerTask(
    task: PhotoMakerRequest,
    deliveryMethod: 'sync' | 'async',
    options: { validate?: boolean | undefined },
  ): Record<string, unknown> {
    const taskUUID = task.taskUUID ?? randomUUID();
    const checked = this.check(
      photoMakerTaskSchema,
      { ...task, taskType: 'photoMaker', taskUUID, deliveryMethod },
      { taskUUID, taskType: 'photoMaker' },
      options,
    );
    return inForm(checked, this.settings.photoMakerForm);
  }

  /** One sync send: each new image to `collector` (and `onResult`), then the images or the failure. */
  protected sendSync(
    wire: Record<string, unknown>,
    options: PhotoMakerCallOptions,
    collector: ResultCollector,
    onAccepted?: () => void,
  ): Promise<PhotoMakerResult[]> {
    return sendSyncPhotoMaker(this.transport, wire, {
      ...options,
      timeoutMs: options.timeoutMs ?? this.settings.syncTimeoutMs,
      apiKey: this.settings.apiKey,
      collector,
      ...(onAccepted ? { onAccepted } : {}),
    });
  }

  /** One async send: the ack (with any images it carried), or `alreadyAccepted` on a conflict. */
  protected async sendAsync(wire: Record<string, unknown>, options: CallOptions): Promise<AsyncAck> {
    const taskUUID = wire.taskUUID as string;
    const context = { taskUUID, taskType: 'photoMaker', apiKey: this.settings.apiKey };
    try {
      const items = await this.sendTask(wire, context, options);
      const results = ownItems(items, taskUUID)
        .filter((item) => typeof item.imageUUID === 'string')
        .map((item) => parseItem(photoMakerResultSchema, item, context));
      return { alreadyAccepted: false, results };
    } catch (error) {
      if (error instanceof RunwareClientError && error.alreadyAccepted)
        return { alreadyAccepted: true, results: [] };
      throw error;
    }
  }

  /** One poll for the polling engine: a single attempt (the engine paces retries), within the time left. */
  protected pollSnapshot(
    taskUUID: string,
    signal: AbortSignal | undefined,
    remainingMs: number,
  ): Promise<GetResponseSnapshot> {
    return this.getResponse(taskUUID, {
      ...(signal ? { signal } : {}),
      retry: false,
      timeoutMs: Math.max(1, Math.min(this.settings.requestTimeoutMs, remainingMs)),
    });
  }

  // --- internals -------------------------------------------------------------------------------

  private check<S extends z.ZodType>(
    schema: S,
    task: Record<string, unknown>,
    context: FailureContext,
    options: { validate?: boolean | undefined },
  ): Record<string, unknown> {
    if (!(options.validate ?? this.settings.validate)) return task;
    const result = validateWith(schema, task, context);
    if (!result.ok) throw validationErrorFrom(result.errors, { ...context, apiKey: this.settings.apiKey });
    return result.value as Record<string, unknown>;
  }

  /** Sends one quick task; returns the response's items, throws when the task (or the request) failed. */
  private async sendTask(
    task: Record<string, unknown>,
    context: FailureContext,
    options: CallOptions,
  ): Promise<RunwareItem[]> {
    const response = await this.transport.post([task], {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.settings.requestTimeoutMs,
      context,
    });
    const { status, envelope, retryAfterMs } = response;
    const errors = ownErrors(envelope.errors, context.taskUUID);
    if (status >= 400 || errors.length > 0) {
      throw apiErrorFrom(
        { status: status >= 400 ? status : undefined, errors: envelope.errors, retryAfterMs },
        { ...context, apiKey: this.settings.apiKey },
      );
    }
    return envelope.data;
  }

  /** getResponse items as a snapshot: successes parsed, anything not terminal counted as processing. */
  private snapshotOf(taskUUID: string, data: RunwareItem[], errors: RunwareError[]): GetResponseSnapshot {
    const context = { taskUUID, taskType: 'getResponse', apiKey: this.settings.apiKey };
    const items: GetResponseItem[] = [];
    for (const item of data) {
      const status = typeof item.status === 'string' ? item.status : 'processing';
      if (status === 'success') {
        if (isPhotoMakerItem(item)) items.push(parseItem(photoMakerSuccessItemSchema, item, context));
      } else if (!TERMINAL_STATUSES.has(status)) {
        // queued/pending/scheduled count as still running (Runware's own Python SDK does the same).
        items.push(parseItem(processingItemSchema, { ...item, status: 'processing' }, context));
      }
    }
    return { items, errors };
  }

  private async getResponseData(
    taskUUID: string,
    options: CallOptions,
  ): Promise<{ items: RunwareItem[]; errors: RunwareError[] }> {
    const context = { taskUUID, taskType: 'getResponse', apiKey: this.settings.apiKey };
    const task = this.check(getResponseTaskSchema, { taskType: 'getResponse', taskUUID }, context, options);
    return this.withPolicy(options, async () => {
      const response = await this.transport.post([task], {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.settings.requestTimeoutMs,
        context,
      });
      const { status, envelope, retryAfterMs } = response;
      if (status >= 400) throw apiErrorFrom({ status, errors: envelope.errors, retryAfterMs }, context);
      const items = ownItems(envelope.data, taskUUID).filter((item) => item.taskType !== 'getResponse');
      return { items, errors: ownErrors(envelope.errors, taskUUID) };
    });
  }

  private async earlierUpload(
    taskUUID: string,
    options: CallOptions,
  ): Promise<ImageUploadResult | undefined> {
    const { items } = await this.getResponseData(taskUUID, { ...options, retry: false });
    const item = items.find((candidate) => typeof candidate.imageUUID === 'string');
    return item
      ? parseItem(
          imageUploadResultSchema,
          { ...item, taskType: 'imageUpload' },
          { taskUUID, apiKey: this.settings.apiKey },
        )
      : undefined;
  }
}
