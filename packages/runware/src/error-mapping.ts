import { classifyRunwareError, type PhotoMakerResult, type RunwareError } from '@photomaker/schema';
import {
  type ClientErrorCategory,
  RunwareApiError,
  RunwareTransportError,
  RunwareValidationError,
} from './errors.ts';

/** What the client knows about the request that failed. */
export interface FailureContext {
  taskUUID?: string | undefined;
  taskType?: string | undefined;
  /** Removed from every message, whatever a server or library put in it. */
  apiKey?: string | undefined;
}

function redactKey(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
}

/** Every string field of a Runware error with the key removed (servers have been known to echo it). */
export function redactError(error: RunwareError, apiKey: string | undefined): RunwareError {
  if (!apiKey) return error;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(error)) {
    out[name] = typeof value === 'string' ? redactKey(value, apiKey) : value;
  }
  return out as RunwareError;
}

function parameterOf(error: RunwareError): string | undefined {
  return Array.isArray(error.parameter) ? error.parameter.join(', ') : error.parameter;
}

/** The error that speaks for the task: its own when several tasks failed, else the first. */
function primaryError(errors: readonly RunwareError[], taskUUID?: string): RunwareError | undefined {
  return errors.find((error) => taskUUID !== undefined && error.taskUUID === taskUUID) ?? errors[0];
}

function describe(
  primary: RunwareError,
  count: number,
  status: number | undefined,
  ctx: FailureContext,
): string {
  const parameter = parameterOf(primary);
  const head = `Runware ${primary.taskType ?? ctx.taskType ?? 'request'}${status ? ` (HTTP ${status})` : ''}`;
  const more = count > 1 ? ` (+${count - 1} more error${count > 2 ? 's' : ''})` : '';
  const text = `${head}: ${primary.code}${parameter ? ` [${parameter}]` : ''}: ${primary.message}${more}`;
  return redactKey(text, ctx.apiKey);
}

export interface ApiFailure {
  /** HTTP status when the server's answer was not 2xx (2xx bodies with `errors` pass undefined). */
  status: number | undefined;
  errors: readonly RunwareError[];
  retryAfterMs?: number | undefined;
  results?: readonly PhotoMakerResult[] | undefined;
  /** The errors are failed generations of a task Runware ran (2xx body or getResponse). */
  generationFailed?: boolean | undefined;
  /** Runware holds the task although this answer failed (a sync wait that ran out): poll it. */
  alreadyAccepted?: boolean | undefined;
}

const GENERATION_CATEGORIES = new Set(['provider', 'timeout', 'safety']);

/**
 * Did Runware run the task and some generation fail (rather than refuse the request)? True when images
 * came with the errors, when an item says `status: "error"`, or for provider/timeout/safety codes.
 */
/**
 * A sync answer that ran out of time while the task keeps running (Runware: "results remain
 * accessible"): timeout-class errors that are not failed generations (`status: "error"`).
 */
export function isSyncTimeout(errors: readonly RunwareError[]): boolean {
  return (
    errors.length > 0 &&
    errors.every(
      (error) =>
        error.status !== 'error' && classifyRunwareError({ code: error.code }).category === 'timeout',
    )
  );
}

export function isGenerationFailure(errors: readonly RunwareError[], resultCount: number): boolean {
  if (errors.length === 0) return false;
  if (resultCount > 0) return true;
  return errors.some(
    (error) =>
      error.status === 'error' ||
      GENERATION_CATEGORIES.has(classifyRunwareError({ code: error.code }).category),
  );
}

/** Runware's own errors as one typed error, classified by the shared table (code first, then status). */
export function apiErrorFrom(failure: ApiFailure, ctx: FailureContext): RunwareApiError {
  const { status } = failure;
  const errors = failure.errors.map((error) => redactError(error, ctx.apiKey));
  const primary: RunwareError = primaryError(errors, ctx.taskUUID) ?? {
    code: `http${status ?? ''}`,
    message: `HTTP ${status} without a Runware error body`,
  };
  const { category, retryable } = classifyRunwareError({
    code: primary.code,
    status,
    parameter: primary.parameter,
    message: primary.message,
  });
  return new RunwareApiError({
    message: describe(primary, errors.length, status, ctx),
    category,
    retryable,
    code: primary.code,
    parameter: parameterOf(primary),
    status,
    retryAfterMs: failure.retryAfterMs,
    taskUUID: primary.taskUUID ?? ctx.taskUUID,
    taskType: primary.taskType ?? ctx.taskType,
    errors,
    results: failure.results,
    generationFailed: failure.generationFailed,
    alreadyAccepted: failure.alreadyAccepted,
  });
}

/** Client-side validation: same errors the server would give, nothing was sent. */
export function validationErrorFrom(
  original: readonly RunwareError[],
  ctx: FailureContext,
): RunwareValidationError {
  const errors = original.map((error) => redactError(error, ctx.apiKey));
  const primary = primaryError(errors, ctx.taskUUID) ?? {
    code: 'invalidTaskFormat',
    message: 'invalid task',
  };
  return new RunwareValidationError({
    message: `${describe(primary, errors.length, undefined, ctx)} (rejected before sending)`,
    category: 'validation',
    retryable: false,
    code: primary.code,
    parameter: parameterOf(primary),
    taskUUID: ctx.taskUUID,
    taskType: ctx.taskType,
    errors,
  });
}

const TIMEOUT_CODES: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connectTimeout',
  UND_ERR_HEADERS_TIMEOUT: 'headersTimeout',
  UND_ERR_BODY_TIMEOUT: 'bodyTimeout',
  ETIMEDOUT: 'connectTimeout',
};

const NETWORK_CODES: Record<string, string> = {
  UND_ERR_SOCKET: 'connectionReset',
  ECONNRESET: 'connectionReset',
  EPIPE: 'connectionReset',
  UND_ERR_CLOSED: 'connectionReset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'truncatedBody',
  ECONNREFUSED: 'connectionRefused',
  ENOTFOUND: 'hostNotFound',
  EAI_AGAIN: 'hostNotFound',
  ENETUNREACH: 'networkUnreachable',
  EHOSTUNREACH: 'networkUnreachable',
  ENETDOWN: 'networkUnreachable',
  EHOSTDOWN: 'networkUnreachable',
};

function errnoCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (code in TIMEOUT_CODES || code in NETWORK_CODES)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure below HTTP (or an unreadable answer) as a retryable transport error. */
export function transportErrorFrom(
  error: unknown,
  ctx: FailureContext & { status?: number | undefined; code?: string; category?: ClientErrorCategory },
): RunwareTransportError {
  const raw = errnoCode(error);
  const timeout = raw ? TIMEOUT_CODES[raw] : undefined;
  const network = raw ? NETWORK_CODES[raw] : undefined;
  const code = ctx.code ?? timeout ?? network ?? 'transportError';
  const category: ClientErrorCategory = ctx.category ?? (timeout ? 'timeout' : 'network');
  const detail = error instanceof Error ? error.message : String(error);
  const message = redactKey(
    `Runware ${ctx.taskType ?? 'request'} transport failure: ${code}${raw && raw !== code ? ` (${raw})` : ''}: ${detail}`,
    ctx.apiKey,
  );
  return new RunwareTransportError({
    message,
    category,
    retryable: true,
    code,
    status: ctx.status,
    taskUUID: ctx.taskUUID,
    taskType: ctx.taskType,
    // The raw error stays out: library errors can hold request options; its code and message are above.
  });
}
