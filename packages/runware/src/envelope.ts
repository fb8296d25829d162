import { parseRunwareJson, type RunwareError, runwareErrorSchema } from '@photomaker/schema';

export type RunwareItem = Record<string, unknown>;

/** A response body reduced to its two parts: result items and error items. */
export interface RunwareEnvelope {
  data: RunwareItem[];
  errors: RunwareError[];
}

export class InvalidEnvelopeError extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Any error-ish object as a Runware error: keeps what is there, fills code/message when missing. */
function toRunwareError(value: unknown, fallbackTaskUUID?: unknown): RunwareError {
  const record = isRecord(value) ? value : { message: String(value) };
  const parsed = runwareErrorSchema.safeParse(record);
  const error: RunwareError = parsed.success
    ? parsed.data
    : {
        ...record,
        code: typeof record.code === 'string' ? record.code : 'unknownError',
        message:
          typeof record.message === 'string'
            ? record.message
            : typeof record.code === 'string'
              ? record.code
              : 'Runware reported an error without a message.',
        parameter:
          typeof record.parameter === 'string' || Array.isArray(record.parameter)
            ? (record.parameter as string | string[])
            : undefined,
      };
  if (error.parameter === undefined) delete error.parameter;
  if (error.taskUUID === undefined && typeof fallbackTaskUUID === 'string') error.taskUUID = fallbackTaskUUID;
  return error;
}

/**
 * Reads every shape Runware is known to send: `data` and/or `errors`, a singular `error` (object or
 * array, with the taskUUID beside it), `data` as a lone object, and getResponse items of
 * `status: "error"` carrying a nested `error` — those move to `errors`.
 */
export function parseEnvelope(text: string): RunwareEnvelope {
  let body: unknown;
  try {
    body = parseRunwareJson(text);
  } catch {
    throw new InvalidEnvelopeError('response body is not JSON');
  }
  if (!isRecord(body)) throw new InvalidEnvelopeError('response body is not a JSON object');
  const envelope: RunwareEnvelope = { data: [], errors: [] };
  for (const item of listOf(body.data)) {
    if (!isRecord(item)) continue;
    if (item.status === 'error') {
      const { error: nested, ...rest } = item;
      envelope.errors.push(toRunwareError({ ...rest, ...(isRecord(nested) ? nested : {}) }, item.taskUUID));
      continue;
    }
    envelope.data.push(item);
  }
  // Some servers send both forms with the same content: the singular one counts only on its own.
  const errors = Array.isArray(body.errors) ? body.errors : listOf(body.error);
  for (const error of errors) envelope.errors.push(toRunwareError(error, body.taskUUID));
  return envelope;
}

/** An array as is, a lone object as a list of one, anything else as nothing. */
function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return isRecord(value) ? [value] : [];
}
