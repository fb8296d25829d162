import type { Logger } from '@photomaker/observability';
import { errorCode, PARAMETER_RULES, PHOTOMAKER_PARAMETERS, type RunwareError } from '@photomaker/schema';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { addressLimitMessage, type Refusal } from '../auth/admission.ts';
import { type LimitRefusal, limitMessage } from '../jobs/usage-ledger.ts';

/** Codes whose message is meant for the client; anything else is masked. */
const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'SUBSCRIBER_TOO_SLOW',
  'SERVICE_UNAVAILABLE',
  'TOO_MANY_ERRORS',
]);

export interface InputErrorDetail {
  runwareCode: string;
  parameter: string;
  path: (string | number)[];
  message: string;
  min?: number | string;
  max?: number | string;
  allowedValues?: (string | number)[];
}

/**
 * Bad input as one GraphQL error (graphql-js gives a field one error): message = every problem in
 * words; extensions: code BAD_USER_INPUT, the first problem's runwareCode/parameter/path, and
 * `runwareErrors` with all of them.
 */
export function badUserInput(
  errors: (RunwareError & { index?: number })[],
  argument = 'input',
  paths?: Map<string, (string | number)[]>,
): GraphQLError {
  const details = inputErrorDetails(errors, argument, paths);
  const first = details[0];
  return new GraphQLError(details.map((detail) => detail.message).join(' '), {
    extensions: {
      code: 'BAD_USER_INPUT',
      ...(first ? { runwareCode: first.runwareCode, parameter: first.parameter, path: first.path } : {}),
      runwareErrors: details,
    },
  });
}

/** Each bad parameter as BAD_USER_INPUT's `runwareErrors` entries say it (estimatePhotoMaker too). */
export function inputErrorDetails(
  errors: (RunwareError & { index?: number })[],
  argument = 'input',
  paths?: Map<string, (string | number)[]>,
): InputErrorDetail[] {
  return errors.map((error) => {
    const parameter = Array.isArray(error.parameter)
      ? error.parameter.join(',')
      : (error.parameter ?? argument);
    const inner = paths?.get(parameter) ?? [
      ...(parameter === argument ? [] : parameter.split('.')),
      ...(error.index !== undefined ? [error.index] : []),
    ];
    return {
      runwareCode: error.code,
      parameter,
      path: [argument, ...inner],
      message: error.message,
      ...(error.min !== undefined ? { min: error.min } : {}),
      ...(error.max !== undefined ? { max: error.max } : {}),
      ...(error.allowedValues ? { allowedValues: error.allowedValues } : {}),
    };
  });
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: 'NOT_FOUND' } });
}

function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Rate limit exceeded for this API key; retry in ${retryAfterSeconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
  });
}

/**
 * A submission over a tenant limit (usage-ledger.ts): RATE_LIMITED or QUOTA_EXCEEDED with the limit, the
 * current count and retryAfter (seconds); the same on HTTP and graphql-ws.
 */
export function limitExceeded(refusal: LimitRefusal): GraphQLError {
  return new GraphQLError(limitMessage(refusal), {
    extensions: {
      code: refusal.code,
      limitName: refusal.limitName,
      limit: refusal.limit,
      current: refusal.current,
      retryAfter: refusal.retryAfterSeconds,
    },
  });
}

