import { randomUUID } from 'node:crypto';
import {
  type AccountDetailsResult,
  accountDetailsResultSchema,
  getDetailsTaskSchema,
  getUsageActivityTaskSchema,
  type UsageActivityGroupBy,
  type UsageActivityResult,
  usageActivityResultSchema,
  validateWith,
} from '@photomaker/schema';
import type { z } from 'zod';
import type { RunwareResponse } from './client-options.ts';
import { apiErrorFrom, validationErrorFrom } from './error-mapping.ts';
import { ownErrors, ownItems, parseItem } from './wire-items.ts';

/** What `getUsageActivity` asks for: a window of UTC days (YYYY-MM-DD, at most 30), grouped and filtered. */
export interface UsageActivityQuery {
  startDate: string;
  endDate: string;
  groupBy?: UsageActivityGroupBy[];
  models?: string[];
  /** Masked key names, as getDetails lists them. */
  apiKeys?: string[];
  timezone?: string;
}

export interface AccountCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The one call these need: a POST of one task array (RunwareRestClient.request). */
type Requester = (tasks: readonly object[], options: AccountCallOptions) => Promise<RunwareResponse>;

async function accountTask<S extends z.ZodType>(
  request: Requester,
  apiKey: string,
  task: Record<string, unknown> & { taskUUID: string },
  schemas: { task: z.ZodType; result: S },
  options: AccountCallOptions,
): Promise<z.output<S>> {
  const context = { taskUUID: task.taskUUID, taskType: 'accountManagement', apiKey };
  const checked = validateWith(schemas.task, task, context);
  if (!checked.ok) throw validationErrorFrom(checked.errors, context);
  const response = await request([task], options);
  const errors = ownErrors(response.errors, task.taskUUID);
  if (response.status >= 400 || errors.length > 0) {
    throw apiErrorFrom(
      {
        status: response.status >= 400 ? response.status : undefined,
        errors: response.errors,
        retryAfterMs: response.retryAfterMs,
      },
      context,
    );
  }
  return parseItem(schemas.result, ownItems(response.data, task.taskUUID)[0], context);
}

/** accountManagement `getDetails`: balance, masked keys, usage totals. */
export function getAccountDetails(
  request: Requester,
  apiKey: string,
  options: AccountCallOptions = {},
): Promise<AccountDetailsResult> {
  const task = { taskType: 'accountManagement', taskUUID: randomUUID(), operation: 'getDetails' };
  return accountTask(
    request,
    apiKey,
    task,
    { task: getDetailsTaskSchema, result: accountDetailsResultSchema },
    options,
  ) as Promise<AccountDetailsResult>;
}

/** accountManagement `getUsageActivity`: requests, results and spend per day, model or key. */
export function getUsageActivity(
  request: Requester,
  apiKey: string,
  query: UsageActivityQuery,
  options: AccountCallOptions = {},
): Promise<UsageActivityResult> {
  const task = {
    taskType: 'accountManagement',
    taskUUID: randomUUID(),
    operation: 'getUsageActivity',
    ...query,
  };
  return accountTask(
    request,
    apiKey,
    task,
    { task: getUsageActivityTaskSchema, result: usageActivityResultSchema },
    options,
  ) as Promise<UsageActivityResult>;
}
