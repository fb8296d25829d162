import { OTHER_LABEL } from '@photomaker/observability';
import { errorCode, PARAMETER_RULES, TASK_SCHEMAS } from '@photomaker/schema';

/**
 * The closed sets the API's metric labels take values from (metrics.ts applies them; anything else is
 * `other`). Operation names, taskTypes and error codes come from callers: open sets would let anyone
 * grow /metrics without bound, one series per string they send.
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export const HTTP_ROUTES = ['/graphql', '/v1', '/images', '/healthz', '/readyz', '/metrics', 'other'];

/** Any HTTP status code the server can send (3 digits); nothing else. */
export const httpStatus = (value: string): string => (/^[1-5]\d\d$/.test(value) ? value : OTHER_LABEL);

export const TRANSPORTS = ['http', 'ws'];

export const OPERATION_TYPES = ['query', 'mutation', 'subscription', 'unknown'];

/**
 * Operation names of the first-party clients (apps/web/src/api/operations.ts, the harness client and the
 * launcher's example); a test keeps the list in step with those files. Other clients' names count as
 * `other`, unnamed operations as `anonymous`.
 */
export const OPERATION_NAMES = [
  'anonymous',
  'Catalog',
  'Job',
  'Jobs',
  'UploadReferenceImage',
  'GeneratePhotoMaker',
  'CancelJob',
  'JobEvents',
  'EstimatePhotoMaker',
  'RetryJob',
  'DeleteJob',
  'Usage',
  'Generate',
  'Upload',
  'Cancel',
  'Events',
];

export const OPERATION_OUTCOMES = ['ok', 'error', 'started'];

export const SUBMIT_VIA = ['graphql', 'v1'];

/** Outcomes of a tenants-file reload (auth/tenants-reload.ts ReloadOutcome). */
export const RELOAD_OUTCOMES = ['reloaded', 'unchanged', 'rejected'];

export const BOOLEANS = ['true', 'false'];

export const TASK_TYPES = [...Object.keys(TASK_SCHEMAS), 'unknown'];

export const TASK_OUTCOMES = ['ok', 'error'];

/** Codes not derived from a parameter name (see errorCode in @photomaker/schema for the others). */
const FIXED_INPUT_CODES = [
  'invalidTaskFormat',
  'missingTaskType',
  'unsupportedTaskType',
  'invalidJson',
  'invalidRequest',
  'invalidIdempotencyKey',
  'conflictIdempotencyKey',
  'invalidCancelAfter',
  'invalidWebhookURL',
  'invalidUploadEndpoint',
];

const capitalize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** `missingX` / `invalidX` for every top-level parameter of a Runware task we accept, plus the fixed ones. */
export const INPUT_ERROR_CODES: ReadonlySet<string> = new Set([
  ...FIXED_INPUT_CODES,
  // The imageInference form is a pipe (it parses to the standalone parameters): its wire object's keys.
  ...Object.values(TASK_SCHEMAS).flatMap((schema) =>
    Object.keys('shape' in schema ? schema.shape : schema.in.shape).flatMap((parameter) => [
      `missing${capitalize(parameter)}`,
      `invalid${capitalize(parameter)}`,
    ]),
  ),
  // Nested parameters (photoMaker.images -> invalidPhotoMakerImages, lora.weight -> invalidLoraWeight).
  ...Object.keys(PARAMETER_RULES).flatMap((parameter) => [
    errorCode('missing', parameter),
    errorCode('invalid', parameter),
  ]),
]);
