import type { CallOptions, DryRunEstimate, RunwareResponse } from './client-options.ts';
import { apiErrorFrom, transportErrorFrom } from './error-mapping.ts';
import { ownErrors, ownItems } from './wire-items.ts';

/** Runware's dry-run header: validate and price, run and charge nothing. */
export const DRY_RUN_HEADER = { 'x-runware-dry-run': '1' } as const;

/**
 * A dry run's answer as an estimate: Runware's errors for the task throw (the same RunwareApiError a
 * real submission would get), an answer without a numeric `cost` is the server's fault (retryable).
 */
export function estimateFrom(response: RunwareResponse, taskUUID: string, apiKey: string): DryRunEstimate {
  const context = { taskUUID, taskType: 'photoMaker', apiKey };
  const { status, retryAfterMs } = response;
  if (status >= 400 || ownErrors(response.errors, taskUUID).length > 0) {
    throw apiErrorFrom(
      { status: status >= 400 ? status : undefined, errors: response.errors, retryAfterMs },
      context,
    );
  }
  const cost = ownItems(response.data, taskUUID)[0]?.cost;
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) {
    throw transportErrorFrom(new Error('the dry run answer has no cost'), {
      ...context,
      code: 'invalidResponse',
      category: 'serverError',
    });
  }
  return { taskUUID, costUsd: cost };
}

export type DryRunOptions = Pick<CallOptions, 'signal' | 'retry' | 'timeoutMs' | 'validate' | 'onRetry'>;
