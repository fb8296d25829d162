import { scrub } from '@photomaker/observability';
import type { PhotoMakerResult, RunwareError, RunwareErrorCategory } from '@photomaker/schema';

/** Runware's categories plus `network`: resets, refused connections, DNS (never said by the server). */
export type ClientErrorCategory = RunwareErrorCategory | 'network';

export interface RunwareClientErrorInit {
  message: string;
  category: ClientErrorCategory;
  retryable: boolean;
  code: string;
  parameter?: string | undefined;
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  taskUUID?: string | undefined;
  taskType?: string | undefined;
  errors?: readonly RunwareError[] | undefined;
  /** Images that finished before the failure (getResponse / sync partials). */
  results?: readonly PhotoMakerResult[] | undefined;
  /** Runware holds the task (default: a `conflict`): poll getResponse, do not send it again. */
  alreadyAccepted?: boolean | undefined;
  /** Runware ran the task and generations failed: its taskUUID is spent (a new attempt needs a new one). */
  generationFailed?: boolean | undefined;
  cause?: unknown;
}

/**
 * Every failure the client reports. `retryable` answers one question: can sending the same task again
 * (same taskUUID) or polling again succeed? Messages are scrubbed of inline image data and bearer tokens
 * at construction, and the client removes its own API key before it builds one.
 */
export class RunwareClientError extends Error {
  readonly retryable: boolean;
  readonly category: ClientErrorCategory;
  /** Runware's code (`invalidStrength`, `timeoutProvider`, ...) or the client's own for transport faults. */
  readonly code: string;
  /** The offending parameter; for cross-field errors several joined with ", " (all of them in `errors`). */
  readonly parameter: string | undefined;
  /** HTTP status, when an HTTP response was received. */
  readonly status: number | undefined;
  /** From `Retry-After` (seconds or HTTP date): wait at least this long before the next attempt. */
  readonly retryAfterMs: number | undefined;
  readonly taskUUID: string | undefined;
  readonly taskType: string | undefined;
  /** Every Runware error of the response (messages scrubbed). */
  readonly errors: readonly RunwareError[];
  /** Successful images that arrived before the failure, in arrival order. */
  readonly results: readonly PhotoMakerResult[];
  /**
   * Runware already holds this task (`conflictTaskUUID`, or a sync answer cut short): nothing new will
   * be paid; get the images with getResponse / waitForResults instead of sending the task again.
   */
  readonly alreadyAccepted: boolean;
  /**
   * Runware ran the task and some generation failed (`retryable` then says whether a NEW task could
   * succeed: the same taskUUID would only meet conflictTaskUUID). Never retried in-client.
   */
  readonly generationFailed: boolean;

  constructor(init: RunwareClientErrorInit) {
    super(scrub(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.retryable = init.retryable;
    this.category = init.category;
    this.code = init.code;
    this.parameter = init.parameter;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.taskUUID = init.taskUUID;
    this.taskType = init.taskType;
    this.errors = (init.errors ?? []).map(scrubError);
    this.results = init.results ?? [];
    this.alreadyAccepted = init.alreadyAccepted ?? init.category === 'conflict';
    this.generationFailed = init.generationFailed ?? false;
  }

  /** For logs and Temporal failures: no key, no image data (results reduced to their UUIDs). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      alreadyAccepted: this.alreadyAccepted,
      generationFailed: this.generationFailed,
      ...(this.parameter !== undefined ? { parameter: this.parameter } : {}),
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      ...(this.taskUUID !== undefined ? { taskUUID: this.taskUUID } : {}),
      ...(this.taskType !== undefined ? { taskType: this.taskType } : {}),
      errors: this.errors,
      resultImageUUIDs: this.results.map((result) => result.imageUUID),
    };
  }
}

/** Runware answered with an error (HTTP status and/or `errors` in the body). */
export class RunwareApiError extends RunwareClientError {}

/**
 * No usable answer: connection refused or reset, DNS, connect/headers/body timeouts, a body cut short or
 * unreadable. Always retryable: the same taskUUID is safe to send again (a conflict then means accepted).
 */
export class RunwareTransportError extends RunwareClientError {}

/** Client-side validation failed before anything was sent: the same Runware-style errors the server gives. */
export class RunwareValidationError extends RunwareClientError {}

/** waitForResults gave up at its deadline; the task may still finish: polling again later can succeed. */
export class RunwareDeadlineError extends RunwareClientError {}

function scrubError(error: RunwareError): RunwareError {
  return { ...error, message: scrub(error.message) };
}
