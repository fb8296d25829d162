import type { PhotoMakerResult, PhotoMakerTaskInput, RunwareError } from '@photomaker/schema';
import type { Dispatcher } from 'undici';
import type { RunwareItem } from './envelope.ts';
import type { ResultSnapshot } from './flows/wait-for-results.ts';
import type { PhotoMakerForm } from './photomaker-form.ts';
import { DEFAULT_POLL, type PollPolicy } from './poll-policy.ts';
import type { RestTransportOptions } from './rest-transport.ts';
import type { ResultCollector } from './result-collector.ts';
import { DEFAULT_RETRY, NO_RETRY, type RetryEvent, type RetryPolicy } from './retry.ts';

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
  /**
   * The form photoMaker tasks are sent in: `task` (default, the documented standalone task) or `nested`
   * (imageInference with a photoMaker object). Validation, results and errors are the same.
   */
  photoMakerForm?: PhotoMakerForm;
  /** In-client retries of retryable failures, same taskUUID. Default 2 retries, 0.5 s x2 with jitter. */
  retry?: Partial<RetryPolicy> | false;
  /** getResponse cadence. Default 250 ms, x1.5, capped at 5 s. */
  poll?: Partial<PollPolicy>;
  /** Overall deadline of waitForResults / runPhotoMaker. Default 10 min. */
  deadlineMs?: number;
  userAgent?: string;
  /** Bring your own undici dispatcher (not closed by `close()`). */
  dispatcher?: Dispatcher;
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

/** What a dry run answered: Runware's price for the whole task, nothing run or charged. */
export interface DryRunEstimate {
  taskUUID: string;
  /** USD for all `numberResults` images, as the task's `cost` field. */
  costUsd: number;
}

/** A raw round trip: every item and error of one POST /v1, for callers that batch tasks themselves. */
export interface RunwareResponse {
  status: number;
  data: RunwareItem[];
  errors: RunwareError[];
  retryAfterMs: number | undefined;
}

/** The client's settled options: what its calls and flows read. */
export interface ClientSettings {
  apiKey: string;
  validate: boolean;
  photoMakerForm: PhotoMakerForm;
  retry: RetryPolicy;
  poll: PollPolicy;
  requestTimeoutMs: number;
  syncTimeoutMs: number;
  /** Overall deadline of waitForResults / runPhotoMaker. */
  deadlineMs: number;
  transport: RestTransportOptions;
}

function checkedUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(
      'RunwareClient: baseUrl must be an absolute http(s) URL such as http://127.0.0.1:8787/v1',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('RunwareClient: baseUrl must use http or https');
  }
  return url;
}

/** Defaults applied and the endpoint checked; throws a TypeError naming what is missing or wrong. */
export function clientSettings(options: RunwareClientOptions): ClientSettings {
  if (!options.baseUrl) throw new TypeError('RunwareClient: baseUrl is required (e.g. RUNWARE_BASE_URL)');
  if (!options.apiKey) throw new TypeError('RunwareClient: apiKey is required (e.g. RUNWARE_API_KEY)');
  const url = checkedUrl(options.baseUrl);
  const syncTimeoutMs = options.syncTimeoutMs ?? 300_000;
  return {
    apiKey: options.apiKey,
    validate: options.validate ?? true,
    photoMakerForm: options.photoMakerForm ?? 'task',
    retry: options.retry === false ? NO_RETRY : { ...DEFAULT_RETRY, ...options.retry },
    poll: { ...DEFAULT_POLL, ...options.poll },
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    syncTimeoutMs,
    deadlineMs: options.deadlineMs ?? 600_000,
    transport: {
      baseUrl: url.href,
      apiKey: options.apiKey,
      userAgent: options.userAgent ?? 'photomaker-runware-client/0 (undici)',
      connections: options.connections ?? 16,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      headersTimeoutMs: syncTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? 120_000,
      dispatcher: options.dispatcher,
    },
  };
}