/** An admission refusal as GraphQL answers it: the error, and the HTTP status of GraphQL over HTTP. */
export function refusalError(refusal: Refusal): { status: number; error: GraphQLError } {
  switch (refusal.kind) {
    case 'unauthenticated':
      return {
        status: 401,
        error: new GraphQLError('Missing or invalid API key: send Authorization: Bearer <key>', {
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      };
    case 'rate-limited':
      return { status: 429, error: rateLimited(refusal.retryAfterSeconds) };
    case 'address-limited':
      return {
        status: 429,
        error: new GraphQLError(addressLimitMessage(refusal), {
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: refusal.retryAfterSeconds },
        }),
      };
    case 'unavailable':
      return {
        status: 503,
        error: new GraphQLError('The rate limiter is unavailable; retry shortly', {
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        }),
      };
  }
}

const INPUT_FIELDS = new Set<string>(PHOTOMAKER_PARAMETERS);

/**
 * graphql-js reports bad variables as `Variable "$input" got invalid value <the value> at "input.x"; ...`:
 * it echoes the value (a whole base64 photo, say) and has no Runware code. Rewrite those for
 * PhotoMakerInput fields into our shape: named field, rule in words, runwareCode, path; no value.
 */
function coercionDetail(message: string, innerMessage: string | undefined): InputErrorDetail | undefined {
  if (!message.startsWith('Variable "$')) return undefined;
  // The inner (original) error's message ends the text; what precedes it is the echoed value and path.
  let inner = innerMessage;
  if (!inner || !message.endsWith(`; ${inner}`)) inner = /; ([^;]*)$/.exec(message)?.[1];
  if (!inner) return undefined;
  const prefix = message.slice(0, message.length - inner.length - 2);
  const relative = (/ at "\w+((?:\.\w+|\[\d+\])*)"$/.exec(prefix)?.[1] ?? '').replace(/^\./, '');
  const segments: (string | number)[] = relative
    .split(/\.|\[(\d+)\]/)
    .filter((s): s is string => s !== undefined && s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const missing = /^Field "(\w+)" of required type "[^"]+" was not provided\.$/.exec(inner);
  const unknown = /^Field "(\w+)" is not defined by type "(\w+)"/.exec(inner);
  if (missing?.[1]) segments.push(missing[1]);
  const names = segments.filter((s): s is string => typeof s === 'string');
  const parameter = names.join('.');
  const top = names[0];
  if (!top || !INPUT_FIELDS.has(top)) {
    if (unknown?.[1]) {
      return {
        runwareCode: 'unknownParameter',
        parameter: unknown[1],
        path: ['input', ...segments, unknown[1]],
        message: `Unknown parameter '${unknown[1]}' in ${unknown[2]}.`,
      };
    }
    return undefined;
  }
  const rule =
    PARAMETER_RULES[parameter]?.rule ??
    `a valid value of type ${/^(\w+) cannot represent/.exec(inner)?.[1] ?? 'its GraphQL type'}`;
  return {
    runwareCode: errorCode(missing ? 'missing' : 'invalid', parameter),
    parameter,
    path: ['input', ...segments],
    message: missing
      ? `Missing required parameter '${parameter}': it must be ${rule}.`
      : `Invalid value for '${parameter}': it must be ${rule}.`,
  };
}

export interface MaskContext {
  /** Where masked errors are logged (with the original); omit when the caller logs them itself. */
  logger?: Logger | undefined;
  requestId?: string | undefined;
}

/** True when formatGraphQLError would mask this error (an internal failure). */
export function isInternal(error: { extensions?: Record<string, unknown> | undefined }): boolean {
  const code = error.extensions?.code;
  return typeof code !== 'string' || !PUBLIC_CODES.has(code);
}

/**
 * graphql-js reports bad variables and invalid documents without a code (Apollo adds one on HTTP): give
 * them the same codes here so they are shown (and rewritten into Runware terms), not masked.
 */
export function classifyRequestError(error: GraphQLError): GraphQLError {
  if (typeof error.extensions?.code === 'string') return error;
  const isVariableError = error.message.startsWith('Variable "$');
  const isRequestError =
    !error.originalError || (isVariableError && error.originalError instanceof GraphQLError);
  if (!isRequestError) return error;
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions: {
      ...error.extensions,
      code: isVariableError ? 'BAD_USER_INPUT' : 'GRAPHQL_VALIDATION_FAILED',
    },
  });
}

/** A variable that failed coercion, told as the Runware-style error of the field it names. */
function coercionError(
  formatted: GraphQLFormattedError,
  original: unknown,
): GraphQLFormattedError | undefined {
  if (!formatted.message.startsWith('Variable "$')) return undefined;
  const inner =
    original instanceof GraphQLError && original.originalError ? original.originalError.message : undefined;
  const detail = coercionDetail(formatted.message, inner);
  if (!detail) return undefined;
  return {
    message: detail.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: {
      code: 'BAD_USER_INPUT',
      runwareCode: detail.runwareCode,
      parameter: detail.parameter,
      path: detail.path,
      runwareErrors: [detail],
    },
  };
}

/** Anything else: logged with its cause, answered as a bare internal error (no message, no stack). */
function maskedError(formatted: GraphQLFormattedError, original: unknown, context: MaskContext) {
  const cause = original instanceof GraphQLError ? (original.originalError ?? original) : original;
  context.logger?.error(
    { err: cause, requestId: context.requestId, path: formatted.path },
    'internal error (masked)',
  );
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: {
      code: 'INTERNAL_SERVER_ERROR',
      ...(context.requestId ? { requestId: context.requestId } : {}),
    },
  };
}

/** One policy for HTTP (Apollo formatError) and WebSocket (graphql-ws onNext/onError). */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  original: unknown,
  context: MaskContext,
): GraphQLFormattedError {
  const code = typeof formatted.extensions?.code === 'string' ? formatted.extensions.code : undefined;
  const coercion = code === 'BAD_USER_INPUT' ? coercionError(formatted, original) : undefined;
  if (coercion) return coercion;
  if (code && PUBLIC_CODES.has(code)) {
    // Drop stack traces / exception details whatever the environment.
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return maskedError(formatted, original, context);
}

/** Errors sent in one response at most; graphql-js already stops validating at 100 and coercing at 50. */
export const MAX_RESPONSE_ERRORS = 10;

/** The first MAX_RESPONSE_ERRORS errors, and one more saying how many were left out. */
export function capErrors(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  if (errors.length <= MAX_RESPONSE_ERRORS) return [...errors];
  const omitted = errors.length - MAX_RESPONSE_ERRORS;
  return [
    ...errors.slice(0, MAX_RESPONSE_ERRORS),
    {
      message: `${omitted} more errors left out: at most ${MAX_RESPONSE_ERRORS} are sent per response.`,
      extensions: { code: 'TOO_MANY_ERRORS', omitted, limit: MAX_RESPONSE_ERRORS },
    },
  ];
}
