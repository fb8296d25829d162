import { classifyRunwareError, httpStatusFor, type RunwareError } from '@photomaker/schema';

const DOCS = 'https://runware.ai/docs/platform/errors';

/**
 * A Runware error plus what the emulator needs to answer with it: the HTTP status a REST response takes
 * when this is the only outcome, and Retry-After for capacity errors. Only `error` reaches the wire.
 */
export interface TaskFailure {
  error: RunwareError;
  status: number;
  retryAfterSeconds?: number;
}

export function failure(error: RunwareError, status?: number, retryAfterSeconds?: number): TaskFailure {
  const resolved = status ?? httpStatusFor(classifyRunwareError({ code: error.code }).category);
  return { error, status: resolved, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
}

interface Scope {
  taskType?: string | undefined;
  taskUUID?: string | undefined;
}

function scoped(scope: Scope): Partial<RunwareError> {
  return {
    ...(scope.taskType ? { taskType: scope.taskType } : {}),
    ...(scope.taskUUID ? { taskUUID: scope.taskUUID } : {}),
  };
}

export function missingApiKey(scope: Scope = {}): TaskFailure {
  return failure(
    {
      code: 'missingApiKey',
      message:
        "Missing API key: send 'Authorization: Bearer <key>' or an authentication task first in the array.",
      parameter: 'apiKey',
      ...scoped(scope),
      documentation: 'https://runware.ai/docs/platform/authentication',
    },
    401,
  );
}

export function invalidApiKey(scope: Scope = {}): TaskFailure {
  return failure(
    {
      code: 'invalidApiKey',
      message: 'Invalid API key. This emulator accepts the keys in RUNWARE_EMULATOR_KEYS.',
      parameter: 'apiKey',
      ...scoped(scope),
      documentation: 'https://runware.ai/docs/platform/authentication',
    },
    401,
  );
}

export function conflictTaskUUID(scope: Scope): TaskFailure {
  return failure(
    {
      code: 'conflictTaskUUID',
      message:
        'A task with this taskUUID was already accepted: it is not run again. Use getResponse with this taskUUID to read its results.',
      parameter: 'taskUUID',
      ...scoped(scope),
      documentation: 'https://runware.ai/docs/platform/task-polling',
    },
    400,
  );
}

export function taskNotFound(scope: Scope): TaskFailure {
  return failure(
    {
      code: 'taskNotFound',
      message: 'No task with this taskUUID is known (never accepted, or expired).',
      parameter: 'taskUUID',
      ...scoped(scope),
      documentation: 'https://runware.ai/docs/platform/task-polling',
    },
    404,
  );
}

export function insufficientCredits(scope: Scope, neededUsd: number, balanceUsd: number): TaskFailure {
  return failure(
    {
      code: 'insufficientCredits',
      message: `Insufficient credits: this task costs ${neededUsd} USD and the available balance is ${balanceUsd} USD.`,
      ...scoped(scope),
      documentation: DOCS,
    },
    402,
  );
}

export function capacityExceeded(scope: Scope, status: 429 | 503, retryAfterSeconds: number): TaskFailure {
  const code = status === 429 ? 'rateLimitExceeded' : 'serviceUnavailable';
  return failure(
    {
      code,
      message:
        status === 429
          ? 'Queue capacity exceeded for this API key: too many concurrent generations. Retry with backoff.'
          : 'Temporary capacity constraint: no generation slot is free. Retry with backoff.',
      ...scoped(scope),
      documentation: 'https://runware.ai/docs/platform/rate-limits',
    },
    status,
    retryAfterSeconds,
  );
}

export function invalidParameter(
  scope: Scope,
  parameter: string,
  message: string,
  code?: string,
): TaskFailure {
  const name = parameter.charAt(0).toUpperCase() + parameter.slice(1);
  return failure(
    {
      code: code ?? `invalid${name}`,
      message,
      parameter,
      ...scoped(scope),
      documentation: `https://runware.ai/docs/image-inference/photomaker#request-${parameter.toLowerCase()}`,
    },
    400,
  );
}

export function requestError(code: string, message: string, status = 400): TaskFailure {
  return failure({ code, message, documentation: DOCS }, status);
}
