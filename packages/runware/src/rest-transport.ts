import { SpanKind, withSpan } from '@photomaker/observability';
import { stringifyRunwareJson } from '@photomaker/schema';
import { Agent, type Dispatcher, request } from 'undici';
import { InvalidEnvelopeError, parseEnvelope, type RunwareEnvelope } from './envelope.ts';
import { apiErrorFrom, type FailureContext, redactError, transportErrorFrom } from './error-mapping.ts';
import { RunwareClientError } from './errors.ts';
import { parseRetryAfter } from './retry-after.ts';

export interface RestTransportOptions {
  /** Runware's REST endpoint, e.g. https://api.runware.ai/v1 or http://127.0.0.1:8787/v1. */
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  /** Sockets per origin in the keep-alive pool. */
  connections: number;
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Use this dispatcher instead of a pool of our own (it is not closed by `close()`). */
  dispatcher?: Dispatcher | undefined;
}

export interface PostOptions {
  signal?: AbortSignal | undefined;
  /** Time to the response headers: a sync generation answers only when its images are done. */
  headersTimeoutMs?: number | undefined;
  /** Longest silence between two body chunks (not the total: 20 base64 PNGs take a while to arrive). */
  bodyTimeoutMs?: number | undefined;
  /** Whole request, headers and body: a retryable `requestTimeout` when exceeded. */
  timeoutMs?: number | undefined;
  /** Extra request headers (e.g. `x-runware-dry-run`). */
  headers?: Record<string, string> | undefined;
  context: FailureContext;
}

export interface RestResponse {
  status: number;
  envelope: RunwareEnvelope;
  retryAfterMs: number | undefined;
}

/** One POST /v1 of a task array over a pooled keep-alive undici Agent; failures become typed errors. */
export class RestTransport {
  private readonly options: RestTransportOptions;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(options: RestTransportOptions) {
    this.options = options;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connections: options.connections,
        keepAliveTimeout: options.keepAliveTimeoutMs,
        keepAliveMaxTimeout: Math.max(options.keepAliveTimeoutMs, 600_000),
        connect: { timeout: options.connectTimeoutMs },
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
      });
  }

  /** One POST, as a client span of the caller's trace (ids, task types and status only: no key, no images). */
  post(tasks: readonly unknown[], options: PostOptions): Promise<RestResponse> {
    const base = new URL(this.options.baseUrl);
    const attributes = {
      'http.request.method': 'POST',
      'server.address': base.hostname,
      'server.port': Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      'runware.task_types': [...new Set(tasks.map(taskTypeOf))],
      ...(options.context.taskUUID ? { 'runware.task_uuid': options.context.taskUUID } : {}),
    };
    return withSpan(
      'photomaker-runware',
      'runware POST',
      { kind: SpanKind.CLIENT, attributes, inTraceOnly: true },
      async (span) => {
        const response = await this.postOnce(tasks, options);
        span.setAttribute('http.response.status_code', response.status);
        return response;
      },
    );
  }

  private async postOnce(tasks: readonly unknown[], options: PostOptions): Promise<RestResponse> {
    const context = { ...options.context, apiKey: this.options.apiKey };
    const caller = options.signal;
    if (caller?.aborted) throw caller.reason;
    const deadline = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signals = [caller, deadline].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    let status: number | undefined;
    try {
      const response = await request(this.options.baseUrl, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': this.options.userAgent,
          ...options.headers,
        },
        body: stringifyRunwareJson(tasks),
        headersTimeout: options.headersTimeoutMs ?? this.options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs ?? this.options.bodyTimeoutMs,
        ...(signal ? { signal } : {}),
      });
      status = response.statusCode;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      const envelope = readEnvelope(await response.body.text(), status, retryAfterMs, context);
      return { status, envelope, retryAfterMs };
    } catch (error) {
      if (caller?.aborted) throw caller.reason;
      if (error instanceof RunwareClientError) throw error;
      if (deadline?.aborted) {
        throw transportErrorFrom(error, { ...context, status, code: 'requestTimeout', category: 'timeout' });
      }
      throw transportErrorFrom(error, { ...context, status });
    }
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

function taskTypeOf(task: unknown): string {
  const type = (task as { taskType?: unknown } | null)?.taskType;
  return typeof type === 'string' ? type : 'unknown';
}

/** The body as an envelope, without the API key in any error; a body that is none is typed by status. */
function readEnvelope(
  text: string,
  status: number,
  retryAfterMs: number | undefined,
  context: FailureContext & { apiKey: string },
): RunwareEnvelope {
  let envelope: RunwareEnvelope;
  try {
    envelope = parseEnvelope(text);
  } catch (error) {
    if (!(error instanceof InvalidEnvelopeError)) throw error;
    // A non-2xx without a Runware body (a proxy's HTML page): classify by status alone.
    if (status >= 400) throw apiErrorFrom({ status, errors: [], retryAfterMs }, context);
    throw transportErrorFrom(error, { ...context, status, code: 'invalidResponse', category: 'serverError' });
  }
  // The one place every server error passes: no key leaves here, whatever the server echoed.
  envelope.errors = envelope.errors.map((error) => redactError(error, context.apiKey));
  return envelope;
}
