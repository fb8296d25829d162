import {
  type PhotoMakerParams,
  photoMakerParamsSchema,
  type RunwareError,
  toRunwareErrors,
} from '@photomaker/schema';
import { type UrlGuard, UrlGuardError } from '@photomaker/url-guard';
import { InvalidInputError } from './input-error.ts';

export class ParamsError extends InvalidInputError {
  /** parameter -> path inside the params object (e.g. inputImages -> ['inputImages', 2]). */
  readonly paths: Map<string, (string | number)[]>;
  constructor(errors: RunwareError[], paths: Map<string, (string | number)[]>) {
    super(errors);
    this.paths = paths;
  }
}

/** Drops nulls (GraphQL's "not given") recursively so the zod defaults apply. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** The shared zod schema, the shared error converter; plus the path of each failing parameter. */
export function validateParams(input: unknown): PhotoMakerParams {
  const result = photoMakerParamsSchema.safeParse(input);
  if (result.success) return result.data;
  const paths = new Map<string, (string | number)[]>();
  for (const issue of result.error.issues) {
    const parameter = issue.path.filter((key): key is string => typeof key === 'string').join('.');
    if (!paths.has(parameter))
      paths.set(
        parameter,
        issue.path.filter(
          (key): key is string | number => typeof key === 'string' || typeof key === 'number',
        ),
      );
  }
  throw new ParamsError(toRunwareErrors(result.error, input), paths);
}

/** webhookURL and uploadEndpoint must point at public addresses (after DNS resolution). */
export async function checkOutboundUrls(
  guard: Pick<UrlGuard, 'check'>,
  params: Pick<PhotoMakerParams, 'webhookURL' | 'uploadEndpoint'>,
): Promise<void> {
  const errors: RunwareError[] = [];
  for (const parameter of ['webhookURL', 'uploadEndpoint'] as const) {
    const url = params[parameter];
    if (!url) continue;
    try {
      await guard.check(url);
    } catch (error) {
      if (!(error instanceof UrlGuardError)) throw error;
      errors.push({
        code: parameter === 'webhookURL' ? 'invalidWebhookURL' : 'invalidUploadEndpoint',
        parameter,
        message: `Invalid value for '${parameter}': ${error.message}.`,
      });
    }
  }
  if (errors.length > 0) throw new InvalidInputError(errors);
}
