import { randomUUID } from 'node:crypto';
import type { Logger } from '@photomaker/observability';
import { type PhotoMakerRequest, type RunwareClient, RunwareClientError } from '@photomaker/runware';
import type { PhotoMakerParams, RunwareError } from '@photomaker/schema';

/**
 * An 8x8 grey PNG standing in for every reference photo the API holds: the price does not depend on the
 * faces, so a price check never sends biometric data upstream (nor uploads it first).
 */
const PLACEHOLDER_IMAGE =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAD0lEQVQImWNowAEYhpYEAILzYAEeEbvlAAAAAElFTkSuQmCC';

/** A dry run waits at most this long: an estimate must stay quick, the configured price is the fallback. */
const PRICE_TIMEOUT_MS = 10_000;

/** What Runware said about a task's price. */
export type PriceAnswer =
  | { kind: 'priced'; costUsd: number }
  /** Runware refused the task as invalid (a real submission would fail the same way). */
  | { kind: 'invalid'; errors: RunwareError[] }
  /** Runware could not price it (down, slow, misconfigured key, an answer without a cost). */
  | { kind: 'unavailable'; reason: string };

export interface Pricer {
  /**
   * `runwareImages[i]`: the Runware image UUID a reference is (sent as is, so Runware checks it exists),
   * or undefined for a reference the API holds (sent as the placeholder).
   */
  price(
    params: PhotoMakerParams,
    runwareImages: readonly (string | undefined)[],
    signal?: AbortSignal,
  ): Promise<PriceAnswer>;
}

/** Prices through Runware's dry run (`RunwareClient.dryRun`): nothing runs, nothing is charged. */
export class RunwarePricer implements Pricer {
  private readonly client: Pick<RunwareClient, 'dryRun'>;
  private readonly logger: Logger;

  constructor(client: Pick<RunwareClient, 'dryRun'>, logger: Logger) {
    this.client = client;
    this.logger = logger;
  }

  async price(
    params: PhotoMakerParams,
    runwareImages: readonly (string | undefined)[],
    signal?: AbortSignal,
  ): Promise<PriceAnswer> {
    // Where results would go is none of Runware's business for a price: the tenant's URLs stay here.
    const { webhookURL: _hook, uploadEndpoint: _upload, ...rest } = params;
    const task = {
      ...rest,
      taskUUID: randomUUID(),
      inputImages: runwareImages.map((uuid) => uuid ?? PLACEHOLDER_IMAGE),
    } as PhotoMakerRequest;
    try {
      const estimate = await this.client.dryRun(task, {
        retry: { retries: 1 },
        timeoutMs: PRICE_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      });
      return { kind: 'priced', costUsd: estimate.costUsd };
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof RunwareClientError && error.category === 'validation' && error.errors.length > 0)
        return { kind: 'invalid', errors: [...error.errors] };
      const reason = error instanceof RunwareClientError ? error.code : 'unexpected';
      this.logger.warn({ reason }, 'Runware could not price a task; the configured price is used');
      return { kind: 'unavailable', reason };
    }
  }
}
