import { randomUUID } from 'node:crypto';
import {
  type GetResponseItem,
  getResponseTaskSchema,
  type ImageUploadResult,
  imageUploadResultSchema,
  imageUploadTaskSchema,
  type PhotoMakerResult,
  type PhotoMakerTaskInput,
  photoMakerResultSchema,
  photoMakerSuccessItemSchema,
  photoMakerTaskSchema,
  processingItemSchema,
  type RunwareError,
  validateWith,
} from '@photomaker/schema';
import type { z } from 'zod';
import type { RunwareItem } from './envelope.ts';
import {
  apiErrorFrom,
  type FailureContext,
  isGenerationFailure,
  isSyncTimeout,
  transportErrorFrom,
  validationErrorFrom,
} from './error-mapping.ts';
import { RunwareApiError, RunwareClientError } from './errors.ts';
import { pollForResults, type ResultSnapshot } from './flows/wait-for-results.ts';
import { DEFAULT_POLL, type PollPolicy } from './poll-policy.ts';
import { RestTransport } from './rest-transport.ts';
import { ResultCollector } from './result-collector.ts';
import { DEFAULT_RETRY, NO_RETRY, type RetryEvent, type RetryPolicy, withRetries } from './retry.ts';
import {
  type GetResponseSnapshot,
  type ResultBatch,
  type WatchOptions,
  watchSnapshots,
} from './watch-results.ts';

export interface RunwareClientOptions {
  /** REST endpoint: `https://api.runware.ai/v1`, or the emulator's `http://127.0.0.1:8787/v1`. */
  baseUrl: string;
  /** Sent only as `Authorization: Bearer`; never in a body, a message or `toJSON`. */
  apiKey: string;
  /** Keep-alive sockets per origin (undici Agent). Default 16. */
  connections?: number;
  /** Idle keep-alive socket lifetime. Default 30 s. */
  keepAliveTimeoutMs?: number;
  /** TCP/TLS connect. Default 10 s. */
  connectTimeoutMs?: number;
  /** Whole request for quick tasks (imageUpload, getResponse, async submit, ping). Default 60 s. */
  requestTimeoutMs?: number;
  /**
   * Whole sync photoMaker request. Runware answers a sync task only when its images are done, so this
   * is also the headers timeout. Default 300 s (Runware's official Python SDK uses the same).
   */
  syncTimeoutMs?: number;
  /** Longest silence between two body chunks: a slow link, not a big body, trips it. Default 120 s. */
  bodyTimeoutMs?: number;
  /** Validate tasks with @photomaker/schema before sending (nothing is sent when invalid). Default true. */
  validate?: boolean;
  /** In-client retries of retryable failures, same taskUUID. Default 2 retries, 0.5 s x2 with jitter. */
  retry?: Partial<RetryPolicy> | false;
  /** getResponse cadence. Default 250 ms, x1.5, capped at 5 s. */
  poll?: Partial<PollPolicy>;
  /** Overall deadline of waitForResults / runPhotoMaker. Default 10 min. */
  deadlineMs?: number;
  userAgent?: string;
  /** Bring your own undici dispatcher (not closed by `close()`). */
  dispatcher?: import('undici').Dispatcher;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Override the client's retry policy for this call (`false`: one attempt). */
  retry?: Partial<RetryPolicy> | false;
  /** Override the whole-request timeout. */
  timeoutMs?: number;
  /** `false` sends the task as given, unchecked: for testing servers. */
  validate?: boolean;
  onRetry?: (event: RetryEvent) => void;
}

/** A photoMaker task as callers write it: taskType and deliveryMethod are set by the method used. */
export type PhotoMakerRequest = Omit<PhotoMakerTaskInput, 'taskType' | 'taskUUID' | 'deliveryMethod'> & {
  /** Fix it to make re-sends idempotent (Runware answers a reused taskUUID with conflictTaskUUID). */
  taskUUID?: string;
};

export interface ImageUploadRequest {
  /** Data URI, raw base64 of a PNG/JPEG/WEBP, or a public http(s) URL. */
  image: string;
  taskUUID?: string;
}

