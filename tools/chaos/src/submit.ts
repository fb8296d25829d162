import { GENERATE, type PlatformClient, smallTask, TransportError } from '@photomaker/harness/client';
import type { SubmittedJob } from './checks.ts';
import { type JobPlan, REFUSED_MODEL } from './faults.ts';
import type { SubscriberPool } from './subscriber.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Gives up on a job after this many retried submissions. */
const MAX_ATTEMPTS = 200;

/** True for answers worth retrying with the same idempotency key: the API or something behind it is down. */
export function retryable(status: number | undefined, code: unknown): boolean {
  if (status === undefined || status >= 500 || status === 429) return true;
  return code === 'INTERNAL_SERVER_ERROR' || code === 'RATE_LIMITED';
}

/** Capped exponential backoff between submit attempts. */
export const submitBackoffMs = (attempt: number) => Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));

export interface Submitter {
  client: PlatformClient;
  subscribers: SubscriberPool;
  referenceId: string;
  hookUrl: string;
  runId: string;
  /** Counts every retried submission (API down, rate limited, transport error). */
  retries: number;
}

/** The generate input of one planned job. */
export function jobInput(plan: JobPlan, referenceId: string, hookUrl: string) {
  return {
    ...smallTask(referenceId),
    numberResults: plan.numberResults,
    ...(plan.webhook ? { webhookURL: hookUrl } : {}),
    ...(plan.shouldFail ? { model: REFUSED_MODEL } : {}),
  };
}

/**
 * One submission attempt: the job id, or undefined when the answer is worth retrying.
 * Throws when it is not (or the attempts ran out).
 */
async function attemptSubmit(s: Submitter, plan: JobPlan, attempt: number): Promise<string | undefined> {
  try {
    const result = await s.client.http.post<{ generatePhotoMaker: { id: string } }>(GENERATE, {
      input: jobInput(plan, s.referenceId, s.hookUrl),
      idempotencyKey: `chaos-${s.runId}-${plan.index}`,
    });
    const id = result.data?.generatePhotoMaker?.id;
    if (id) return id;
    const code = result.errors?.[0]?.extensions?.code;
    if (!retryable(result.status, code) || attempt > MAX_ATTEMPTS)
      throw new Error(`job ${plan.index}: ${result.status} ${code}: ${result.errors?.[0]?.message}`);
  } catch (error) {
    if (!(error instanceof TransportError) || attempt > MAX_ATTEMPTS) throw error;
  }
  return undefined;
}

/** Submits a job with its idempotency key until the API takes it, then starts watching it. */
export async function submitJob(s: Submitter, plan: JobPlan): Promise<SubmittedJob> {
  for (let attempt = 0; ; attempt++) {
    const id = await attemptSubmit(s, plan, attempt);
    if (id) return { plan, jobId: id, done: s.subscribers.watch(id) };
    s.retries += 1;
    await sleep(submitBackoffMs(attempt));
  }
}