export interface PhotoMakerCallOptions extends CallOptions {
  /** Each finished image, once, in arrival order with its 0-based position. */
  onResult?: (result: PhotoMakerResult, index: number) => void;
}

export interface SubmitResult {
  taskUUID: string;
  /** Runware already held this taskUUID (`conflictTaskUUID`): nothing new was paid, poll getResponse. */
  alreadyAccepted: boolean;
  /** Images the acknowledgement already carried (rare; usually none). */
  results: PhotoMakerResult[];
}

export interface WaitOptions {
  numberResults: number;
  signal?: AbortSignal;
  /** Overall deadline of the wait; RunwareDeadlineError (retryable) after it. */
  deadlineMs?: number;
  poll?: Partial<PollPolicy>;
  onResult?: (result: PhotoMakerResult, index: number) => void;
  onSnapshot?: (snapshot: ResultSnapshot) => void;
  /** Images already received (e.g. from a sync response): not reported again. */
  collector?: ResultCollector;
}

export interface RunPhotoMakerOptions {
  /** `sync`: results in the response, polling only after a conflict; `async`: ack then poll. */
  mode?: 'sync' | 'async';
  signal?: AbortSignal;
  /** Overall deadline, sending and polling together. */
  deadlineMs?: number;
  retry?: Partial<RetryPolicy> | false;
  poll?: Partial<PollPolicy>;
  validate?: boolean;
  onResult?: (result: PhotoMakerResult, index: number) => void;
  onSnapshot?: (snapshot: ResultSnapshot) => void;
  onRetry?: (event: RetryEvent) => void;
  /** Called once the task is known to be held by Runware (ack, conflict or first results). */
  onAccepted?: (info: { taskUUID: string; alreadyAccepted: boolean }) => void;
}

export interface PhotoMakerRun {
  taskUUID: string;
  results: PhotoMakerResult[];
  /** Some attempt met `conflictTaskUUID`: the results came from getResponse, paid once. */
  alreadyAccepted: boolean;
  /** Where the images came from in the end. */
  via: 'sync' | 'getResponse';
}

/** A raw round trip: every item and error of one POST /v1, for callers that batch tasks themselves. */
export interface RunwareResponse {
  status: number;
  data: RunwareItem[];
  errors: RunwareError[];
  retryAfterMs: number | undefined;
}

const TERMINAL_STATUSES = new Set(['success', 'error']);

/**
 * Runware REST client: typed tasks and results from @photomaker/schema, typed errors that say whether a
 * retry can help, taskUUID idempotency (a conflict means "already accepted", never a second charge).
 */
export class RunwareClient {
  private readonly transport: RestTransport;
  private readonly apiKey: string;
  private readonly validateByDefault: boolean;
  private readonly retryPolicy: RetryPolicy;
  private readonly pollPolicy: PollPolicy;
  private readonly requestTimeoutMs: number;
  private readonly syncTimeoutMs: number;
  private readonly deadlineMs: number;

  constructor(options: RunwareClientOptions) {
    if (!options.baseUrl) throw new TypeError('RunwareClient: baseUrl is required (e.g. RUNWARE_BASE_URL)');
    if (!options.apiKey) throw new TypeError('RunwareClient: apiKey is required (e.g. RUNWARE_API_KEY)');
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError(
        'RunwareClient: baseUrl must be an absolute http(s) URL such as http://127.0.0.1:8787/v1',
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError('RunwareClient: baseUrl must use http or https');
    }
    this.apiKey = options.apiKey;
    this.validateByDefault = options.validate ?? true;
    this.retryPolicy = options.retry === false ? NO_RETRY : { ...DEFAULT_RETRY, ...options.retry };
    this.pollPolicy = { ...DEFAULT_POLL, ...options.poll };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 300_000;
    this.deadlineMs = options.deadlineMs ?? 600_000;
    const bodyTimeoutMs = options.bodyTimeoutMs ?? 120_000;
    this.transport = new RestTransport({
      baseUrl: url.href,
      apiKey: options.apiKey,
      userAgent: options.userAgent ?? 'photomaker-runware-client/0 (undici)',
      connections: options.connections ?? 16,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      headersTimeoutMs: this.syncTimeoutMs,
      bodyTimeoutMs,
      dispatcher: options.dispatcher,
    });
  }

  /** `RUNWARE_BASE_URL` (default: the emulator on 127.0.0.1:8787) and `RUNWARE_API_KEY`. */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    options: Partial<RunwareClientOptions> = {},
  ): RunwareClient {
    const apiKey = options.apiKey ?? env.RUNWARE_API_KEY;
    if (!apiKey) throw new TypeError('RUNWARE_API_KEY is not set: the Runware (or emulator) API key');
    return new RunwareClient({
      ...options,
      baseUrl: options.baseUrl ?? env.RUNWARE_BASE_URL ?? 'http://127.0.0.1:8787/v1',
      apiKey,
    });
  }

  /** One POST /v1 of any task array; Runware errors are returned, transport failures thrown. */
  async request(
    tasks: readonly object[],
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<RunwareResponse> {
    const response = await this.transport.post(tasks, {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
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
      this.sendTask({ taskType: 'ping', ping: true }, { taskType: 'ping' }, options, this.requestTimeoutMs),
    );
    return items.some((item) => item.taskType === 'ping' && item.pong === true);
  }

  /**
   * Uploads a reference image once; use the returned imageUUID in `inputImages`. A re-send with the
   * same taskUUID that meets `conflictTaskUUID` fetches the first upload's result instead.
   */
  async imageUpload(params: ImageUploadRequest, options: CallOptions = {}): Promise<ImageUploadResult> {
    const taskUUID = params.taskUUID ?? randomUUID();
    const context = { taskUUID, taskType: 'imageUpload' };
    const task = this.check(
      imageUploadTaskSchema,
      { taskType: 'imageUpload', taskUUID, image: params.image },
      context,
      options,
    );
    try {
      const items = await this.withPolicy(options, () =>
        this.sendTask(task, context, options, this.requestTimeoutMs),
      );
      return this.parseItem(imageUploadResultSchema, this.ownItems(items, taskUUID)[0], context);
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
    return this.withPolicy(options, () => this.photoMakerOnce(wire, options, new ResultCollector()));
  }

  /** Async photoMaker: Runware acknowledges at once; a conflict reports `alreadyAccepted: true`. */
  async submit(task: PhotoMakerRequest, options: CallOptions = {}): Promise<SubmitResult> {
    const wire = this.photoMakerTask(task, 'async', options);
    const taskUUID = wire.taskUUID as string;
    const context = { taskUUID, taskType: 'photoMaker' };
    try {
      const items = await this.withPolicy(options, () =>
        this.sendTask(wire, context, options, this.requestTimeoutMs),
      );
      const results = this.ownItems(items, taskUUID)
        .filter((item) => typeof item.imageUUID === 'string')
        .map((item) => this.parseItem(photoMakerResultSchema, item, context));
      return { taskUUID, alreadyAccepted: false, results };
    } catch (error) {
      if (error instanceof RunwareClientError && error.alreadyAccepted) {
        return { taskUUID, alreadyAccepted: true, results: [] };
      }
      throw error;
    }
  }

  /**
   * The cumulative state of a task, one item per generation in stable order (processing | success),
   * failed generations in `errors`. Request-level failures (HTTP 4xx/5xx) throw.
   */
  async getResponse(taskUUID: string, options: CallOptions = {}): Promise<GetResponseSnapshot> {
    const data = await this.getResponseData(taskUUID, options);
    const items: GetResponseItem[] = [];
    for (const item of data.items) {
      const status = typeof item.status === 'string' ? item.status : 'processing';
      if (status === 'success') {
        if (item.taskType !== 'photoMaker') continue;
        items.push(this.parseItem(photoMakerSuccessItemSchema, item, { taskUUID, taskType: 'getResponse' }));
      } else if (!TERMINAL_STATUSES.has(status)) {
        // queued/pending/scheduled count as still running (Runware's own Python SDK does the same).
        items.push(
          this.parseItem(
            processingItemSchema,
            { ...item, status: 'processing' },
            { taskUUID, taskType: 'getResponse' },
          ),
        );
      }
    }
    return { items, errors: data.errors };
  }

  /**
   * The one getResponse polling engine: a ResultBatch per answered poll (`fresh` images not in `known`
   * nor in an earlier batch), until the batch that is `done`; stop iterating at any time. Retryable poll
   * failures only slow the cadence (never below Retry-After); permanent ones throw; failed generations
   * are data (`errors`). No deadline unless `deadlineMs` is given.
   */
  watchResults(taskUUID: string, options: WatchOptions): AsyncGenerator<ResultBatch, void, undefined> {
    const { poll, ...rest } = options;
    return watchSnapshots((signal, remainingMs) => this.pollSnapshot(taskUUID, signal, remainingMs), {
      ...rest,
      taskUUID,
      policy: { ...this.pollPolicy, ...poll },
    });
  }

  /**
   * Polls getResponse with backoff until `numberResults` images succeeded; dedupes by imageUUID;
   * retryable poll failures only slow it down; stops on `signal`; RunwareDeadlineError at the deadline.
   */
  waitForResults(taskUUID: string, options: WaitOptions): Promise<PhotoMakerResult[]> {
    return pollForResults((signal, remainingMs) => this.pollSnapshot(taskUUID, signal, remainingMs), {
      taskUUID,
      numberResults: options.numberResults,
      deadlineMs: options.deadlineMs ?? this.deadlineMs,
      policy: { ...this.pollPolicy, ...options.poll },
      signal: options.signal,
      onResult: options.onResult,
      onSnapshot: options.onSnapshot,
      collector: options.collector,
    });
  }

  /**
   * The flow that never pays twice: send with a fixed taskUUID; on a transport failure re-send the SAME
   * taskUUID; once Runware says `conflictTaskUUID` (or acknowledges an async task) poll getResponse.
   */
  async runPhotoMaker(task: PhotoMakerRequest, options: RunPhotoMakerOptions = {}): Promise<PhotoMakerRun> {
    const mode = options.mode ?? 'async';
    const started = Date.now();
    const deadlineMs = options.deadlineMs ?? this.deadlineMs;
    const remaining = () => Math.max(1, deadlineMs - (Date.now() - started));
    const wire = this.photoMakerTask(task, mode, options);
    const taskUUID = wire.taskUUID as string;
    const numberResults = typeof wire.numberResults === 'number' ? wire.numberResults : 1;
    const collector = new ResultCollector();
    const callOptions: PhotoMakerCallOptions = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
    };
    let alreadyAccepted = false;
    let accepted = false;
    const accept = (conflict: boolean) => {
      alreadyAccepted ||= conflict;
      if (accepted) return;
      accepted = true;
      options.onAccepted?.({ taskUUID, alreadyAccepted: conflict });
    };
    if (mode === 'sync') {
      try {
        const results = await this.withPolicy(callOptions, () =>
          this.photoMakerOnce(
            wire,
            { ...callOptions, timeoutMs: Math.min(this.syncTimeoutMs, remaining()) },
            collector,
            () => accept(false),
          ),
        );
        return { taskUUID, results, alreadyAccepted, via: 'sync' };
      } catch (error) {
        // Conflict: an earlier attempt (ours, or a previous run of the caller) holds the task.
        // A sync answer cut short or out of time: the task runs on; the rest shows up in getResponse.
        if (!(error instanceof RunwareClientError) || !error.alreadyAccepted) throw error;
        accept(error.category === 'conflict');
      }
    } else {
      const ack = await this.withPolicy(callOptions, async () => {
        try {
          const items = await this.sendTask(
            wire,
            { taskUUID, taskType: 'photoMaker' },
            { ...callOptions, timeoutMs: Math.min(this.requestTimeoutMs, remaining()) },
            this.requestTimeoutMs,
          );
          return { alreadyAccepted: false, items };
        } catch (error) {
          if (error instanceof RunwareClientError && error.alreadyAccepted)
            return { alreadyAccepted: true, items: [] };
          throw error;
        }
      });
      accept(ack.alreadyAccepted);
      const early = this.ownItems(ack.items, taskUUID)
        .filter((item) => typeof item.imageUUID === 'string')
        .map((item) => this.parseItem(photoMakerResultSchema, item, { taskUUID, taskType: 'photoMaker' }));
      for (const { result, index } of collector.add(early)) options.onResult?.(result, index);
    }
    const results = await this.waitForResults(taskUUID, {
      numberResults,
      deadlineMs: remaining(),
      collector,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.poll ? { poll: options.poll } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.onSnapshot ? { onSnapshot: options.onSnapshot } : {}),
    });
    return { taskUUID, results, alreadyAccepted, via: 'getResponse' };
  }

  /** Closes the keep-alive pool (waits for requests in flight). */
  async close(): Promise<void> {
    await this.transport.close();
  }

  // --- internals -------------------------------------------------------------------------------

  /** One poll of the engine: a single attempt (the engine paces retries), within the time left. */
  private pollSnapshot(
    taskUUID: string,
    signal: AbortSignal | undefined,
    remainingMs: number,
  ): Promise<GetResponseSnapshot> {
    return this.getResponse(taskUUID, {
      ...(signal ? { signal } : {}),
      retry: false,
      timeoutMs: Math.max(1, Math.min(this.requestTimeoutMs, remainingMs)),
    });
  }

  private withPolicy<T>(options: CallOptions, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
    const policy = options.retry === false ? NO_RETRY : { ...this.retryPolicy, ...options.retry };
    return withRetries(attempt, policy, options.signal, options.onRetry);
  }

  private check<S extends z.ZodType>(
    schema: S,
    task: Record<string, unknown>,
    context: FailureContext,
    options: { validate?: boolean | undefined },
  ): Record<string, unknown> {
    if (!(options.validate ?? this.validateByDefault)) return task;
    const result = validateWith(schema, task, context);
    if (!result.ok) throw validationErrorFrom(result.errors, { ...context, apiKey: this.apiKey });
    return result.value as Record<string, unknown>;
  }

  private photoMakerTask(
    task: PhotoMakerRequest,
    deliveryMethod: 'sync' | 'async',
    options: { validate?: boolean | undefined },
  ): Record<string, unknown> {
    const taskUUID = task.taskUUID ?? randomUUID();
    return this.check(
      photoMakerTaskSchema,
      { ...task, taskType: 'photoMaker', taskUUID, deliveryMethod },
      { taskUUID, taskType: 'photoMaker' },
      options,
    );
  }

  /** Sends one task; returns the response's items, throws when the task (or the request) failed. */
  private async sendTask(
    task: Record<string, unknown>,
    context: FailureContext,
    options: CallOptions,
    timeoutMs: number,
  ): Promise<RunwareItem[]> {
    const response = await this.transport.post([task], {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? timeoutMs,
      context,
    });
    const { status, envelope, retryAfterMs } = response;
    const errors = this.ownErrors(envelope.errors, context.taskUUID);
    if (status >= 400 || errors.length > 0) {
      throw apiErrorFrom(
        { status: status >= 400 ? status : undefined, errors: envelope.errors, retryAfterMs },
        { ...context, apiKey: this.apiKey },
      );
    }
    return envelope.data;
  }

  private async photoMakerOnce(
    wire: Record<string, unknown>,
    options: PhotoMakerCallOptions,
    collector: ResultCollector,
    onAccepted?: () => void,
  ): Promise<PhotoMakerResult[]> {
    const taskUUID = wire.taskUUID as string;
    const context = { taskUUID, taskType: 'photoMaker', apiKey: this.apiKey };
    const response = await this.transport.post([wire], {
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.syncTimeoutMs,
      headersTimeoutMs: options.timeoutMs ?? this.syncTimeoutMs,
      context,
    });
    const { status, envelope, retryAfterMs } = response;
    // Images are reported whatever the status: a sync wait that ran out still carries what finished.
    const results = this.ownItems(envelope.data, taskUUID)
      .filter((item) => item.taskType === 'photoMaker')
      .map((item) => this.parseItem(photoMakerResultSchema, item, context));
    if (results.length > 0) onAccepted?.();
    for (const { result, index } of collector.add(results)) options.onResult?.(result, index);
    const failed = status >= 400;
    const errors = failed ? envelope.errors : this.ownErrors(envelope.errors, taskUUID);
    if (failed || errors.length > 0) {
      const syncTimeout = isSyncTimeout(this.ownErrors(errors, taskUUID));
      throw apiErrorFrom(
        {
          status: failed ? status : undefined,
          errors,
          retryAfterMs,
          results: collector.inBatchOrder(),
          generationFailed: !failed && !syncTimeout && isGenerationFailure(errors, results.length),
          // The task runs on; with images in hand it certainly was accepted: poll for the rest.
          ...(syncTimeout && collector.results.length > 0 ? { alreadyAccepted: true } : {}),
        },
        context,
      );
    }
    const expected = typeof wire.numberResults === 'number' ? wire.numberResults : 1;
    if (collector.results.length < expected) {
      throw new RunwareApiError({
        message: `Runware photoMaker ${taskUUID}: sync response carried ${collector.results.length} of ${expected} images; the rest can be fetched with getResponse`,
        category: 'serverError',
        retryable: true,
        code: 'incompleteResults',
        alreadyAccepted: true,
        status,
        taskUUID,
        taskType: 'photoMaker',
        results: collector.inBatchOrder(),
      });
    }
    return collector.inBatchOrder();
  }

  private async getResponseData(
    taskUUID: string,
    options: CallOptions,
  ): Promise<{ items: RunwareItem[]; errors: RunwareError[] }> {
    const context = { taskUUID, taskType: 'getResponse' };
    const task = this.check(getResponseTaskSchema, { taskType: 'getResponse', taskUUID }, context, options);
    return this.withPolicy(options, async () => {
      const response = await this.transport.post([task], {
        signal: options.signal,
        timeoutMs: options.timeoutMs ?? this.requestTimeoutMs,
        context,
      });
      const { status, envelope, retryAfterMs } = response;
      if (status >= 400) {
        throw apiErrorFrom(
          { status, errors: envelope.errors, retryAfterMs },
          { ...context, apiKey: this.apiKey },
        );
      }
      const items = this.ownItems(envelope.data, taskUUID).filter((item) => item.taskType !== 'getResponse');
      return { items, errors: this.ownErrors(envelope.errors, taskUUID) };
    });
  }

  private async earlierUpload(
    taskUUID: string,
    options: CallOptions,
  ): Promise<ImageUploadResult | undefined> {
    const { items } = await this.getResponseData(taskUUID, { ...options, retry: false });
    const item = items.find((candidate) => typeof candidate.imageUUID === 'string');
    return item
      ? this.parseItem(imageUploadResultSchema, { ...item, taskType: 'imageUpload' }, { taskUUID })
      : undefined;
  }

  private ownItems(items: readonly RunwareItem[], taskUUID: string | undefined): RunwareItem[] {
    return items.filter((item) => item.taskUUID === undefined || item.taskUUID === taskUUID);
  }

  private ownErrors(errors: readonly RunwareError[], taskUUID: string | undefined): RunwareError[] {
    return errors.filter((error) => error.taskUUID === undefined || error.taskUUID === taskUUID);
  }

  /** A result item through its schema; a malformed one is the server's fault, and retryable. */
  private parseItem<S extends z.ZodType>(schema: S, item: unknown, context: FailureContext): z.output<S> {
    const parsed = schema.safeParse(item);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw transportErrorFrom(
      new Error(
        `malformed ${context.taskType ?? 'result'} item${issue ? `: '${issue.path.join('.')}' ${issue.message}` : ''}`,
      ),
      { ...context, apiKey: this.apiKey, code: 'invalidResponse', category: 'serverError' },
    );
  }
}
